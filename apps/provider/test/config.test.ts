import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { generateSigningKeyPair } from '@ferry/crypto';
import { GatewayConfigError, createGatewayApp, loadGatewayConfig, type RawGatewayConfig } from '../src';
import { LOCALCOPY, LOCALCOPY_LITE } from './support/gateway-world';

describe('gateway configuration', () => {
  let dir: string;
  const core = generateSigningKeyPair();

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ferry-gw-config-'));
    fs.mkdirSync(path.join(dir, 'data'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const base = (): RawGatewayConfig => ({
    id: 'provider-a',
    name: 'Provider A',
    listen: { host: '127.0.0.1', port: 0 },
    core: { url: 'http://127.0.0.1:9', signPublicKey: core.publicKey },
    stateDir: './state',
    drives: [{ id: 'data', path: './data', attributes: {} }],
    identities: [{ name: 'alice', account: 'alice', attributes: {} }],
    plugins: [{ package: LOCALCOPY, options: {} }],
  });

  const writeConfig = (value: unknown) => {
    const file = path.join(dir, 'gateway.json');
    fs.writeFileSync(file, typeof value === 'string' ? value : JSON.stringify(value));
    return file;
  };

  const problemsOf = (input: unknown): string[] => {
    try {
      loadGatewayConfig(writeConfig(input));
    } catch (e) {
      expect(e).toBeInstanceOf(GatewayConfigError);
      return (e as GatewayConfigError).problems;
    }
    throw new Error('the config was accepted');
  };

  it('resolves relative paths against the config file folder and fills defaults', () => {
    fs.writeFileSync(path.join(dir, 'core.key.json'), JSON.stringify(core));
    const cfg = loadGatewayConfig(writeConfig({ ...base(), core: { url: 'http://127.0.0.1:9', signPublicKeyFile: 'core.key.json' } }));
    expect(cfg.stateDir).toBe(path.join(dir, 'state'));
    expect(cfg.drives[0]).toMatchObject({ id: 'data', root: fs.realpathSync(path.join(dir, 'data')), local: true });
    expect(cfg.core.signPublicKey).toBe(core.publicKey);
    expect(cfg.plugins.map((p) => p.id)).toEqual(['localcopy']);
    expect(cfg.plugins[0].options).toEqual({ chunkSize: 65536, chunkDelayMs: 0, failRecover: false, flakyTrigger: false, prepareDelayMs: 0 });
    expect(cfg).toMatchObject({ progressIntervalMs: 250, signatureWindowSeconds: 60, databaseUrl: null, maxBodyBytes: 1048576, maxManifestBodyBytes: 64 * 1024 * 1024 });
  });

  it('names a missing plugin package and how to install it', () => {
    expect(problemsOf({ ...base(), plugins: [{ package: '@ferry/plugin-nope', options: {} }] })).toEqual([
      "plugins[0].package: cannot load '@ferry/plugin-nope': install it with npm install @ferry/plugin-nope",
    ]);
  });

  it('lists every problem at once: folders, core key, plugin options, duplicates', () => {
    const problems = problemsOf({
      ...base(),
      core: { url: 'http://127.0.0.1:9', signPublicKey: 'not-a-key' },
      drives: [
        { id: 'data', path: './missing' },
        { id: 'data', path: './data' },
      ],
      plugins: [
        { package: LOCALCOPY, options: { chunkSize: 'big' } },
        { package: LOCALCOPY_LITE, options: { colour: 'red' } },
      ],
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        `drives[0].path: folder '${path.join(dir, 'missing')}' does not exist`,
        "drives[1].id: 'data' is used twice",
        'core.signPublicKey: the core signing public key must be 32 bytes of base64',
        'plugins[0].options.chunkSize: Expected number, received string',
        "plugins[1].options: Unrecognized key(s) in object: 'colour'",
      ]),
    );
    expect(problems).toHaveLength(5);
  });

  it('refuses unknown keys and wrong types with their paths', () => {
    const problems = problemsOf({ ...base(), progresIntervalMs: 100, listen: { host: '127.0.0.1', port: 'x' }, plugins: [] });
    expect(problems).toEqual(
      expect.arrayContaining([
        'listen.port: Expected number, received string',
        'plugins: configure at least one mechanism plugin',
        "(top level): Unrecognized key(s) in object: 'progresIntervalMs'",
      ]),
    );
  });

  it('still checks packages and folders when the schema fails', () => {
    const problems = problemsOf({ ...base(), listen: { port: 'x' }, drives: [{ id: 'd', path: './nope' }], plugins: [{ package: '@ferry/plugin-nope' }] });
    expect(problems).toEqual([
      'listen.port: Expected number, received string',
      "plugins[0].package: cannot load '@ferry/plugin-nope': install it with npm install @ferry/plugin-nope",
      `drives[0].path: folder '${path.join(dir, 'nope')}' does not exist`,
    ]);
  });

  it('says when the file is not JSON, or a package is not a plugin', () => {
    expect(problemsOf('{ "id": ')[0]).toMatch(/^the config file is not valid JSON: /);
    fs.writeFileSync(path.join(dir, 'not-a-plugin.js'), 'module.exports = { hello: 1 };');
    expect(problemsOf({ ...base(), plugins: [{ package: './not-a-plugin.js' }] })).toEqual([
      "plugins[0].package: './not-a-plugin.js' does not export a ferry plugin (expected a default or 'plugin' export made with definePlugin({ id, optionsSchema, create }))",
    ]);
    expect(problemsOf({ ...base(), drives: [{ id: 'coll', plugin: 'globus' }] })).toEqual([
      "drives[0].plugin: no configured plugin provides mechanism 'globus'",
    ]);
  });

  it('creates the state folder 0700 with 0600 key files, and keeps the keys across restarts', async () => {
    const file = writeConfig(base());
    const first = await createGatewayApp(file, { logger: false });
    const d1 = await (await fetch(`${first.url}/.well-known/ferry-provider`)).json();
    await first.close();
    const state = path.join(dir, 'state');
    expect(fs.statSync(state).mode & 0o777).toBe(0o700);
    for (const k of ['box.key.json', 'sign.key.json']) expect(fs.statSync(path.join(state, k)).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.join(state, 'plugins', 'localcopy')).mode & 0o777).toBe(0o700);
    const second = await createGatewayApp(file, { logger: false });
    const d2 = await (await fetch(`${second.url}/.well-known/ferry-provider`)).json();
    await second.close();
    expect(d2).toEqual(d1);
    expect(d1).toMatchObject({ id: 'provider-a', name: 'Provider A', mechanisms: ['localcopy'], protocol: 1 });
  });
});
