#!/usr/bin/env node
'use strict';
/**
 * Prints a results file of `npm run bench` as the markdown that docs/performance.md shows:
 * the machine, the summary table, and every scenario's table.
 *   node bench/report.js [bench/results/<date>.json]   (default: the newest full run)
 */
const fs = require('node:fs');
const path = require('node:path');
require('./lib/ts-register');
const { formatScenario, summaryTable } = require('./src/format.util.ts');

const dir = path.join(__dirname, 'results');
const file =
  process.argv[2] ??
  fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.json') && !f.includes('quick') && !f.includes('partial'))
    .sort()
    .map((f) => path.join(dir, f))
    .pop();
if (!file) {
  console.error('no full results in bench/results yet: run npm run bench');
  process.exit(1);
}
const doc = JSON.parse(fs.readFileSync(file, 'utf8'));
const m = doc.machine;
const out = [];
out.push(`Run of ${doc.date} (${doc.rounds} counted rounds per scenario, ${Math.round(doc.seconds / 60)} min), \`${path.relative(path.join(__dirname, '..'), file)}\`.`);
out.push('');
out.push(`Machine: ${m.cores} × ${m.cpu} (AES instructions: ${m.aesInstructions ? 'yes' : 'no'}), ${m.memoryGiB} GiB, Linux ${m.kernel}, node ${m.node}, ${m.openssh}, ${m.rsync}; load average at the start ${m.loadAverageAtStart.join(' / ')} (other sessions share the machine).`);
out.push('', '#### Summary', '', summaryTable(doc.scenarios), '');
for (const s of doc.scenarios) out.push(formatScenario(s).replace(/^### /, '#### '), '');
process.stdout.write(out.join('\n') + '\n');
