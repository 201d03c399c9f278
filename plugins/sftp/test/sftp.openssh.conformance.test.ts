import { runConformanceSuite } from '@ferry/plugin-sdk/testing';
import plugin from '@ferry/plugin-sftp';
import { startSshd, type RunningSshd } from '../../../test/setup/sshd-server';
import { opensshOptions, opensshPairSetup } from './openssh-fixture.util';
import { probeGrant } from './probe-grant.util';

// The kit against the 'openssh' backend: the destination gateway writes per-transfer keys for a
// real sshd on 127.0.0.1, whose forced sftp-server receives the source's uploads as the fixture's
// throwaway account.
let sshd: RunningSshd;
beforeAll(async () => {
  sshd = await startSshd();
});
afterAll(async () => {
  await sshd?.stop();
});

runConformanceSuite({
  title: 'conformance: sftp (openssh backend)',
  definition: plugin,
  options: (role) => opensshOptions(sshd)(role),
  pair: () => opensshPairSetup(sshd),
  probeGrant: (forPeer, _state, ctx) => probeGrant(forPeer, ctx.transferId, ctx.sourceSecrets),
});
