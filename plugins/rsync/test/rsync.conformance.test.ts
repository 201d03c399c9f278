import { generateEd25519KeyPair } from '@ferry/openssh';
import plugin, { rsyncSecretNames } from '@ferry/plugin-rsync';
import { runConformanceSuite } from '@ferry/plugin-sdk/testing';
import { startSshd, type RunningSshd } from '../../../test/setup/sshd-server';
import { probeGrant } from './ssh-probe.util';

// The kit drives two plugin instances (source and destination gateway) against a real sshd on
// 127.0.0.1 and real rsync/rrsync; transfers run as the fixture's throwaway account.
let sshd: RunningSshd;
beforeAll(async () => {
  sshd = await startSshd();
});
afterAll(async () => {
  await sshd?.stop();
});

const otherHost = generateEd25519KeyPair();

runConformanceSuite({
  definition: plugin,
  options: () => ({
    authorizedKeysDir: sshd.authorizedKeysDir,
    sshHost: sshd.host,
    sshPort: sshd.port,
    hostKeyFingerprint: sshd.hostKeyFingerprint,
    // ~3 s for the kit's 48 MiB file: long enough to pause, cancel or restart in the middle
    bwlimitKiBps: 16 * 1024,
  }),
  pair: () => ({ baseDir: sshd.root, account: { name: sshd.account, uid: sshd.uid, gid: sshd.gid } }),
  probeGrant: (forPeer, _state, ctx) => probeGrant(forPeer, ctx.sourceSecrets[rsyncSecretNames.sshKey(ctx.transferId)]),
  // the rsync grant holds no token: the forgery that matters is a different host key (with its own
  // matching fingerprint), which ssh must refuse against the pinned known_hosts
  forgePeer: (forPeer) => ({ ...forPeer, hostPublicKey: otherHost.publicKey, hostKeyFingerprint: otherHost.fingerprint }),
});
