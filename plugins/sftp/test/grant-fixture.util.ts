import * as path from 'node:path';
import { PluginPair, writeTree, type TestTransfer } from '@ferry/plugin-sdk/testing';
import plugin, { secretNames, type SftpOptions, type SftpPlugin } from '@ferry/plugin-sftp';
import type { RawLogin } from './raw-client.util';

export type Pair = PluginPair<SftpOptions>;

export async function startPair(extra: Partial<Record<keyof SftpOptions, unknown>> = {}): Promise<Pair> {
  const pair = await PluginPair.start(plugin, () => ({ embeddedServer: { host: '127.0.0.1', port: 0 }, ...extra }));
  await writeTree(path.join(pair.source.driveRoot, 'small'), { 'a.txt': 'a\n' });
  return pair;
}

export interface LiveGrant {
  t: TestTransfer;
  login: Required<RawLogin>;
  forPeer: Record<string, unknown>;
}

/** A transfer prepared and triggered at the destination only: its grant is active and unused. */
export async function liveGrant(pair: Pair, sourcePath = 'small'): Promise<LiveGrant> {
  const t = await pair.transfer({ sourcePath });
  await t.prepare();
  await t.triggerDestination();
  const forPeer = t.destinationPrep!.forPeer;
  const privateKey = (await pair.source.parts.secrets.get(secretNames.sshKey(t.id)))!;
  return {
    t,
    forPeer,
    login: {
      host: forPeer.host as string,
      port: forPeer.port as number,
      username: forPeer.username as string,
      privateKey,
      password: forPeer.grantToken as string,
    },
  };
}

export const destinationPlugin = (pair: Pair) => pair.destination.plugin as SftpPlugin;
