import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { SCENARIOS } from '../../bench/src/main';

/**
 * Keeps the benchmark working: `node bench/run.js --quick --json` (small sizes, one counted round)
 * must run every scenario against the real tools and print figures. Nothing here looks at how fast
 * anything was: speed is the benchmark's business (docs/performance.md), never a test's.
 * Needs root (the OpenSSH sshd fixture) like the other suites that use it.
 */
const ROOT = path.join(__dirname, '..', '..');

interface Figures {
  median: number;
  min: number;
  max: number;
}
interface BenchDoc {
  quick: boolean;
  machine: Record<string, unknown>;
  scenarios: Array<{
    id: string;
    unit: string;
    contenders: Array<{ name: string; ferry: boolean; values: number[]; value: Figures }>;
    targets: Array<{ what: string; actual: number; met: boolean }>;
  }>;
}

function runQuick(): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'bench/run.js'), '--quick', '--json', '--out=' + path.join(ROOT, 'test-artifacts/bench-quick.json')], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

it('runs every scenario and reports numeric figures for ferry and each reference', async () => {
  const { code, stdout, stderr } = await runQuick();
  if (code !== 0) throw new Error(`bench/run.js --quick exited with ${code}:\n${stderr.slice(-12000)}`);
  const doc = JSON.parse(stdout.trim().split('\n').pop()!) as BenchDoc;
  expect(doc.quick).toBe(true);
  expect(typeof doc.machine.cpu).toBe('string');
  expect(doc.scenarios.map((s) => s.id)).toEqual(SCENARIOS.map((s) => s.id));
  for (const s of doc.scenarios) {
    expect(s.contenders.some((c) => c.ferry)).toBe(true);
    for (const c of s.contenders) {
      expect(c.values.length).toBeGreaterThan(0);
      for (const v of [...c.values, c.value.median, c.value.min, c.value.max]) {
        if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`${s.id} / ${c.name}: figure ${v} is not a number`);
      }
    }
    expect(s.targets.length).toBeGreaterThan(0);
    for (const t of s.targets) {
      if (typeof t.actual !== 'number' || !Number.isFinite(t.actual)) throw new Error(`${s.id}: target ${t.what} has no figure (${t.actual})`);
      expect(typeof t.met).toBe('boolean');
    }
  }
  // the human-readable table went to stderr
  expect(stderr).toContain('== summary ==');
}, 15 * 60_000);
