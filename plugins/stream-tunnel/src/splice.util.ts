import type { Socket } from 'node:net';

export interface SpliceResult {
  /** bytes read from `a` and written to `b` */
  aToB: number;
  bToA: number;
  /** why the pair ended: 'closed' (both sides finished normally) or the first error's message */
  reason: string;
}

export interface SpliceHooks {
  /** called for every chunk, for live byte counters */
  onBytes?(direction: 'aToB' | 'bToA', n: number): void;
  /** close both when neither side moves a byte for this long (0 = never) */
  idleTimeoutMs?: number;
}

/**
 * Join two sockets both ways.
 *
 * One 'data' handler per direction counts the chunk and writes it on (Readable.pipe costs a few
 * more calls per chunk, which shows in small request/response traffic).
 * Backpressure: when the destination's write() returns false the source is paused, and resumed on
 * the destination's 'drain', so each hop holds at most about one highWaterMark of data; a slow
 * reader at one end slows the writer at the other end instead of growing a buffer.
 * Half-close: both sockets are created with allowHalfOpen, so a FIN from one side becomes end() on
 * the other while the opposite direction keeps flowing.
 * Errors: an error or abrupt close on either side destroys the other, so nothing dangles.
 */
export function splice(a: Socket, b: Socket, hooks: SpliceHooks = {}): Promise<SpliceResult> {
  return new Promise((resolve) => {
    const result: SpliceResult = { aToB: 0, bToA: 0, reason: 'closed' };
    if (a.destroyed || b.destroyed) {
      a.destroy();
      b.destroy();
      return resolve({ ...result, reason: 'closed before joining' });
    }
    let failed = false;
    let closed = 0;

    const forward = (from: Socket, to: Socket, direction: 'aToB' | 'bToA') => {
      const onBytes = hooks.onBytes;
      from.on('data', (chunk: Buffer) => {
        result[direction] += chunk.length;
        onBytes?.(direction, chunk.length);
        if (!to.write(chunk)) from.pause();
      });
      to.on('drain', () => from.resume());
      from.once('end', () => to.end());
      // a handshake reader may have left `from` paused, and a 'data' listener alone does not resume it
      from.resume();
    };

    const fail = (why: string) => {
      if (!failed && result.reason === 'closed') result.reason = why;
      failed = true;
      a.destroy();
      b.destroy();
    };
    const watch = (s: Socket, label: string) => {
      let readEnded = s.readableEnded;
      s.once('end', () => (readEnded = true));
      s.on('error', (e: NodeJS.ErrnoException) => fail(`${label}: ${e.code ?? e.message}`));
      s.once('close', () => {
        // closed without having finished both ways (reset, destroy): take the other side down too
        if (!readEnded || !s.writableFinished) fail(`${label} closed early`);
        if (++closed === 2) resolve(result);
      });
    };
    watch(a, 'local side');
    watch(b, 'remote side');

    if (hooks.idleTimeoutMs) {
      // socket timeouts count activity in both directions on that socket
      a.setTimeout(hooks.idleTimeoutMs, () => fail('idle timeout'));
    }
    forward(a, b, 'aToB');
    forward(b, a, 'bToA');
  });
}
