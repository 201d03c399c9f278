import type { Duplex } from 'node:stream';

/**
 * Read one '\n'-terminated line from a stream that will later be piped raw. The bytes after the
 * newline (an application may send data in the same packet as its LAN secret, or a peer right
 * after its handshake answer) are pushed back with unshift, so nothing is lost or duplicated.
 * Leaves the stream paused. Rejects if the stream ends, errors, or the line exceeds maxBytes.
 */
export function readLine(stream: Duplex, maxBytes: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let size = 0;
    const cleanup = () => {
      stream.removeListener('data', onData);
      stream.removeListener('end', onEnd);
      stream.removeListener('error', onError);
      stream.removeListener('close', onEnd);
    };
    const onData = (chunk: Buffer) => {
      const nl = chunk.indexOf(0x0a);
      if (nl < 0) {
        parts.push(chunk);
        size += chunk.length;
        if (size > maxBytes) {
          cleanup();
          stream.pause();
          reject(new Error(`line longer than ${maxBytes} bytes`));
        }
        return;
      }
      cleanup();
      stream.pause();
      const rest = chunk.subarray(nl + 1);
      if (rest.length) stream.unshift(rest);
      parts.push(chunk.subarray(0, nl));
      if (size + nl > maxBytes) return reject(new Error(`line longer than ${maxBytes} bytes`));
      resolve(Buffer.concat(parts).toString('utf8').replace(/\r$/, ''));
    };
    const onEnd = () => {
      cleanup();
      reject(new Error('connection closed before a complete line'));
    };
    const onError = (e: Error) => {
      cleanup();
      reject(e);
    };
    stream.on('data', onData);
    stream.once('end', onEnd);
    stream.once('close', onEnd);
    stream.once('error', onError);
    stream.resume();
  });
}

/** Parse a JSON handshake line into an object, or throw. */
export function parseJsonLine(line: string): Record<string, unknown> {
  const v: unknown = JSON.parse(line);
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new Error('handshake line is not a JSON object');
  return v as Record<string, unknown>;
}
