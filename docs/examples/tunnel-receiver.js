#!/usr/bin/env node
'use strict';
/**
 * Analysis-service side of the tunnel walk-through (docs/tunnels.md): a plain TCP server that
 * receives length-prefixed frames (see tunnel-sender.js), hashes them, and answers one summary line
 * when the sender has finished. It never learns it is behind a tunnel. No dependencies.
 *
 *   node tunnel-receiver.js [--host=127.0.0.1] [--port=5600]
 */
const crypto = require('node:crypto');
const net = require('node:net');

const opt = (name, d) => process.argv.slice(2).find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? d;
const host = opt('host', '127.0.0.1');
const port = Number(opt('port', 5600));

const server = net.createServer({ allowHalfOpen: true }, (socket) => {
  const hash = crypto.createHash('sha256');
  let pending = Buffer.alloc(0);
  let need = -1; // bytes left in the current frame, -1 = reading a header
  let frames = 0;
  let bytes = 0;
  socket.on('data', (chunk) => {
    pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
    for (;;) {
      if (need < 0) {
        if (pending.length < 4) break;
        need = pending.readUInt32BE(0);
        pending = pending.subarray(4);
        if (need === 0) return finish();
      }
      const take = Math.min(need, pending.length);
      if (take === 0) break;
      hash.update(pending.subarray(0, take));
      bytes += take;
      need -= take;
      pending = pending.subarray(take);
      if (need === 0) (frames++, (need = -1));
    }
  });
  const finish = () => {
    const line = `frames ${frames} bytes ${bytes} sha256 ${hash.digest('hex')}`;
    console.log(`received ${line} from ${socket.remoteAddress}:${socket.remotePort}`);
    socket.end(line + '\n');
  };
  socket.on('error', (e) => console.error(`connection error: ${e.message}`));
});
server.listen(port, host, () => console.log(`analysis service listening on ${host}:${port}`));
