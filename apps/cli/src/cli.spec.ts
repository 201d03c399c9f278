import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PassThrough } from 'node:stream';
import type { TaskView } from '@ferry/contracts';
import { loadConfig, saveConfig } from './config/cli-config';
import { createKey, loadKey } from './config/key-store';
import { parseDriveRef } from './drive-ref.util';
import { formatBytes, formatDuration } from './output/format.util';
import { progressLine } from './output/progress-bar';
import { runCli } from './program';
import type { CliContext } from './cli.context';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'ferry-cli-spec-'));

describe('DRIVE:PATH', () => {
  it('splits at the first colon, keeps the path as written, and maps an empty path to the root', () => {
    expect(parseDriveRef('a-data:/samples', 'SRC')).toEqual({ driveId: 'a-data', path: '/samples' });
    expect(parseDriveRef('a-data:', 'SRC')).toEqual({ driveId: 'a-data', path: '/' });
    expect(parseDriveRef('a-data:x:y', 'SRC')).toEqual({ driveId: 'a-data', path: 'x:y' });
    expect(parseDriveRef('a-data:../../etc', 'SRC')).toEqual({ driveId: 'a-data', path: '../../etc' });
    expect(() => parseDriveRef('no-colon', 'SRC')).toThrow(expect.objectContaining({ code: 'BAD_ARGUMENT' }));
    expect(() => parseDriveRef(':/x', 'SRC')).toThrow(expect.objectContaining({ code: 'BAD_ARGUMENT' }));
  });
});

describe('config and key files', () => {
  it('keygen writes 0600, refuses to overwrite without force, and loads the same key', async () => {
    const env = { FERRY_CONFIG_DIR: tmp() };
    const { file, key } = await createKey(false, env);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    await expect(createKey(false, env)).rejects.toMatchObject({ code: 'KEY_EXISTS' });
    expect(await loadKey(env)).toEqual(key);
    const replaced = await createKey(true, env);
    expect(replaced.key.publicKey).not.toBe(key.publicKey);
  });

  it('a missing or broken key says what to do', async () => {
    const env = { FERRY_CONFIG_DIR: tmp() };
    await expect(loadKey(env)).rejects.toMatchObject({ code: 'NO_KEY', hint: expect.stringContaining('ferry keygen') });
    fs.writeFileSync(path.join(env.FERRY_CONFIG_DIR, 'key.json'), '{"secretKey":"short"}');
    await expect(loadKey(env)).rejects.toMatchObject({ code: 'KEY_INVALID' });
  });

  it('environment variables win over config.json, which is written 0600', async () => {
    const dir = tmp();
    const file = await saveConfig({ url: 'http://127.0.0.1:1', token: 'file-token' }, { FERRY_CONFIG_DIR: dir });
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(await loadConfig({ FERRY_CONFIG_DIR: dir })).toEqual({ url: 'http://127.0.0.1:1', token: 'file-token' });
    expect(await loadConfig({ FERRY_CONFIG_DIR: dir, FERRY_TOKEN: 'env-token' })).toEqual({ url: 'http://127.0.0.1:1', token: 'env-token' });
    await expect(loadConfig({ FERRY_CONFIG_DIR: tmp() })).rejects.toMatchObject({ code: 'NOT_CONFIGURED' });
  });
});

describe('figures and progress lines', () => {
  it('formats bytes and durations', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(200 * 1024 * 1024)).toBe('200.0 MiB');
    expect(formatBytes(null)).toBe('?');
    expect(formatDuration(75)).toBe('1:15');
    expect(formatDuration(3725)).toBe('1:02:05');
    expect(formatDuration(null)).toBe('--:--');
  });

  it('shows bytes, files, rate and ETA of a running task, and the error of a failed one', () => {
    const t: TaskView = {
      id: '0123456789abcdef',
      kind: 'transfer',
      state: 'RUNNING',
      label: null,
      mechanism: 'sftp',
      sourceProviderId: 'provider-a',
      destinationProviderId: 'provider-b',
      sourceLabel: 'a-data:/samples',
      destinationLabel: 'b-inbox:/',
      progress: { bytesDone: 50 * 1024 * 1024, bytesTotal: 100 * 1024 * 1024, filesDone: 3, filesTotal: 7, rate: 10 * 1024 * 1024, eta: 5, message: null },
      operations: ['pause', 'cancel'],
      error: null,
      createdAt: '2026-01-01T00:00:00Z',
      updatedAt: '2026-01-01T00:00:00Z',
      finishedAt: null,
    };
    const line = progressLine(t);
    expect(line).toContain('[############------------]');
    expect(line).toContain('50.0%');
    expect(line).toContain('50.0 MiB/100.0 MiB');
    expect(line).toContain('3/7 files');
    expect(line).toContain('10.0 MiB/s');
    expect(line).toContain('ETA 0:05');
    const failed = progressLine({ ...t, state: 'FAILED', error: { code: 'PEER_UNREACHABLE', message: 'B is gone' } });
    expect(failed).toContain('PEER_UNREACHABLE: B is gone');
  });
});

describe('runCli', () => {
  function ctx(env: NodeJS.ProcessEnv): { ctx: CliContext; out: () => string; err: () => string } {
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    let o = '';
    let e = '';
    stdout.on('data', (d) => (o += d));
    stderr.on('data', (d) => (e += d));
    return {
      ctx: {
        env,
        stdout: stdout as unknown as NodeJS.WriteStream,
        stderr: stderr as unknown as NodeJS.WriteStream,
        client: () => Promise.reject(new Error('no core in this test')),
        key: () => loadKey(env),
        pollMs: 10,
        exitCode: 0,
      },
      out: () => o,
      err: () => e,
    };
  }

  it('prints errors as code, message and hint, and as JSON with --json', async () => {
    const env = { FERRY_CONFIG_DIR: tmp() };
    const a = ctx(env);
    expect(await runCli(['transfer', 'a-data:/x', 'b-inbox:/'], a.ctx)).toBe(1);
    expect(a.err()).toMatch(/^error NO_KEY: no researcher key at .*\nhint: run `ferry keygen` first\n$/);
    const b = ctx(env);
    expect(await runCli(['keygen', '--json'], b.ctx)).toBe(0);
    const c = ctx(env);
    expect(await runCli(['keygen', '--json'], c.ctx)).toBe(1);
    expect(JSON.parse(c.out()).error.code).toBe('KEY_EXISTS');
  });

  it('usage errors exit 2 and --help exits 0', async () => {
    const a = ctx({});
    expect(await runCli(['transfer', 'only-one-arg:/'], a.ctx)).toBe(2);
    expect(a.err()).toMatch(/missing required argument 'dst'/);
    const b = ctx({});
    expect(await runCli(['--help'], b.ctx)).toBe(0);
    expect(b.out()).toMatch(/Usage: ferry/);
  });
});
