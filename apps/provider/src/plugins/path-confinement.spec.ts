import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { DriveConfig } from '../config/gateway-config';
import { confinePath } from './path-confinement.util';

describe('confinePath', () => {
  let base: string;
  let drive: DriveConfig;

  beforeAll(() => {
    base = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'ferry-confine-')));
    const root = path.join(base, 'root');
    fs.mkdirSync(path.join(root, 'dir'), { recursive: true });
    fs.writeFileSync(path.join(root, 'dir', 'f.txt'), 'x');
    fs.mkdirSync(path.join(base, 'outside'));
    fs.symlinkSync(path.join(base, 'outside'), path.join(root, 'out'));
    fs.symlinkSync('../outside/none', path.join(root, 'dangling-out'));
    fs.symlinkSync('dir/f.txt', path.join(root, 'in'));
    fs.symlinkSync('loop2', path.join(root, 'loop1'));
    fs.symlinkSync('loop1', path.join(root, 'loop2'));
    drive = { id: 'd', root, local: true, plugin: null, attributes: {} };
  });
  afterAll(() => fs.rmSync(base, { recursive: true, force: true }));

  it('resolves clean paths inside the drive and says what is there', async () => {
    expect(await confinePath(drive, '')).toEqual({ relative: '', localPath: drive.root, kind: 'dir' });
    expect(await confinePath(drive, '/dir/./f.txt')).toEqual({ relative: 'dir/f.txt', localPath: path.join(drive.root, 'dir', 'f.txt'), kind: 'file' });
    expect(await confinePath(drive, 'in')).toMatchObject({ relative: 'in', kind: 'file' });
    expect(await confinePath(drive, 'dir/new/deeper')).toMatchObject({ kind: null });
  });

  it.each([
    ['..', "may not contain '..'"],
    ['dir/../../x', "may not contain '..'"],
    ['out', 'symbolic link'],
    ['out/anything/below', 'symbolic link'],
    ['dangling-out', 'symbolic link'],
    ['loop1', 'symbolic links'],
    ['a\\b', 'backslash'],
  ])('refuses %s', async (p, why) => {
    await expect(confinePath(drive, p)).rejects.toMatchObject({ code: 'BAD_PATH', message: expect.stringContaining(why) });
  });

  it('does not touch the filesystem for drives served by a plugin', async () => {
    expect(await confinePath({ ...drive, local: false, root: '' }, 'x/y')).toEqual({ relative: 'x/y', localPath: '', kind: null });
  });
});
