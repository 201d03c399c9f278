/** ssh2's own channel window (lib/Channel.js MAX_WINDOW); it tops up to this when half is used */
export const SSH2_DEFAULT_WINDOW = 2 * 1024 * 1024;
/** SSH window sizes are uint32 */
export const MAX_CHANNEL_WINDOW = 0xffff_ffff;

/** The fields of an ssh2 SFTP channel (server side) that window handling reads; not typed by ssh2. */
interface ChannelInternals {
  incoming?: { window: number; state?: string };
  outgoing?: { id: number; state?: string };
  _protocol?: { channelWindowAdjust(chan: number, amount: number): void };
}

/**
 * Keeps an SFTP channel's incoming window near `size` bytes instead of ssh2's fixed 2 MiB.
 *
 * ssh2 offers 2 MiB and gives back 1 MiB once half of it is used, so a sender can be at most
 * 2 MiB ahead of what this end has parsed, and stops whenever the window adjust is held up behind
 * this process's other work (decrypting, writing to disk, a busy event loop shared with the
 * source on the same cores). The uploader keeps requestsInFlight × chunkSize bytes of WRITE
 * requests in flight (16 MiB by default), so with a 2 MiB window most of that pipeline waited on
 * window adjusts. Calling the returned function after each request (cheap: one comparison) tops
 * the window up to `size` once it falls below half. Memory is not bound by the window here:
 * ssh2 parses whatever arrives; the sender's requestsInFlight bounds it.
 *
 * Returns a no-op when ssh2's internals are not where this expects them (ssh2 upgraded): the
 * channel then simply keeps ssh2's own window.
 */
export function windowKeeper(channel: unknown, size: number): () => void {
  const ch = channel as ChannelInternals;
  const target = Math.min(Math.max(size, SSH2_DEFAULT_WINDOW), MAX_CHANNEL_WINDOW);
  if (
    target <= SSH2_DEFAULT_WINDOW ||
    typeof ch?.incoming?.window !== 'number' ||
    typeof ch.outgoing?.id !== 'number' ||
    typeof ch._protocol?.channelWindowAdjust !== 'function'
  ) {
    return () => undefined;
  }
  const incoming = ch.incoming;
  const outgoing = ch.outgoing;
  const protocol = ch._protocol;
  const low = target / 2;
  const topUp = () => {
    if (incoming.window >= low || outgoing.state === 'closed' || incoming.state === 'closed') return;
    const amount = target - incoming.window;
    incoming.window = target;
    protocol.channelWindowAdjust(outgoing.id, amount);
  };
  topUp();
  return topUp;
}
