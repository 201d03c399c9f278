import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { AuthorizedKeysManager } from './authorized-keys.manager';
import { generateEd25519KeyPair } from './ssh-key.util';

/**
 * File behaviour of the manager, with ownership 'self' (no account needed). Ownership 'root' and
 * sshd actually reading the files are covered by test/authorized-keys.sshd.test.ts.
 */
describe('AuthorizedKeysManager (files)', () => {
  let dir: string;
  let now: Date;
  let m: AuthorizedKeysManager;
  // with ownership 'self' the account is only a file name: it need not exist
  const me = 'ferryspec';
  const key = () => generateEd25519KeyPair().publicKey;
  const inMinutes = (n: number) => new Date(now.getTime() + n * 60_000);

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ferry-ak-'));
    now = new Date('2030-06-01T12:00:00Z');
    m = new AuthorizedKeysManager({ dir, ownership: 'self', clock: { now: () => now } });
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const file = () => path.join(dir, me);
  const read = () => fs.readFileSync(file(), 'utf8');

  it('adds one line per transfer, 0600, idempotently', async () => {
    const k = key();
    await m.add({ account: me, transferId: 't1', publicKey: k, command: 'true', expiresAt: inMinutes(10) });
    await m.add({ account: me, transferId: 't1', publicKey: k, command: 'true', expiresAt: inMinutes(10) });
    await m.add({ account: me, transferId: 't2', publicKey: key(), command: 'true', expiresAt: inMinutes(20) });
    expect(read().trim().split('\n')).toHaveLength(2);
    expect(fs.statSync(file()).mode & 0o777).toBe(0o600);
    expect((await m.list(me)).map((k) => k.transferId)).toEqual(['t1', 't2']);
  });

  it('removes by transfer id, keeps foreign lines byte for byte, deletes an empty file', async () => {
    const foreign = `# operator's own key\n${key()} alice@laptop`;
    fs.writeFileSync(file(), foreign + '\n', { mode: 0o600 });
    await m.add({ account: me, transferId: 't1', publicKey: key(), command: 'true', expiresAt: inMinutes(10) });
    expect(read()).toContain('ferry:t1:');
    expect((await m.remove('t1')).map((k) => k.transferId)).toEqual(['t1']);
    expect(read()).toBe(foreign + '\n');
    expect(await m.remove('t1')).toEqual([]); // idempotent
    fs.rmSync(file());
    await m.add({ account: me, transferId: 't3', publicKey: key(), command: 'true', expiresAt: inMinutes(10) });
    await m.remove('t3', me);
    expect(fs.existsSync(file())).toBe(false);
  });

  it('sweeps exactly the keys whose expiry has passed', async () => {
    await m.add({ account: me, transferId: 'soon', publicKey: key(), command: 'true', expiresAt: inMinutes(1) });
    await m.add({ account: me, transferId: 'later', publicKey: key(), command: 'true', expiresAt: inMinutes(60) });
    fs.writeFileSync(path.join(dir, 'other'), `restrict,expiry-time="20000101000000Z",command="true" ${key()} ferry:old:2000-01-01T00:00:00.000Z\n`);
    expect((await m.sweep()).map((k) => k.transferId)).toEqual(['old']);
    now = inMinutes(2);
    expect((await m.sweep()).map((k) => k.transferId)).toEqual(['soon']);
    expect((await m.list()).map((k) => k.transferId)).toEqual(['later']);
    expect(fs.existsSync(path.join(dir, 'other'))).toBe(false);
  });

  it('refuses keys that are already expired, root, and unsafe account names', async () => {
    await expect(m.add({ account: me, transferId: 't', publicKey: key(), command: 'true', expiresAt: inMinutes(-1) })).rejects.toThrow(/expired/);
    await expect(m.add({ account: 'root', transferId: 't', publicKey: key(), command: 'true', expiresAt: inMinutes(1) })).rejects.toThrow(/root/);
    for (const bad of ['../etc/passwd', '.hidden', 'a/b', '-x', '']) {
      await expect(m.add({ account: bad, transferId: 't', publicKey: key(), command: 'true', expiresAt: inMinutes(1) })).rejects.toThrow(/account name/);
    }
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('loses no update when many transfers add and remove at once (and leaves no temp or lock files)', async () => {
    const ids = Array.from({ length: 40 }, (_, i) => `c${i}`);
    await Promise.all(ids.map((id) => m.add({ account: me, transferId: id, publicKey: key(), command: 'true', expiresAt: inMinutes(5) })));
    expect((await m.list(me)).map((k) => k.transferId).sort()).toEqual([...ids].sort());
    // a second manager on the same folder stands for another process: the lock file serializes them
    const other = new AuthorizedKeysManager({ dir, ownership: 'self', clock: { now: () => now } });
    await Promise.all(ids.map((id, i) => (i % 2 ? m : other).remove(id)));
    expect(await m.list()).toEqual([]);
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('takes over a lock file left by a crashed writer', async () => {
    const lock = path.join(dir, `.${me}.lock`);
    fs.writeFileSync(lock, '99999999');
    const old = new Date(Date.now() - 120_000);
    fs.utimesSync(lock, old, old);
    await m.add({ account: me, transferId: 't1', publicKey: key(), command: 'true', expiresAt: inMinutes(5) });
    expect(fs.existsSync(lock)).toBe(false);
  });

  it('reports what StrictModes would refuse on the way to the folder', async () => {
    // os.tmpdir() is world-writable (1777): exactly what sshd refuses
    const problems = await m.checkDirectory();
    expect(problems.some((p) => p.includes(os.tmpdir()) && /writable by group or others/.test(p))).toBe(true);
  });

  it('writes root-owned, account-group-readable files when running as root', async () => {
    if (process.getuid?.() !== 0) return; // covered by the sshd suite, which runs as root
    const rootM = new AuthorizedKeysManager({ dir, clock: { now: () => now } });
    await rootM.add({ account: 'nobody', transferId: 't1', publicKey: key(), command: 'true', expiresAt: inMinutes(5) });
    const st = fs.statSync(path.join(dir, 'nobody'));
    const nogroup = Number(execFileSync('id', ['-g', 'nobody'], { encoding: 'utf8' }).trim());
    expect({ uid: st.uid, gid: st.gid, mode: st.mode & 0o777 }).toEqual({ uid: 0, gid: nogroup, mode: 0o640 });
  });
});
