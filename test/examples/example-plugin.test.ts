import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { PluginDefinition } from '@ferry/plugin-sdk';
import { runConformanceSuite } from '@ferry/plugin-sdk/testing';
import { GatewayConfigError, loadGatewayConfig } from '../../apps/provider/src';
import { GatewayWorld, writeTree } from '../../apps/provider/test/support/gateway-world';

/**
 * The out-of-tree example plugin (examples/plugin-local-copy), as its author would test it: built
 * with its own tsconfig against the SDK's declarations, its dist/ run through the conformance kit,
 * then installed at two real gateways by path, as docs/plugin-authoring.md walks through.
 */
const REPO = path.join(__dirname, '..', '..');
const EXAMPLE = path.join(REPO, 'examples', 'plugin-local-copy');
const tsc = require.resolve('typescript/bin/tsc');
// at collection time: the kit needs the definition to declare its tests
execFileSync(process.execPath, [tsc, '-b', path.join(REPO, 'libs', 'plugin-sdk')], { stdio: 'inherit' });
fs.rmSync(path.join(EXAMPLE, 'dist'), { recursive: true, force: true });
execFileSync(process.execPath, [tsc, '-p', EXAMPLE], { stdio: 'inherit' });
// eslint-disable-next-line @typescript-eslint/no-require-imports
const plugin = require(path.join(EXAMPLE, 'dist', 'index.js')).default as PluginDefinition<{ grantsDir: string; chunkSize: number }>;

const grantsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ferry-example-grants-'));
const grantFile = (token: string) => path.join(grantsDir, `${createHash('sha256').update(token).digest('hex')}.json`);
afterAll(() => fs.rmSync(grantsDir, { recursive: true, force: true }));

runConformanceSuite({
  definition: plugin,
  title: 'conformance: the example plugin (examples/plugin-local-copy, built)',
  options: () => ({ grantsDir, chunkSize: 256 * 1024 }),
  largeFileBytes: 32 * 1024 * 1024,
  // "logging in" = the token names an active grant in the shared folder
  probeGrant: async (forPeer) => {
    try {
      return (JSON.parse(fs.readFileSync(grantFile(String(forPeer.token)), 'utf8')) as { active: boolean }).active === true;
    } catch {
      return false;
    }
  },
});

describe('the example plugin installed at two gateways', () => {
  let w: GatewayWorld;
  const entry = () => ({ package: EXAMPLE, options: { grantsDir } });

  beforeAll(async () => {
    w = await GatewayWorld.create({ name: 'example-plugin', pluginsA: [entry()], pluginsB: [entry()] });
  });
  afterAll(async () => {
    await w?.stop();
  });

  it('is loaded by path and published as a mechanism', () => {
    expect(w.a.descriptor.mechanisms).toEqual(['local-copy']);
    expect(w.b.descriptor.mechanisms).toEqual(['local-copy']);
  });

  it('has its options checked at start-up, every problem pinned to its field', () => {
    const bad = { ...w.a.config, plugins: [{ package: EXAMPLE, options: { grantsDir: 'relative/dir', chunkSize: 10, colour: 'red' } }] };
    let error: unknown;
    try {
      loadGatewayConfig(bad);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(GatewayConfigError);
    expect((error as GatewayConfigError).problems).toEqual([
      'plugins[0].options.colour: unknown option',
      'plugins[0].options.grantsDir: required: an absolute path to a folder both gateways share',
      'plugins[0].options.chunkSize: a whole number of bytes between 1024 and 67108864',
    ]);
  });

  it('moves a folder between them, reports through the gateway, revokes the grant, counts its own metric', async () => {
    writeTree(path.join(w.a.driveDir, 'run'), { 'a.txt': 'hello', 'sub/b.bin': 200_000 });
    const id = 't-example-1';
    const n = await w.startTransfer(id, { path: 'run' });
    const done = await w.completed(id);
    expect(done.phase).toBe('completed');
    expect(done.manifest?.files.map((f) => f.path).sort()).toEqual(['run/a.txt', 'run/sub/b.bin']);
    expect(fs.readFileSync(path.join(w.b.driveDir, 'run', 'a.txt'), 'utf8')).toBe('hello');
    expect(fs.statSync(path.join(w.b.driveDir, 'run', 'sub', 'b.bin')).size).toBe(200_000);

    const token = String((n.sealedB.forPeer as { token: string }).token);
    expect(fs.existsSync(grantFile(token))).toBe(true);
    expect((await w.finalize(w.b, id, { outcome: 'succeeded', manifest: done.manifest })).body).toEqual({ ok: true });
    expect((await w.finalize(w.a, id, { outcome: 'succeeded' })).body).toEqual({ ok: true });
    expect(fs.existsSync(grantFile(token))).toBe(false);

    const metrics = await (await fetch(`${w.a.url}/metrics`)).text();
    expect(metrics).toMatch(/^ferry_plugin_local_copy_files_total\{mechanism="local-copy"\} 2$/m);
    expect(metrics).toMatch(/^ferry_gateway_bytes_transferred_total\{mechanism="local-copy"\} 200005$/m);
  });
});
