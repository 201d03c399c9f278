#!/usr/bin/env node
'use strict';
/**
 * Instrument side of the tunnel walk-through (docs/tunnels.md): streams frames to a TCP address,
 * here the tunnel's listen address at site A, as a plain TCP client. No dependencies.
 *
 *   node tunnel-sender.js HOST:PORT [--frames=100] [--frame-bytes=1048576] [--lan-secret=SECRET]
 *
 * Each frame: 4-byte big-endian length, then the bytes. Ends with a zero-length frame, half-closes
 * its side and waits for the receiver's one-line summary ("frames N bytes B sha256 H"), which it
 * compares with its own.
 */
const crypto = require('node:crypto');
const net = require('node:net');

const [addr, ...rest] = process.argv.slice(2);
const opt = (name, d) => rest.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? d;
if (!addr || !/^.+:\d+$/.test(addr)) {
  console.error('usage: node tunnel-sender.js HOST:PORT [--frames=100] [--frame-bytes=1048576] [--lan-secret=SECRET]');
  process.exit(2);
}
const host = addr.slice(0, addr.lastIndexOf(':')).replace(/^\[|\]$/g, '');
const port = Number(addr.slice(addr.lastIndexOf(':') + 1));
const frames = Number(opt('frames', 100));
const frameBytes = Number(opt('frame-bytes', 1024 * 1024));
const lanSecret = opt('lan-secret', null);

const socket = net.connect({ host, port, allowHalfOpen: true }, async () => {
  const hash = crypto.createHash('sha256');
  const started = Date.now();
  if (lanSecret) socket.write(`${lanSecret}\n`); // only when the access point asks for one
  for (let i = 0; i < frames; i++) {
    const frame = crypto.randomBytes(frameBytes); // stands in for a detector image
    hash.update(frame);
    const header = Buffer.alloc(4);
    header.writeUInt32BE(frame.length);
    socket.write(header);
    // respect backpressure: wait when the socket's buffer is full
    if (!socket.write(frame)) await new Promise((r) => socket.once('drain', r));
  }
  socket.end(Buffer.alloc(4)); // zero-length frame, then FIN: "no more frames"
  const mine = `frames ${frames} bytes ${frames * frameBytes} sha256 ${hash.digest('hex')}`;
  let reply = '';
  socket.on('data', (d) => (reply += d));
  socket.on('end', () => {
    const secs = (Date.now() - started) / 1000;
    console.log(`sent     ${mine}`);
    console.log(`receiver ${reply.trim()}`);
    console.log(`${((frames * frameBytes) / 1048576 / secs).toFixed(1)} MiB/s`);
    process.exit(reply.trim() === mine ? 0 : 1);
  });
});
socket.on('error', (e) => {
  console.error(`cannot stream to ${addr}: ${e.message}`);
  process.exit(1);
});
