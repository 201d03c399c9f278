import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { MechanismError, type MechanismPlugin, type TransferHandle } from '@ferry/plugin-sdk';
import type { GatewayConfig } from '../config/gateway-config';
import { GuardedPlugin } from './guarded-plugin';
import { PluginMetrics } from './plugin-metrics';

describe('GuardedPlugin', () => {
  let base: string;
  let config: GatewayConfig;

  beforeAll(() => {
    base = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'ferry-guard-')));
    fs.mkdirSync(path.join(base, 'root', 'in'), { recursive: true });
    fs.mkdirSync(path.join(base, 'outside'));
    config = {
      id: 'provider-a',
      drives: [{ id: 'd', root: path.join(base, 'root'), local: true, plugin: null, attributes: {} }],
      identities: [{ name: 'alice', account: 'alice', attributes: {} }],
    } as unknown as GatewayConfig;
  });
  afterAll(() => fs.rmSync(base, { recursive: true, force: true }));

  const handle = (over: Partial<TransferHandle> = {}): TransferHandle =>
    ({
      id: 't1',
      role: 'source',
      identity: { name: 'alice', account: 'alice', attributes: {} },
      drive: { id: 'd', root: path.join(base, 'root'), attributes: {} },
      path: 'in',
      localPath: path.join(base, 'root', 'in'),
      signal: new AbortController().signal,
      ...over,
    }) as TransferHandle;

  const plugin = (over: Partial<MechanismPlugin> & Record<string, unknown> = {}): MechanismPlugin =>
    ({
      id: 'm',
      abilities: { pause: false, resume: false, cancel: true, checksum: false, browse: false },
      prepareSource: jest.fn(async () => ({ publicParams: {}, forPeer: {} })),
      prepareDestination: jest.fn(),
      trigger: jest.fn(async () => undefined),
      cancel: jest.fn(async () => undefined),
      finalize: jest.fn(async () => ({ ok: true })),
      recover: jest.fn(async () => undefined),
      ...over,
    }) as unknown as MechanismPlugin;

  it('refuses an identity the config does not list, but still lets cancel and finalize through', async () => {
    const p = plugin();
    const g = new GuardedPlugin(p, config, new PluginMetrics(), []);
    const stranger = handle({ identity: { name: 'mallory', account: 'mallory', attributes: {} } });
    await expect(g.trigger(stranger, {})).rejects.toMatchObject({ code: 'NO_IDENTITY_MAPPING' });
    expect(p.trigger).not.toHaveBeenCalled();
    await expect(g.cancel(stranger)).resolves.toBeUndefined();
    await expect(g.finalize(stranger, 'cancelled')).resolves.toEqual({ ok: true });
  });

  it('re-confines the path on every call: a symlink swapped in after prepare is refused', async () => {
    const p = plugin();
    const g = new GuardedPlugin(p, config, new PluginMetrics(), []);
    fs.symlinkSync(path.join(base, 'outside'), path.join(base, 'root', 'swapped'));
    const t = handle({ path: 'swapped', localPath: path.join(base, 'root', 'swapped') });
    await expect(g.trigger(t, {})).rejects.toMatchObject({ code: 'BAD_PATH', message: expect.stringContaining('symbolic link') });
    await expect(g.cancel(t)).rejects.toMatchObject({ code: 'BAD_PATH' });
    await expect(g.trigger(handle({ path: 'in/../..' }), {})).rejects.toMatchObject({ code: 'BAD_PATH' });
    // a handle whose localPath does not match its path is refused too
    await expect(g.trigger(handle({ localPath: path.join(base, 'outside') }), {})).rejects.toMatchObject({ code: 'BAD_PATH' });
    expect(p.trigger).not.toHaveBeenCalled();
  });

  it('enforces abilities: no pause without the ability, even if the method exists', async () => {
    const p = plugin({ pause: jest.fn(), resume: jest.fn() });
    const g = new GuardedPlugin(p, config, new PluginMetrics(), []);
    expect(g.operations()).toEqual(['cancel']);
    expect(() => g.pause(handle())).toThrow("mechanism 'm' cannot pause a transfer");
    expect((p as unknown as { pause: jest.Mock }).pause).not.toHaveBeenCalled();
  });

  it('retries only what the plugin classified as retry, and counts calls, errors and retries', async () => {
    const metrics = new PluginMetrics();
    let n = 0;
    const p = plugin({
      trigger: jest.fn(async () => {
        if (++n < 3) throw new MechanismError('PEER_UNREACHABLE', 'down', 'retry');
      }),
      recover: jest.fn(async () => {
        throw new MechanismError('AUTH_FAILED', 'refused', 'fatal');
      }),
    });
    const g = new GuardedPlugin(p, config, metrics, [1, 1, 1]);
    await g.trigger(handle(), {});
    expect(p.trigger).toHaveBeenCalledTimes(3);
    await expect(g.recover(handle())).rejects.toMatchObject({ code: 'PROVIDER_ERROR', details: { mechanismCode: 'AUTH_FAILED', retry: 'fatal' } });
    expect(p.recover).toHaveBeenCalledTimes(1);
    expect(metrics.snapshot().m).toEqual({ calls: { trigger: 3, recover: 1 }, errors: { PEER_UNREACHABLE: 2, AUTH_FAILED: 1 }, retries: 2 });
  });

  it('gives up retrying once the transfer is aborted, and maps plugin bugs to INTERNAL', async () => {
    const abort = new AbortController();
    const p = plugin({
      trigger: jest.fn(async () => {
        abort.abort();
        throw new MechanismError('PEER_UNREACHABLE', 'down', 'retry');
      }),
      cancel: jest.fn(async () => {
        throw new TypeError('x is undefined');
      }),
    });
    const g = new GuardedPlugin(p, config, new PluginMetrics(), [1, 1]);
    await expect(g.trigger(handle({ signal: abort.signal }), {})).rejects.toMatchObject({ code: 'PROVIDER_UNAVAILABLE' });
    expect(p.trigger).toHaveBeenCalledTimes(1);
    await expect(g.cancel(handle())).rejects.toMatchObject({ code: 'INTERNAL', message: "plugin 'm' failed in cancel: x is undefined" });
  });
});
