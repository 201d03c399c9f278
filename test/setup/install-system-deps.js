#!/usr/bin/env node
// Installs the real parts the test suite runs against (OpenSSH server, rsync, Chromium, PostgreSQL)
// with apt-get when they are missing and we are root. Idempotent and quiet when all is present.
const { execSync, spawnSync } = require('node:child_process');
const fs = require('node:fs');

const needs = [
  { pkg: 'openssh-server', present: () => fs.existsSync('/usr/sbin/sshd') },
  { pkg: 'openssh-client', present: () => has('ssh') },
  { pkg: 'rsync', present: () => has('rsync') },
  { pkg: 'chromium', present: () => fs.existsSync('/usr/bin/chromium') },
  { pkg: 'postgresql', present: () => !!findPgBin() },
  { pkg: 'procps', present: () => has('ps') },
];

function has(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}
function findPgBin() {
  const base = '/usr/lib/postgresql';
  if (!fs.existsSync(base)) return null;
  const v = fs.readdirSync(base).filter((d) => fs.existsSync(`${base}/${d}/bin/initdb`)).sort((a, b) => Number(b) - Number(a))[0];
  return v ? `${base}/${v}/bin` : null;
}

const missing = needs.filter((n) => !n.present()).map((n) => n.pkg);
if (missing.length === 0) process.exit(0);
if (typeof process.getuid === 'function' && process.getuid() !== 0) {
  console.error(`[setup] missing system packages: ${missing.join(' ')}; install them (apt-get install ${missing.join(' ')}) or run as root`);
  process.exit(1);
}
console.log(`[setup] installing ${missing.join(' ')} with apt-get`);
const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
execSync('apt-get update -qq', { stdio: 'inherit', env });
execSync(`apt-get install -y -qq --no-install-recommends ${missing.join(' ')}`, { stdio: 'inherit', env });
module.exports = { findPgBin };
