import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { Client, ClientChannel } from 'ssh2';
import { readGrant } from '../src/destination/grant';
import type { EmbeddedBackend } from '../src/destination/embedded.backend';
import { FRAME_HEADER, FrameParser, FrameReader, FrameType, FrameWriter, MAX_FRAME_PAYLOAD, TREE_SUBSYSTEM, type Frame } from '../src/tree-stream/tree-protocol';
import { destinationPlugin, liveGrant, startPair, type LiveGrant, type Pair } from './grant-fixture.util';
import { rawConnect } from './raw-client.util';

/** A raw ferry-tree@1 channel: frames out, frames in, and whether the server closed it. */
class RawStream {
  readonly frames: Frame[] = [];
  closed = false;
  private readonly parser = new FrameParser(MAX_FRAME_PAYLOAD * 2);
  private waiters: Array<() => void> = [];

  constructor(readonly channel: ClientChannel) {
    channel.on('data', (d: Buffer) => {
      this.frames.push(...this.parser.push(d));
      this.wake();
    });
    channel.on('close', () => {
      this.closed = true;
      this.wake();
    });
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  send(buf: Buffer): void {
    this.channel.write(buf);
  }

  /** the next frame, or null when the channel closed without one */
  async next(): Promise<Frame | null> {
    for (;;) {
      const f = this.frames.shift();
      if (f) return f;
      if (this.closed) return null;
      await new Promise<void>((r) => this.waiters.push(r));
    }
  }

  /** the ERROR frame the server answers with, after which it must close the channel */
  async refusal(): Promise<{ code: string; message: string }> {
    for (;;) {
      const f = await this.next();
      if (!f) throw new Error('the channel closed without an ERROR frame');
      if (f.type !== FrameType.ERROR) continue;
      const r = new FrameReader(f.payload);
      const out = { code: r.str(), message: r.str() };
      await this.closedNow();
      return out;
    }
  }

  async closedNow(): Promise<void> {
    while (!this.closed) await new Promise<void>((r) => this.waiters.push(r));
  }
}

function openStream(client: Client): Promise<RawStream> {
  return new Promise((resolve, reject) => client.subsys(TREE_SUBSYSTEM, (err, ch) => (err ? reject(err) : resolve(new RawStream(ch)))));
}

/** a FILE frame for any path string, normalized or not (what a malicious source could send) */
function fileFrame(rel: string, data: Buffer | string, mtime = 1_600_000_000): Buffer {
  const p = Buffer.from(rel, 'utf8');
  const d = Buffer.isBuffer(data) ? data : Buffer.from(data);
  const w = new FrameWriter(FrameType.FILE, 2 + p.length + 4 + 4 + 4 + 6 + d.length).path(p).u32(0o644).u32(mtime).u32(mtime).u48(d.length);
  d.copy(w.reserve(d.length));
  return w.done();
}

function dirsFrame(rels: string[]): Buffer {
  const enc = rels.map((r) => Buffer.from(r, 'utf8'));
  const w = new FrameWriter(FrameType.DIRS, 4 + enc.reduce((n, e) => n + 2 + e.length + 4, 0)).u32(rels.length);
  for (const e of enc) w.path(e).u32(0o755);
  return w.done();
}

function queryFrame(rels: string[]): Buffer {
  const enc = rels.map((r) => Buffer.from(r, 'utf8'));
  const w = new FrameWriter(FrameType.QUERY, 4 + enc.reduce((n, e) => n + 2 + e.length, 0)).u32(rels.length);
  for (const e of enc) w.path(e);
  return w.done();
}

function timesFrame(rel: string): Buffer {
  const p = Buffer.from(rel);
  return new FrameWriter(FrameType.TIMES, 4 + 2 + p.length + 8).u32(1).path(p).u32(1).u32(1).done();
}

// A source holding a valid grant speaks the tree stream by hand and tries to leave its folder.
describe('sftp tree stream: security', () => {
  let pair: Pair;
  let grant: LiveGrant;
  let jailDir: string;
  let outside: string;
  const clients: Client[] = [];

  beforeAll(async () => {
    pair = await startPair();
    grant = await liveGrant(pair);
    jailDir = grant.t.destination.localPath;
    outside = path.join(pair.destination.driveRoot, 'outside');
    await fs.mkdir(outside, { recursive: true });
    await fs.writeFile(path.join(outside, 'secret.txt'), 'do not touch\n');
    await fs.symlink(outside, path.join(jailDir, 'link-dir'));
    await fs.symlink(path.join(outside, 'secret.txt'), path.join(jailDir, 'link-file'));
    // a link planted under the name the part file of 'bait' will have
    await fs.symlink(path.join(outside, 'secret.txt'), path.join(jailDir, 'bait.ferry-part'));
  });

  afterAll(async () => {
    for (const c of clients) c.end();
    await pair?.stop();
  });

  const connect = async (g: LiveGrant = grant): Promise<RawStream> => {
    const client = await rawConnect(g.login);
    clients.push(client);
    return openStream(client);
  };

  const outsideUntouched = async () => {
    expect((await fs.readdir(outside)).sort()).toEqual(['secret.txt']);
    expect(await fs.readFile(path.join(outside, 'secret.txt'), 'utf8')).toBe('do not touch\n');
    expect(await fs.readdir(path.dirname(pair.destination.driveRoot))).not.toContain('escaped.txt');
  };

  it('writes a file inside the folder and acknowledges it (the control case)', async () => {
    const s = await connect();
    s.send(fileFrame('inside.txt', 'hello'));
    const f = await s.next();
    expect(f?.type).toBe(FrameType.ACK);
    expect(f?.payload.readUInt32BE(0)).toBe(1);
    expect(await fs.readFile(path.join(jailDir, 'inside.txt'), 'utf8')).toBe('hello');
    expect((await fs.stat(path.join(jailDir, 'inside.txt'))).mtimeMs).toBe(1_600_000_000_000);
    await expect(fs.access(path.join(jailDir, 'inside.txt.ferry-part'))).rejects.toThrow();
    s.channel.end();
  });

  it.each([
    ['a parent reference', '../escaped.txt'],
    ['a parent reference inside the path', 'sub/../../escaped.txt'],
    ['a harmless-looking parent reference', 'sub/../inside-again.txt'],
    ['an absolute path', '/etc/escaped.txt'],
    ['a dot segment', './escaped.txt'],
    ['an empty segment', 'a//escaped.txt'],
    ['a NUL byte', 'escaped.txt\0.jpg'],
    ['an empty path', ''],
    ['a segment over 255 bytes', 'x'.repeat(256)],
  ])('refuses a FILE with %s, writing nothing', async (_what, rel) => {
    const s = await connect();
    const before = (await fs.readdir(jailDir)).sort();
    s.send(fileFrame(rel, 'pwned'));
    expect(await s.refusal()).toMatchObject({ code: 'BAD_PATH' });
    expect((await fs.readdir(jailDir)).sort()).toEqual(before);
    await outsideUntouched();
  });

  it('refuses to write through a symlinked folder', async () => {
    const s = await connect();
    s.send(fileFrame('link-dir/escaped.txt', 'pwned'));
    expect(await s.refusal()).toMatchObject({ code: 'BAD_PATH', message: expect.stringContaining('symlinks') });
    await outsideUntouched();
  });

  it('refuses to write through a link planted under the part file name', async () => {
    const s = await connect();
    s.send(fileFrame('bait', 'pwned'));
    expect(await s.refusal()).toMatchObject({ code: 'BAD_PATH' });
    await outsideUntouched();
    expect((await fs.lstat(path.join(jailDir, 'bait.ferry-part'))).isSymbolicLink()).toBe(true);
  });

  it('replaces a link at the final name with the file, never writing through it', async () => {
    const s = await connect();
    s.send(fileFrame('link-file', 'replaced'));
    expect((await s.next())?.type).toBe(FrameType.ACK);
    expect((await fs.lstat(path.join(jailDir, 'link-file'))).isFile()).toBe(true);
    expect(await fs.readFile(path.join(jailDir, 'link-file'), 'utf8')).toBe('replaced');
    await outsideUntouched();
    s.channel.end();
  });

  it('refuses folders, queries and folder times through a symlink', async () => {
    for (const frame of [dirsFrame(['link-dir/new']), queryFrame(['link-dir/secret.txt']), timesFrame('link-dir')]) {
      const s = await connect();
      s.send(frame);
      expect(await s.refusal()).toMatchObject({ code: 'BAD_PATH' });
    }
    await outsideUntouched();
    expect((await fs.lstat(path.join(jailDir, 'link-dir'))).isSymbolicLink()).toBe(true);
  });

  it('refuses a frame header that announces more than the limit, before buffering it', async () => {
    const s = await connect();
    const head = Buffer.alloc(FRAME_HEADER);
    head.writeUInt8(FrameType.FILE, 0);
    head.writeUInt32BE(0xffffffff, 1);
    s.send(head);
    expect(await s.refusal()).toMatchObject({ code: 'PROTOCOL_ERROR', message: expect.stringContaining('exceeds the limit') });
  });

  it('refuses a path length beyond its frame, an entry count beyond its frame, trailing bytes and unknown types', async () => {
    const lying = Buffer.from(fileFrame('ok.txt', 'data'));
    lying.writeUInt16BE(0xfff0, FRAME_HEADER); // the path claims more bytes than the frame has
    const count = new FrameWriter(FrameType.QUERY, 4).u32(1_000_000).done();
    const trailing = new FrameWriter(FrameType.TIMES, 5).u32(0).u8(7).done();
    const unknown = new FrameWriter(0x42 as FrameType, 0).done();
    for (const frame of [lying, count, trailing, unknown]) {
      const s = await connect();
      s.send(frame);
      expect(await s.refusal()).toMatchObject({ code: 'PROTOCOL_ERROR' });
    }
    await expect(fs.access(path.join(jailDir, 'ok.txt'))).rejects.toThrow();
  });

  it('refuses a folder where a file stands, and a file where a folder stands (its part file is removed at cancel)', async () => {
    const g = await liveGrant(pair);
    const dir = g.t.destination.localPath;
    await fs.writeFile(path.join(dir, 'plain'), 'x');
    await fs.mkdir(path.join(dir, 'folder'));
    let s = await connect(g);
    s.send(dirsFrame(['plain']));
    expect(await s.refusal()).toMatchObject({ code: 'REMOTE_ERROR', message: expect.stringContaining('not a folder') });
    s = await connect(g);
    s.send(fileFrame('folder', 'data'));
    expect(await s.refusal()).toMatchObject({ code: 'REMOTE_ERROR' });
    expect((await fs.stat(path.join(dir, 'folder'))).isDirectory()).toBe(true);
    expect(await fs.readFile(path.join(dir, 'folder.ferry-part'), 'utf8')).toBe('data');
    await g.t.destinationPlugin.cancel(g.t.destination);
    await expect(fs.access(path.join(dir, 'folder.ferry-part'))).rejects.toThrow();
    expect(await fs.readFile(path.join(dir, 'plain'), 'utf8')).toBe('x');
  });

  it('answers the quick check: final size and mtime, part file size, nothing for missing names', async () => {
    const g = await liveGrant(pair);
    const dir = g.t.destination.localPath;
    await fs.mkdir(path.join(dir, 'q'));
    await fs.writeFile(path.join(dir, 'q', 'done.bin'), 'abcdef');
    await fs.utimes(path.join(dir, 'q', 'done.bin'), 1_500_000_000, 1_500_000_000);
    await fs.writeFile(path.join(dir, 'q', 'half.bin.ferry-part'), 'abc');
    const s = await connect(g);
    s.send(queryFrame(['q/done.bin', 'q/half.bin', 'q/none.bin', 'nofolder/x.bin']));
    const f = await s.next();
    expect(f?.type).toBe(FrameType.STATES);
    const r = new FrameReader(f!.payload);
    const states = Array.from({ length: r.u32() }, () => ({ flags: r.u8(), size: r.u48(), mtime: r.u32(), part: r.u48() }));
    expect(states).toEqual([
      { flags: 1, size: 6, mtime: 1_500_000_000, part: 0 },
      { flags: 2, size: 0, mtime: 0, part: 3 },
      { flags: 0, size: 0, mtime: 0, part: 0 },
      { flags: 0, size: 0, mtime: 0, part: 0 },
    ]);
    s.channel.end();
    await g.t.destinationPlugin.cancel(g.t.destination);
  });

  it('ends the stream when the grant is revoked, and writes nothing after', async () => {
    const g = await liveGrant(pair);
    const s = await connect(g);
    s.send(fileFrame('before.txt', 'one'));
    expect((await s.next())?.type).toBe(FrameType.ACK);
    await g.t.destinationPlugin.cancel(g.t.destination);
    await s.closedNow();
    expect(s.closed).toBe(true);
    try {
      s.send(fileFrame('after.txt', 'two'));
    } catch {
      // the channel is gone: that is the point
    }
    await new Promise((r) => setTimeout(r, 200));
    await expect(fs.access(path.join(g.t.destination.localPath, 'after.txt'))).rejects.toThrow();
  });

  it('refuses the next frame once the grant has expired, and closes the stream', async () => {
    const g = await liveGrant(pair);
    const s = await connect(g);
    pair.destination.parts.clock.advance(8 * 24 * 3600 * 1000);
    try {
      s.send(fileFrame('late.txt', 'too late'));
      expect(await s.refusal()).toMatchObject({ code: 'PERMISSION_DENIED', message: expect.stringContaining('no longer valid') });
      await expect(fs.access(path.join(g.t.destination.localPath, 'late.txt'))).rejects.toThrow();
    } finally {
      pair.destination.parts.clock.advance(-8 * 24 * 3600 * 1000);
    }
    await g.t.finalize('expired');
  });

  it('counts what it wrote for the grant (resume tests rely on it)', async () => {
    const g = await liveGrant(pair);
    const s = await connect(g);
    s.send(Buffer.concat([fileFrame('a.bin', Buffer.alloc(1000, 1)), fileFrame('b.bin', Buffer.alloc(234, 2))]));
    let acked = 0;
    while (acked < 2) {
      const f = await s.next();
      expect(f?.type).toBe(FrameType.ACK);
      acked += f!.payload.readUInt32BE(0);
    }
    expect((destinationPlugin(pair).backend as EmbeddedBackend).bytesWritten(readGrant(g.t.destination.state)!)).toBe(1234);
    s.channel.end();
    await g.t.destinationPlugin.cancel(g.t.destination);
  });
});
