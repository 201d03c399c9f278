import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FileSecretStore } from './file-secret.store';

describe('FileSecretStore', () => {
  it('keeps one 0600 file per secret in a 0700 folder, and lists and deletes them', async () => {
    const base = await fs.mkdtemp(path.join(os.tmpdir(), 'secrets-'));
    const store = new FileSecretStore(path.join(base, 'secrets'));
    await store.put('sftp.t1.ssh-key', 'private key text');
    await store.put('sftp.t1.peer', '{"grantToken":"x"}');
    await store.put('other/name with spaces', 'v');
    expect((await fs.stat(store.dir)).mode & 0o777).toBe(0o700);
    for (const f of await fs.readdir(store.dir)) expect((await fs.stat(path.join(store.dir, f))).mode & 0o777).toBe(0o600);
    expect(await store.get('sftp.t1.ssh-key')).toBe('private key text');
    expect(await store.list('sftp.t1.')).toEqual(['sftp.t1.peer', 'sftp.t1.ssh-key']);
    await store.delete('sftp.t1.peer');
    await store.delete('never-there');
    expect(await store.get('sftp.t1.peer')).toBeUndefined();
    expect(await store.snapshot()).toEqual({ 'other/name with spaces': 'v', 'sftp.t1.ssh-key': 'private key text' });
    expect(store.storedValues()).toContain('{"grantToken":"x"}');
    await fs.rm(base, { recursive: true, force: true });
  });
});
