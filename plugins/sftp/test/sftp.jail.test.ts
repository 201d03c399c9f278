import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { Client, SFTPWrapper } from 'ssh2';
import { liveGrant, startPair, type LiveGrant, type Pair } from './grant-fixture.util';
import { ok, openSftp, outcome, rawConnect } from './raw-client.util';

// A source holding a valid grant tries to leave its folder with a plain SFTP client.
describe('sftp embedded server: path jail', () => {
  let pair: Pair;
  let grant: LiveGrant;
  let client: Client;
  let sftp: SFTPWrapper;
  let jailDir: string;
  let outside: string;

  beforeAll(async () => {
    pair = await startPair();
    grant = await liveGrant(pair);
    jailDir = grant.t.destination.localPath;
    // a folder next to the granted one, and a secret file in it, that the grant must never reach
    outside = path.join(pair.destination.driveRoot, 'outside');
    await fs.mkdir(outside, { recursive: true });
    await fs.writeFile(path.join(outside, 'secret.txt'), 'do not read\n');
    // links planted in the granted folder (by a local user, or an earlier transfer) pointing out
    await fs.symlink(outside, path.join(jailDir, 'link-dir'));
    await fs.symlink(path.join(outside, 'secret.txt'), path.join(jailDir, 'link-file'));
    client = await rawConnect(grant.login);
    sftp = await openSftp(client);
  });

  afterAll(async () => {
    client?.end();
    await pair?.stop();
  });

  const outsideUntouched = async () => {
    expect((await fs.readdir(outside)).sort()).toEqual(['secret.txt']);
    expect(await fs.readFile(path.join(outside, 'secret.txt'), 'utf8')).toBe('do not read\n');
    expect(await fs.readdir(path.dirname(pair.destination.driveRoot))).not.toContain('escaped.txt');
  };

  it('works inside the folder (the control case)', async () => {
    const h = await ok<Buffer>((cb) => sftp.open('/inside.txt', 'w', cb));
    await ok((cb) => sftp.write(h, Buffer.from('hi'), 0, 2, 0, cb));
    await ok((cb) => sftp.close(h, cb));
    expect(await fs.readFile(path.join(jailDir, 'inside.txt'), 'utf8')).toBe('hi');
    expect(await ok<string>((cb) => sftp.realpath('.', cb))).toBe('/');
  });

  it("refuses '..' escapes", async () => {
    expect(await outcome((cb) => sftp.stat('..', cb))).not.toBeNull();
    expect(await outcome((cb) => sftp.stat('../outside/secret.txt', cb))).not.toBeNull();
    expect(await outcome((cb) => sftp.open('../outside/secret.txt', 'r', cb))).not.toBeNull();
    expect(await outcome((cb) => sftp.open('/../escaped.txt', 'w', cb))).not.toBeNull();
    expect(await outcome((cb) => sftp.open('sub/../../escaped.txt', 'w', cb))).not.toBeNull();
    expect(await outcome((cb) => sftp.mkdir('../../escaped.txt', cb))).not.toBeNull();
    expect(await outcome((cb) => sftp.readdir('..', cb))).not.toBeNull();
    expect(await outcome((cb) => sftp.realpath('..', cb))).not.toBeNull();
    await outsideUntouched();
  });

  it('treats absolute paths as inside the folder, so host paths do not exist', async () => {
    expect(await outcome((cb) => sftp.open('/etc/passwd', 'r', cb))).not.toBeNull();
    expect(await outcome((cb) => sftp.stat(path.join(outside, 'secret.txt'), cb))).not.toBeNull();
    expect(await outcome((cb) => sftp.open(path.join(outside, 'escaped.txt'), 'w', cb))).not.toBeNull();
    expect(await outcome((cb) => sftp.unlink(path.join(outside, 'secret.txt'), cb))).not.toBeNull();
    await outsideUntouched();
  });

  it('never follows a symlink out of the folder', async () => {
    expect(await outcome((cb) => sftp.open('/link-dir/escaped.txt', 'w', cb))).not.toBeNull();
    expect(await outcome((cb) => sftp.open('/link-file', 'w', cb))).not.toBeNull();
    expect(await outcome((cb) => sftp.open('/link-file', 'r', cb))).not.toBeNull();
    expect(await outcome((cb) => sftp.stat('/link-dir/secret.txt', cb))).not.toBeNull();
    expect(await outcome((cb) => sftp.stat('/link-file', cb))).not.toBeNull();
    expect(await outcome((cb) => sftp.readdir('/link-dir', cb))).not.toBeNull();
    expect(await outcome((cb) => sftp.mkdir('/link-dir/new', cb))).not.toBeNull();
    expect(await outcome((cb) => sftp.setstat('/link-file', { mode: 0o777 }, cb))).not.toBeNull();
    expect(await outcome((cb) => sftp.readlink('/link-file', cb))).not.toBeNull();
    // lstat describes the link itself, never its target
    const st = await ok<{ isSymbolicLink(): boolean }>((cb) => sftp.lstat('/link-file', cb));
    expect(st.isSymbolicLink()).toBe(true);
    expect((await fs.stat(path.join(outside, 'secret.txt'))).mode & 0o777).not.toBe(0o777);
    await outsideUntouched();
  });

  it('refuses to create symlinks', async () => {
    expect(await outcome((cb) => sftp.symlink(outside, '/made-link', cb))).not.toBeNull();
    expect(await outcome((cb) => sftp.symlink('/etc/passwd', '/made-link2', cb))).not.toBeNull();
    await expect(fs.lstat(path.join(jailDir, 'made-link'))).rejects.toThrow();
    await expect(fs.lstat(path.join(jailDir, 'made-link2'))).rejects.toThrow();
  });

  it('refuses to rename out of the folder, or through a link', async () => {
    const h = await ok<Buffer>((cb) => sftp.open('/move-me.txt', 'w', cb));
    await ok((cb) => sftp.close(h, cb));
    expect(await outcome((cb) => sftp.rename('/move-me.txt', '../escaped.txt', cb))).not.toBeNull();
    expect(await outcome((cb) => sftp.rename('/move-me.txt', '/../../escaped.txt', cb))).not.toBeNull();
    expect(await outcome((cb) => sftp.rename('/move-me.txt', '/link-dir/escaped.txt', cb))).not.toBeNull();
    expect(await outcome((cb) => sftp.rename('/link-dir/secret.txt', '/stolen.txt', cb))).not.toBeNull();
    expect(await outcome((cb) => sftp.rename('../outside/secret.txt', '/stolen.txt', cb))).not.toBeNull();
    await expect(fs.access(path.join(jailDir, 'move-me.txt'))).resolves.toBeUndefined();
    await expect(fs.access(path.join(jailDir, 'stolen.txt'))).rejects.toThrow();
    await outsideUntouched();
  });

  it('reads back partial files, lists folders, and removes what it created', async () => {
    const data = Buffer.alloc(100 * 1024, 9);
    const w = await ok<Buffer>((cb) => sftp.open('/piece.bin.ferry-part', 'w', cb));
    await ok((cb) => sftp.write(w, data, 0, data.length, 0, cb));
    await ok((cb) => sftp.close(w, cb));
    const r = await ok<Buffer>((cb) => sftp.open('/piece.bin.ferry-part', 'r', cb));
    const back = Buffer.alloc(data.length);
    let got = 0;
    while (got < data.length) {
      const n = await new Promise<number>((resolve, reject) =>
        sftp.read(r, back, got, data.length - got, got, (err, bytes) => (err ? reject(err) : resolve(bytes))),
      );
      got += n;
    }
    await ok((cb) => sftp.close(r, cb));
    expect(back.equals(data)).toBe(true);
    await ok((cb) => sftp.mkdir('/made', cb));
    const names = (await ok<Array<{ filename: string }>>((cb) => sftp.readdir('/', cb))).map((e) => e.filename);
    expect(names).toEqual(expect.arrayContaining(['piece.bin.ferry-part', 'made', 'link-dir']));
    await ok((cb) => sftp.unlink('/piece.bin.ferry-part', cb));
    await ok((cb) => sftp.rmdir('/made', cb));
    await expect(fs.access(path.join(jailDir, 'made'))).rejects.toThrow();
  });

  it('gives write access, not read access, to files that were already there', async () => {
    await fs.writeFile(path.join(jailDir, 'existing.txt'), 'private to the destination\n');
    expect(await outcome((cb) => sftp.open('/existing.txt', 'r', cb))).not.toBeNull();
    expect(await outcome((cb) => sftp.open('/existing.txt', 'r+', cb))).not.toBeNull();
  });
});
