'use strict';
/**
 * A deliberately small multiplexer, built only to measure the alternative to one TLS leg per
 * application connection (docs/tunnels.md, "Leg choice"). One TLS connection between the gateways
 * carries every application connection as a stream, yamux-style:
 *
 *   frame = type u8 | stream u32 | length u32 | payload
 *   OPEN (B connects to the target), DATA, WINDOW (credit returned by the receiver), FIN, RST
 *
 * Flow control is per stream with a fixed receive window (256 KiB by default, yamux's default):
 * the receiver returns credit only after the bytes were handed to its local socket, so a slow
 * reader cannot make the other side buffer more than one window per stream.
 * Not used by the plugin; no authentication (the real leg's challenge would run once per session).
 */
const net = require('node:net');
const tls = require('node:tls');

const OPEN = 0, DATA = 1, WINDOW = 2, FIN = 3, RST = 4;
const HEADER = 9;
const MAX_FRAME = 64 * 1024;

function frame(type, id, payloadOrLen) {
  const isLen = typeof payloadOrLen === 'number';
  const h = Buffer.allocUnsafe(HEADER);
  h.writeUInt8(type, 0);
  h.writeUInt32BE(id, 1);
  h.writeUInt32BE(isLen ? payloadOrLen : payloadOrLen ? payloadOrLen.length : 0, 5);
  return isLen || !payloadOrLen ? h : Buffer.concat([h, payloadOrLen]);
}

class MuxSession {
  constructor(conn, onOpen, windowBytes) {
    this.conn = conn;
    this.onOpen = onOpen; // (id) => net.Socket, listener side only
    this.window = windowBytes;
    this.streams = new Map();
    this.buf = Buffer.alloc(0);
    conn.on('data', (d) => this.onData(d));
    conn.on('error', () => this.closeAll());
    conn.on('close', () => this.closeAll());
  }

  /** Attach a local socket as stream `id`; `open` sends OPEN first (initiator side). */
  attach(id, sock, open) {
    const st = { sock, credit: this.window, queue: [], finSent: false };
    this.streams.set(id, st);
    if (open) this.conn.write(frame(OPEN, id));
    sock.on('data', (chunk) => {
      st.queue.push(chunk);
      this.flush(id, st);
    });
    sock.on('end', () => {
      st.finPending = true;
      this.flush(id, st);
    });
    sock.on('error', () => undefined);
    sock.on('close', () => {
      if (this.streams.get(id) === st && !st.finSent) this.conn.write(frame(RST, id));
      this.streams.delete(id);
    });
  }

  flush(id, st) {
    while (st.queue.length && st.credit > 0) {
      let chunk = st.queue[0];
      const n = Math.min(chunk.length, st.credit, MAX_FRAME);
      if (n < chunk.length) st.queue[0] = chunk.subarray(n);
      else st.queue.shift();
      chunk = chunk.subarray(0, n);
      st.credit -= n;
      if (!this.conn.write(frame(DATA, id, chunk))) {
        st.sock.pause();
        this.conn.once('drain', () => st.credit > 0 && st.sock.resume());
      }
    }
    if (st.queue.length) st.sock.pause(); // out of credit: wait for WINDOW
    if (st.finPending && !st.queue.length && !st.finSent) {
      st.finSent = true;
      this.conn.write(frame(FIN, id));
    }
  }

  onData(d) {
    this.buf = this.buf.length ? Buffer.concat([this.buf, d]) : d;
    while (this.buf.length >= HEADER) {
      const type = this.buf.readUInt8(0);
      const id = this.buf.readUInt32BE(1);
      const len = this.buf.readUInt32BE(5);
      const hasPayload = type === DATA;
      if (hasPayload && this.buf.length < HEADER + len) break;
      const payload = hasPayload ? this.buf.subarray(HEADER, HEADER + len) : null;
      this.buf = this.buf.subarray(HEADER + (hasPayload ? len : 0));
      this.onFrame(type, id, len, payload);
    }
  }

  onFrame(type, id, len, payload) {
    if (type === OPEN) return this.attach(id, this.onOpen(id), false);
    const st = this.streams.get(id);
    if (!st) return;
    if (type === DATA) {
      // credit goes back once the local socket has taken the bytes
      st.sock.write(payload, () => this.conn.write(frame(WINDOW, id, payload.length)));
    } else if (type === WINDOW) {
      st.credit += len;
      this.flush(id, st);
      if (!st.queue.length) st.sock.resume();
    } else if (type === FIN) st.sock.end();
    else if (type === RST) st.sock.destroy();
  }

  closeAll() {
    for (const st of this.streams.values()) st.sock.destroy();
    this.streams.clear();
  }
}

/** Start a muxed tunnel: returns the initiator's local port. One TLS connection is made up front. */
async function startMuxTunnel({ cert, key, target, windowBytes = 256 * 1024, wanMs = 0, delayProxy = null }) {
  const servers = [];
  const listener = tls.createServer({ cert, key, minVersion: 'TLSv1.3', noDelay: true }, (conn) => {
    new MuxSession(conn, () => net.connect({ host: '127.0.0.1', port: target, allowHalfOpen: true, noDelay: true }), windowBytes);
  });
  await new Promise((r) => listener.listen(0, '127.0.0.1', r));
  servers.push(listener);
  // optionally through the bench's WAN stand-in (a delay proxy in front of the listener)
  const proxy = wanMs && delayProxy ? await delayProxy(listener.address().port, wanMs) : null;
  if (proxy) servers.push({ close: proxy.close });
  const conn = tls.connect({ host: '127.0.0.1', port: proxy ? proxy.port : listener.address().port, rejectUnauthorized: false });
  conn.setNoDelay(true);
  await new Promise((r) => conn.once('secureConnect', r));
  const session = new MuxSession(conn, null, windowBytes);
  let next = 1;
  const local = net.createServer({ allowHalfOpen: true, noDelay: true }, (sock) => session.attach(next++, sock, true));
  await new Promise((r) => local.listen(0, '127.0.0.1', r));
  servers.push(local);
  return {
    port: local.address().port,
    close: () => {
      conn.destroy();
      session.closeAll();
      for (const s of servers) s.close();
    },
  };
}

module.exports = { startMuxTunnel };
