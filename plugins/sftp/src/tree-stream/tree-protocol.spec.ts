import { FrameParser, FrameReader, FrameType, FrameWriter, badRecordPath } from './tree-protocol';

describe('tree stream frames', () => {
  const frame = (rel: string, data: string) => {
    const p = Buffer.from(rel);
    const w = new FrameWriter(FrameType.FILE, 2 + p.length + 4 + 4 + 4 + 6 + data.length).path(p).u32(0o644).u32(1).u32(2).u48(data.length);
    Buffer.from(data).copy(w.reserve(data.length));
    return w.done();
  };

  it('reassembles frames split at every byte boundary and several frames in one chunk', () => {
    const bytes = Buffer.concat([frame('a/b.txt', 'hello'), frame('c.txt', ''), frame('ü/数据', 'x'.repeat(300))]);
    for (let cut = 1; cut < bytes.length; cut += 7) {
      const parser = new FrameParser(1024);
      const frames = [...parser.push(bytes.subarray(0, cut)), ...parser.push(bytes.subarray(cut))];
      expect(frames.map((f) => new FrameReader(f.payload).path())).toEqual(['a/b.txt', 'c.txt', 'ü/数据']);
      expect(parser.pendingBytes).toBe(0);
    }
  });

  it('reads back what it wrote, including sizes above 4 GiB', () => {
    const r = new FrameReader(new FrameWriter(FrameType.STATES, 1 + 6 + 4).u8(3).u48(5 * 2 ** 32 + 7).u32(1_700_000_000).done().subarray(5));
    expect([r.u8(), r.u48(), r.u32()]).toEqual([3, 5 * 2 ** 32 + 7, 1_700_000_000]);
    expect(() => r.u8()).toThrow('truncated frame');
  });

  it('refuses a header announcing more than the limit before the payload arrives', () => {
    const head = Buffer.from([FrameType.FILE, 0, 0, 4, 1]);
    expect(() => new FrameParser(1024).push(head)).toThrow('exceeds the limit');
  });

  it('accepts only normalized relative paths', () => {
    for (const ok of ['a', 'a/b', 'a b/ü.txt', '.hidden', 'x..y', 'a\\b']) expect(badRecordPath(ok)).toBeNull();
    for (const bad of ['', '/a', 'a/', 'a//b', './a', 'a/./b', '..', 'a/..', '../a', 'a\0b', 'x'.repeat(256), 'a/'.repeat(2100) + 'b']) {
      expect(badRecordPath(bad)).not.toBeNull();
    }
  });
});
