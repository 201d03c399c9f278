import * as net from 'node:net';

export interface RawRequest {
  method: string;
  /** path and query exactly as sent on the request line (the caller encodes) */
  target: string;
  headers: Array<[string, string]>;
  body: Buffer;
}

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * One HTTP/1.1 request written byte for byte on a fresh connection: fetch and http.request refuse
 * (or fix up) the odd paths, header values and bodies a fuzz needs to send. The answer's status
 * line, headers and body are read until the server closes; an event stream (which never ends) is
 * cut after its headers and a moment of body.
 */
export function rawRequest(port: number, req: RawRequest, timeoutMs = 15_000): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const head =
      `${req.method} ${req.target} HTTP/1.1\r\nhost: 127.0.0.1:${port}\r\nconnection: close\r\n` +
      req.headers.map(([k, v]) => `${k}: ${v}\r\n`).join('') +
      `content-length: ${req.body.length}\r\n\r\n`;
    const socket = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let settled = false;
    let streamTimer: NodeJS.Timeout | null = null;
    const finish = (err?: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (streamTimer) clearTimeout(streamTimer);
      socket.destroy();
      const parsed = parse(Buffer.concat(chunks));
      if (parsed) resolve(parsed);
      else reject(err ?? new Error(`no HTTP answer to ${req.method} ${req.target.slice(0, 200)}`));
    };
    const timer = setTimeout(() => finish(new Error(`no answer in ${timeoutMs} ms to ${req.method} ${req.target.slice(0, 200)}`)), timeoutMs);
    socket.on('data', (d) => {
      chunks.push(d);
      const soFar = parse(Buffer.concat(chunks));
      if (soFar && /text\/event-stream/.test(soFar.headers['content-type'] ?? '') && !streamTimer) {
        streamTimer = setTimeout(() => finish(), 200);
      }
    });
    socket.on('end', () => finish());
    socket.on('close', () => finish());
    // the server may answer and close before reading a large body: that is an answer, not an error
    socket.on('error', (e) => finish(e));
    socket.write(Buffer.concat([Buffer.from(head, 'latin1'), req.body]));
  });
}

function parse(raw: Buffer): RawResponse | null {
  const end = raw.indexOf('\r\n\r\n');
  if (end < 0) return null;
  const lines = raw.subarray(0, end).toString('latin1').split('\r\n');
  const m = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0]);
  if (!m) return null;
  const headers: Record<string, string> = {};
  for (const l of lines.slice(1)) {
    const i = l.indexOf(':');
    if (i > 0) headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
  }
  let body = raw.subarray(end + 4);
  if (/chunked/i.test(headers['transfer-encoding'] ?? '')) body = dechunk(body);
  return { status: Number(m[1]), headers, body: body.toString('utf8') };
}

function dechunk(b: Buffer): Buffer {
  const out: Buffer[] = [];
  let i = 0;
  while (i < b.length) {
    const eol = b.indexOf('\r\n', i);
    if (eol < 0) break;
    const size = parseInt(b.subarray(i, eol).toString('latin1'), 16);
    if (!size) break;
    out.push(b.subarray(eol + 2, eol + 2 + size));
    i = eol + 2 + size + 2;
  }
  return Buffer.concat(out);
}

/** The routes a Nest app mapped, from its start-up log ("Mapped {/path/:id, POST} route"). */
export function mappedRoutes(log: string): Array<{ method: string; path: string }> {
  const seen = new Map<string, { method: string; path: string }>();
  for (const m of log.matchAll(/Mapped \{([^,}]+), (\w+)\} route/g)) seen.set(`${m[2]} ${m[1]}`, { method: m[2], path: m[1] });
  return [...seen.values()];
}
