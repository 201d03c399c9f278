import type { ProviderAccessPoints, TunnelView } from '@ferry/contracts';
import { formatBytes, formatTime } from './format.util';
import { renderTable } from './table.util';

/** How many of a tunnel's events `tunnel show` prints (the core keeps more; --json has them all). */
const EVENTS_SHOWN = 20;

const peers = (p: string[]) => (p.length ? p.join(',') : '(none)');

/** `ferry tunnel access-points`: one row per side of each access point. */
export function describeAccessPoints(all: ProviderAccessPoints[]): string {
  if (all.length === 0) return 'no providers where you have an account';
  const rows: string[][] = [];
  for (const p of all) {
    if (p.error) rows.push([p.providerId, '-', '-', `unavailable: ${p.error.code}: ${p.error.message}`, '-']);
    else if (p.accessPoints.length === 0) rows.push([p.providerId, '-', '-', 'no access points', '-']);
    for (const ap of p.accessPoints) {
      if (ap.initiator) {
        const lan = ap.initiator.lanSecret ? ', LAN secret' : '';
        rows.push([p.providerId, ap.id, 'initiator', `applications connect to ${ap.initiator.bindHost}:${ap.initiator.portRange}${lan}`, `to ${peers(ap.initiator.peers)}`]);
      }
      if (ap.listener) {
        rows.push([p.providerId, ap.id, 'listener', `targets ${ap.listener.targets.join(' ')}`, `from ${peers(ap.listener.peers)}`]);
      }
      if (!ap.initiator && !ap.listener) rows.push([p.providerId, ap.id, '-', 'not usable (no port range, no targets)', '-']);
    }
  }
  return renderTable(['PROVIDER', 'ACCESS POINT', 'SIDE', 'WHAT', 'PEERS'], rows);
}

export function tunnelRows(t: TunnelView): string[] {
  const f = t.task.tunnel;
  return [
    t.id,
    t.state,
    t.listenAddress ?? '-',
    f ? `${f.connectionsOpen}/${f.connectionsTotal}` : '-',
    formatBytes(f?.bytesAtoB ?? 0),
    formatBytes(f?.bytesBtoA ?? 0),
    t.target,
    t.label ?? '-',
  ];
}

/** `ferry tunnel show`: the address first (what the researcher came for), then the rest. */
export function describeTunnel(t: TunnelView): string {
  const f = t.task.tunnel;
  const rows: Array<[string, string]> = [
    ['connect to', t.listenAddress ?? '(not listening)'],
    ['id', t.id],
    ['state', t.state],
    ['label', t.label ?? '-'],
    ['initiator', `${t.initiator.accessPoint}@${t.initiator.providerId}`],
    ['listener', `${t.listener.accessPoint}@${t.listener.providerId}`],
    ['target', t.target],
    ['lifetime', `${t.lifetimeMinutes} min from the trigger`],
    ['connections', f ? `${f.connectionsOpen} open, ${f.connectionsTotal} total` : '-'],
    ['bytes a->b / b->a', f ? `${formatBytes(f.bytesAtoB)} / ${formatBytes(f.bytesBtoA)}` : '-'],
    ['created', formatTime(t.task.createdAt)],
    ['finished', formatTime(t.task.finishedAt)],
  ];
  if (t.task.error) rows.push(['error', `${t.task.error.code}: ${t.task.error.message}`]);
  const w = Math.max(...rows.map(([k]) => k.length));
  const lines = rows.map(([k, v]) => `${k.padEnd(w)}  ${v}`);
  const events = (t.events ?? []).slice(-EVENTS_SHOWN);
  if (events.length) {
    lines.push('', `events (latest ${events.length}):`);
    for (const e of events) lines.push(`  ${formatTime(e.at)}  ${e.side.padEnd(9)}  ${e.type.padEnd(18)}  ${e.message}`);
  }
  return lines.join('\n');
}
