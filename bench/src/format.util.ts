import type { ScenarioResult } from './measure';

const fmt = (x: number, digits = 1) => (Number.isFinite(x) ? (Math.abs(x) >= 100 ? x.toFixed(0) : x.toFixed(digits)) : 'n/a');

/** The results as markdown tables (printed, and pasted into docs/performance.md). */
export function formatScenario(s: ScenarioResult): string {
  const lines: string[] = [];
  lines.push(`### ${s.title}`, '');
  lines.push(`| tool | median ${s.unit} | min | max | wall s (median) | CPU s (median) | runs |`);
  lines.push('|---|---:|---:|---:|---:|---:|---:|');
  for (const c of s.contenders) {
    lines.push(
      `| ${c.ferry ? '**' + c.name + '**' : c.name} | ${fmt(c.value.median, 2)} | ${fmt(c.value.min, 2)} | ${fmt(c.value.max, 2)} | ${fmt(c.wallSeconds.median, 3)} | ${fmt(c.cpuSeconds.median, 2)} | ${c.values.length} |`,
    );
  }
  if (s.ratios.length) {
    lines.push('', 'ratio ferry ÷ reference (medians, ' + (s.higherIsBetter ? 'higher is better' : 'lower is better') + '): ' + s.ratios.map((r) => `${r.vs} ${fmt(r.ratio, 2)}`).join('; '));
  }
  for (const t of s.targets) lines.push('', `target: ${t.what} ${t.op} ${t.value}: ${fmt(t.actual, 2)} **${t.met ? 'met' : 'MISSED'}**`);
  for (const n of s.notes) lines.push('', n);
  return lines.join('\n');
}

export function summaryTable(all: ScenarioResult[]): string {
  const lines = ['| scenario | ferry (median) | reference (best, median) | ratio | target | met |', '|---|---:|---:|---:|---|---|'];
  for (const s of all) {
    for (const t of s.targets) {
      const ferry = t.ferry ?? s.contenders.find((c) => c.ferry)?.value.median ?? NaN;
      const ref = t.reference ? `${t.reference}: ${fmt(t.referenceValue ?? NaN, 2)}` : '—';
      lines.push(`| ${s.title} | ${fmt(ferry, 2)} ${s.unit} | ${ref} | ${t.reference ? fmt(t.actual, 2) : '—'} | ${t.what} ${t.op} ${t.value} | ${t.met ? 'yes' : '**no**'} |`);
    }
  }
  return lines.join('\n');
}
