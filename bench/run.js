#!/usr/bin/env node
'use strict';
/**
 * ferry's benchmark: ferry against OpenSSH scp/sftp, rsync and ssh -L on this machine, same data,
 * alternating runs. See docs/performance.md.
 *
 *   npm run bench                    full run (several minutes; needs root for the sshd fixture)
 *   npm run bench -- --quick         about a minute, small sizes, every scenario (CI runs this)
 *   options: --json (one JSON document on stdout), --only=sftp-file,negotiation, --rounds=N,
 *            --out=FILE, --no-build
 *
 * It builds what the processes it starts need (tsc -b, incremental), then runs bench/src/main.ts.
 */
const { execFileSync } = require('node:child_process');
const path = require('node:path');

const ROOT = path.join(__dirname, '..');
const argv = process.argv.slice(2);
const flag = (name) => argv.includes(`--${name}`);
const value = (name) => argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const known = ['quick', 'json', 'no-build', 'only', 'rounds', 'out'];
for (const a of argv) {
  const name = a.replace(/^--/, '').split('=')[0];
  if (!a.startsWith('--') || !known.includes(name)) {
    console.error(`unknown argument ${a}; known: ${known.map((k) => '--' + k).join(' ')}`);
    process.exit(2);
  }
}

if (!flag('no-build')) {
  const packages = ['apps/core', 'apps/provider', 'plugins/sftp', 'plugins/rsync', 'plugins/stream-tunnel', 'plugins/globus'];
  process.stderr.write(`building ${packages.join(', ')} (tsc -b)\n`);
  try {
    execFileSync(process.execPath, [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-b', ...packages], { cwd: ROOT, stdio: ['ignore', 2, 2] });
  } catch {
    console.error('the build failed (see above); fix it or pass --no-build to run the existing dist/');
    process.exit(1);
  }
}

require('./lib/ts-register');
const { main } = require('./src/main.ts');
main({
  quick: flag('quick'),
  json: flag('json'),
  only: value('only')?.split(','),
  rounds: value('rounds') ? Number(value('rounds')) : undefined,
  out: value('out'),
}).then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
