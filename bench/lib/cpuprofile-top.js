#!/usr/bin/env node
'use strict';
/**
 * Prints where a V8 .cpuprofile (node --cpu-prof) spends its time: self time per function and
 * per file (package), highest first. Used for the profiling notes in docs/performance.md.
 *   node bench/lib/cpuprofile-top.js FILE.cpuprofile [N] [--busiest=SECONDS]
 * --busiest counts only the busiest window of that length (e.g. the transfer, not the start-up);
 * --skip=SECONDS leaves out the first seconds (start-up).
 */
const fs = require('node:fs');
const args = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const opt = (name) => Number((process.argv.find((a) => a.startsWith(`--${name}=`)) || '').split('=')[1] || 0);
const busiest = opt('busiest');
const skip = opt('skip');
const file = args[0];
const top = Number(args[1] || 30);
const prof = JSON.parse(fs.readFileSync(file, 'utf8'));
const byId = new Map(prof.nodes.map((n) => [n.id, n]));
const self = new Map();
const dt = prof.timeDeltas;
const idleIds = new Set(prof.nodes.filter((n) => n.callFrame.functionName === '(idle)').map((n) => n.id));
let from = 0;
let to = prof.samples.length;
if (busiest > 0) {
  // two pointers over sample times: the window of `busiest` seconds with the most non-idle time
  const t = [];
  let acc = 0;
  for (let i = 0; i < dt.length; i++) t.push((acc += dt[i]));
  let best = -1;
  let busy = 0;
  for (let i = 0, j = 0; j < t.length; j++) {
    if (!idleIds.has(prof.samples[j])) busy += dt[j];
    while (t[j] - t[i] > busiest * 1e6) {
      if (!idleIds.has(prof.samples[i])) busy -= dt[i];
      i++;
    }
    if (busy > best) [best, from, to] = [busy, i, j + 1];
  }
}
if (skip > 0) {
  let acc = 0;
  while (from < to && acc < skip * 1e6) acc += dt[from++];
}
for (let i = from; i < to; i++) self.set(prof.samples[i], (self.get(prof.samples[i]) || 0) + (dt[i] || 0));
const total = [...self.values()].reduce((a, b) => a + b, 0);
const fn = new Map();
const pkg = new Map();
for (const [id, us] of self) {
  const n = byId.get(id);
  const cf = n.callFrame;
  const where = cf.url.replace(/^file:\/\//, '').replace(/.*node_modules\//, 'nm:').replace(/.*\/work\/main\//, '');
  const key = `${cf.functionName || '(anon)'}  ${where}:${cf.lineNumber + 1}`;
  fn.set(key, (fn.get(key) || 0) + us);
  const p = where.startsWith('nm:') ? where.split('/').slice(0, where.startsWith('nm:@') ? 2 : 1).join('/') : where.split('/').slice(0, 3).join('/') || cf.functionName;
  pkg.set(p, (pkg.get(p) || 0) + us);
}
const show = (m, n) => [...m].sort((a, b) => b[1] - a[1]).slice(0, n).map(([k, us]) => `${((us / total) * 100).toFixed(1).padStart(5)}%  ${(us / 1000).toFixed(0).padStart(7)} ms  ${k}`).join('\n');
console.log(`total ${(total / 1000).toFixed(0)} ms sampled\n\nby file/package:\n${show(pkg, 15)}\n\nby function (self):\n${show(fn, top)}`);
