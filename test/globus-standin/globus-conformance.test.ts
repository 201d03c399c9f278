/**
 * The plugin-sdk conformance kit run against the Globus plugin, with the Globus stand-in as the
 * real peer: each kit drive root becomes a stand-in collection (source ones owned by site A's
 * application, destination ones by site B's), passed to the plugin as drive attributes.
 *
 * Globus specifics: the destination's grant is an ACL rule for the source application's identity,
 * not a credential in forPeer, so the forged-peer case points the source at a path outside the
 * grant and expects Globus' PERMISSION_DENIED; the grant probe lists the destination folder as the
 * source application.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runConformanceSuite } from '@ferry/plugin-sdk/testing';
import plugin from '@ferry/plugin-globus';
import { GlobusStandin, type StandinClient } from './globus-standin';
import { writeSecretFile } from './plugin-harness';

let g: GlobusStandin;
let tmp: string;
let appA: StandinClient;
let appB: StandinClient;
const collections = new Map<string, string>();

beforeAll(async () => {
  g = await GlobusStandin.start({ tickMs: 20, bytesPerTick: 256 * 1024, permissionRetryTicks: 3 });
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'globus-conformance-'));
  appA = g.registerClient();
  appB = g.registerClient();
  writeSecretFile(tmp, 'a.secret', appA.secret);
  writeSecretFile(tmp, 'b.secret', appB.secret);
});

afterAll(async () => {
  await g.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

function collectionFor(role: 'source' | 'destination', root: string): string {
  let id = collections.get(root);
  if (!id) {
    id = g.addCollection({ root, owner: (role === 'source' ? appA : appB).identityId });
    collections.set(root, id);
  }
  return id;
}

async function tokenOf(app: StandinClient): Promise<string> {
  const res = await fetch(`${g.authUrl}/v2/oauth2/token`, {
    method: 'POST',
    headers: { Authorization: 'Basic ' + Buffer.from(`${app.clientId}:${app.secret}`).toString('base64'), 'Content-Type': 'application/x-www-form-urlencoded' },
    body: 'grant_type=client_credentials&scope=urn:globus:auth:scope:transfer.api.globus.org:all',
  });
  return ((await res.json()) as { access_token: string }).access_token;
}

runConformanceSuite({
  definition: plugin,
  options: (role) => ({
    authUrl: g.authUrl,
    transferUrl: g.transferUrl,
    clientId: (role === 'source' ? appA : appB).clientId,
    clientSecretFile: path.join(tmp, role === 'source' ? 'a.secret' : 'b.secret'),
    pollIntervalMs: 30,
    maxBackoffMs: 300,
  }),
  pair: () => ({ driveAttributes: (role, root) => ({ collectionId: collectionFor(role, root) }) }),
  // can the source application still write where the destination pointed it? (rw implies ls)
  probeGrant: async (forPeer) => {
    const url = `${g.transferUrl}/v0.10/operation/endpoint/${forPeer.collectionId as string}/ls?path=${encodeURIComponent(`${forPeer.path as string}/`)}`;
    const res = await fetch(url, { headers: { Authorization: `Bearer ${await tokenOf(appA)}` } });
    if (res.status !== 200 && res.status !== 403) throw new Error(`probe: unexpected ${res.status} ${await res.text()}`);
    return res.status === 200;
  },
  forgePeer: (forPeer) => ({ ...forPeer, path: '/' }),
  forgedCode: 'PERMISSION_DENIED',
  largeFileBytes: 3 * 1024 * 1024,
  timeoutMs: 60_000,
});
