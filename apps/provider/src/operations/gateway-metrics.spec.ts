import type { OperationsRepository } from '../persistence/operations.repository';
import { PluginMetrics } from '../plugins/plugin-metrics';
import { GatewayMetrics } from './gateway-metrics.service';

/** Reads one sample of the exposition (undefined when absent). */
function sample(text: string, line: string): number | undefined {
  const l = text.split('\n').find((x) => x.startsWith(`${line} `));
  return l === undefined ? undefined : Number(l.slice(line.length + 1));
}

describe('GatewayMetrics', () => {
  // the database side is covered by test/operations.test.ts; here only the in-memory figures
  const noTransfers = { countByRolePhaseMechanism: async () => [] } as unknown as OperationsRepository;
  let m: GatewayMetrics;
  beforeEach(() => {
    m = new GatewayMetrics(noTransfers, new PluginMetrics());
  });
  const text = async () => (await m.exposition()).body;

  it('tunnel connections: open ones summed per mechanism, accepted ones counted once however often reported', async () => {
    m.tunnelFigures('t1\nlistener', 'stream-tunnel', { connectionsOpen: 2, connectionsTotal: 2 });
    m.tunnelFigures('t1\nlistener', 'stream-tunnel', { connectionsOpen: 1, connectionsTotal: 3 });
    m.tunnelFigures('t1\nlistener', 'stream-tunnel', { connectionsOpen: 1, connectionsTotal: 3 });
    m.tunnelFigures('t2\nlistener', 'stream-tunnel', { connectionsOpen: 4, connectionsTotal: 4 });
    let t = await text();
    expect(sample(t, 'ferry_gateway_tunnel_connections_open{mechanism="stream-tunnel"}')).toBe(5);
    expect(sample(t, 'ferry_gateway_tunnel_connections_total{mechanism="stream-tunnel"}')).toBe(7);
    m.tunnelGone('t2\nlistener');
    m.tunnelFigures('t1\nlistener', 'stream-tunnel', { connectionsOpen: 0, connectionsTotal: 3 });
    t = await text();
    expect(sample(t, 'ferry_gateway_tunnel_connections_open{mechanism="stream-tunnel"}')).toBe(0);
    expect(sample(t, 'ferry_gateway_tunnel_connections_total{mechanism="stream-tunnel"}')).toBe(7);
  });

  it('bytes moved ignore nonsense (negative, NaN)', async () => {
    m.bytesMoved('sftp', 100);
    m.bytesMoved('sftp', -5);
    m.bytesMoved('sftp', Number.NaN);
    expect(sample(await text(), 'ferry_gateway_bytes_transferred_total{mechanism="sftp"}')).toBe(100);
  });

  it('plugin sinks: ferry_plugin_<name>{mechanism}, shared names told apart by mechanism, mistakes logged once and ignored', async () => {
    const warnings: string[] = [];
    const globus = m.pluginSink('globus', (w) => warnings.push(w));
    const other = m.pluginSink('other', (w) => warnings.push(w));
    globus.increment('globus_poll_rounds_total', 1, 'poll rounds');
    globus.increment('globus_poll_rounds_total');
    other.increment('globus_poll_rounds_total', 5);
    globus.set('globus_tasks_watched', 3);
    globus.set('globus_tasks_watched', 2);
    // mistakes
    globus.increment('Bad-Name');
    globus.increment('Bad-Name');
    globus.set('globus_poll_rounds_total', 1);
    globus.increment('globus_poll_rounds_total', -1);
    const t = await text();
    expect(sample(t, 'ferry_plugin_globus_poll_rounds_total{mechanism="globus"}')).toBe(2);
    expect(sample(t, 'ferry_plugin_globus_poll_rounds_total{mechanism="other"}')).toBe(5);
    expect(sample(t, 'ferry_plugin_globus_tasks_watched{mechanism="globus"}')).toBe(2);
    expect(t).toContain('# HELP ferry_plugin_globus_poll_rounds_total poll rounds');
    expect(t).not.toMatch(/Bad/);
    expect(warnings).toEqual([
      expect.stringContaining("'Bad-Name' ignored"),
      expect.stringContaining("'globus_poll_rounds_total' is a counter"),
      expect.stringContaining('only goes up'),
    ]);
  });
});
