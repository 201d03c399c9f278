import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { PGlite, PGliteOptions } from '@electric-sql/pglite';
import { prepareDataDir } from './pglite-template.util';

/** Stands in for PGlite.create: "initdb" writes PG_VERSION and a marker into the data folder. */
function fakeCreate(calls: string[]) {
  return async (o: PGliteOptions) => {
    calls.push(o.dataDir!);
    fs.mkdirSync(o.dataDir!, { recursive: true });
    fs.writeFileSync(path.join(o.dataDir!, 'PG_VERSION'), '17\n');
    fs.writeFileSync(path.join(o.dataDir!, 'made-by'), String(calls.length));
    return { close: async () => undefined } as unknown as PGlite;
  };
}

describe('prepareDataDir (PGlite initdb template)', () => {
  let root: string;
  beforeEach(() => (root = fs.mkdtempSync(path.join(os.tmpdir(), 'ferry-pglite-tpl-'))));
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it('runs initdb once for the template and copies it into every new data folder', async () => {
    const calls: string[] = [];
    await prepareDataDir(path.join(root, 'a', 'pglite'), fakeCreate(calls), '1.0', root);
    await prepareDataDir(path.join(root, 'b', 'pglite'), fakeCreate(calls), '1.0', root);
    expect(calls).toHaveLength(1);
    for (const site of ['a', 'b']) expect(fs.readFileSync(path.join(root, site, 'pglite', 'made-by'), 'utf8')).toBe('1');
    const template = fs.readdirSync(root).find((n) => n.startsWith('ferry-pglite-template-1.0-'))!;
    expect(fs.statSync(path.join(root, template)).mode & 0o777).toBe(0o700);
    expect(fs.readdirSync(root).filter((n) => n.includes('.tmp-') || n.includes('.copying-'))).toEqual([]);
  });

  it('leaves an existing data folder alone', async () => {
    const dir = path.join(root, 'site', 'pglite');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'PG_VERSION'), '17\n');
    fs.writeFileSync(path.join(dir, 'mine'), 'x');
    const calls: string[] = [];
    await prepareDataDir(dir, fakeCreate(calls), '1.0', root);
    expect(calls).toEqual([]);
    expect(fs.readdirSync(dir).sort()).toEqual(['PG_VERSION', 'mine']);
  });

  it('ignores a template others could have written (group/world-writable) and makes its own', async () => {
    const uid = process.getuid?.() ?? 0;
    const planted = path.join(root, `ferry-pglite-template-1.0-${uid}`);
    fs.mkdirSync(planted);
    fs.writeFileSync(path.join(planted, 'PG_VERSION'), '17\n');
    fs.writeFileSync(path.join(planted, 'planted'), 'x');
    fs.chmodSync(planted, 0o777);
    const calls: string[] = [];
    const dir = path.join(root, 'site', 'pglite');
    await prepareDataDir(dir, fakeCreate(calls), '1.0', root);
    expect(fs.existsSync(path.join(dir, 'planted'))).toBe(false);
    // the planted folder could not be replaced, so PGlite is left to run initdb in the data folder
    expect(fs.existsSync(dir)).toBe(false);
  });
});
