import type { AclEntryView, AdminProviderView } from '@ferry/contracts';
import { CliContext, printJson, println } from '../../cli.context';
import { renderTable } from '../../output/table.util';
import { AdminApiClient } from './admin-api.client';

/** The admin client for this invocation (same URL and token as every other command). */
export async function adminClient(ctx: CliContext): Promise<AdminApiClient> {
  return new AdminApiClient(await ctx.client());
}

/** --json prints the core's answer as it is; otherwise a table (or `empty` when there are no rows). */
export function printRows<T>(ctx: CliContext, json: boolean | undefined, value: T[], headers: string[], row: (x: T) => string[], empty: string): void {
  if (json) return printJson(ctx, value);
  if (value.length === 0) return println(ctx, empty);
  println(ctx, renderTable(headers, value.map(row)));
}

/** --json prints the answer; otherwise one line. */
export function printDone(ctx: CliContext, json: boolean | undefined, value: unknown, line: string): void {
  if (json) return printJson(ctx, value);
  println(ctx, line);
}

export const aclRow = (a: AclEntryView) => [a.drive, a.user ? `user:${a.user}` : `project:${a.project}`, a.permission];
export const ACL_HEADERS = ['DRIVE', 'PRINCIPAL', 'PERMISSION'];

export const providerRow = (p: AdminProviderView) => [
  p.id,
  p.name,
  p.url,
  p.keysPinned ? 'pinned' : p.signPublicKey ? 'fetched' : 'unknown',
  p.mechanisms.join(',') || '-',
  p.fetchedAt ?? '-',
];
export const PROVIDER_HEADERS = ['ID', 'NAME', 'URL', 'KEYS', 'MECHANISMS', 'FETCHED'];
