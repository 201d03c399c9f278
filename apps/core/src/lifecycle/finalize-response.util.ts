import type { FinalizeResponse } from '@ferry/contracts';

/** A verdict the task can show: ok, or which files differ (first few listed). */
export function verdictOf(r: FinalizeResponse | undefined): { ok: true } | { ok: false; message: string } {
  if (r && r.ok === true) return { ok: true };
  const mismatches = Array.isArray(r?.mismatches) ? r!.mismatches : [];
  const listed = mismatches
    .slice(0, 5)
    .map((m) => `${m.path} (expected ${m.expected}, found ${m.actual ?? 'nothing'})`)
    .join('; ');
  const more = mismatches.length > 5 ? ` and ${mismatches.length - 5} more` : '';
  const head = r?.message ?? 'the destination could not verify what arrived';
  return { ok: false, message: mismatches.length ? `${head}: ${mismatches.length} file(s) differ: ${listed}${more}` : head };
}
