import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FileSecretStore, encodeSecretName } from './file-secret-store';

describe('FileSecretStore', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ferry-secrets-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('keeps one 0600 file per secret in a 0700 folder', async () => {
    const store = new FileSecretStore(path.join(dir, 'sftp'));
    await store.put('t1/grant', 'token-1');
    expect(await store.get('t1/grant')).toBe('token-1');
    expect(fs.statSync(path.join(dir, 'sftp')).mode & 0o777).toBe(0o700);
    const [file] = fs.readdirSync(path.join(dir, 'sftp'));
    expect(file).toBe('t1%2Fgrant');
    expect(fs.statSync(path.join(dir, 'sftp', file)).mode & 0o777).toBe(0o600);
  });

  it('never lets a name leave its folder, and lists names as given', async () => {
    const store = new FileSecretStore(path.join(dir, 'p'));
    for (const name of ['../escape', '..', '.', '/etc/passwd', 'a b/ü']) await store.put(name, name);
    expect(fs.readdirSync(dir)).toEqual(['p']);
    expect(await store.list('')).toEqual(['.', '..', '../escape', '/etc/passwd', 'a b/ü'].sort());
    expect(await store.list('..')).toEqual(['..', '../escape']);
    expect(encodeSecretName('../x')).toBe('%2E%2E%2Fx');
  });

  it('deletes, and reports absence as undefined', async () => {
    const store = new FileSecretStore(path.join(dir, 'p'));
    expect(await store.get('nope')).toBeUndefined();
    expect(await store.list('')).toEqual([]);
    await store.put('k', 'v');
    await store.delete('k');
    await store.delete('k');
    expect(await store.get('k')).toBeUndefined();
    await expect(store.put('', 'v')).rejects.toThrow('secret names');
  });
});
