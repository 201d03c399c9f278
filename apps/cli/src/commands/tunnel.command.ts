import { Command, Option } from 'commander';
import { isEndState, TASK_STATES, TaskState, TunnelEndpointRef, TunnelView } from '@ferry/contracts';
import { CliContext, printJson, println } from '../cli.context';
import { CliError } from '../cli.error';
import { negotiateTriggers, newTunnelSecret, TrustedProviderKeys, tunnelTriggerUser } from '../negotiation';
import { describeAccessPoints, describeTunnel, tunnelRows } from '../output/tunnel-format.util';
import { renderTable } from '../output/table.util';

const DEFAULT_LIFETIME_MINUTES = 60;
/** how long `tunnel create` waits for the initiator to report its listen address */
const LISTEN_WAIT_MS = 30_000;

interface CreateOpts {
  target: string;
  lifetime: string;
  label?: string;
  json?: boolean;
}

/** `ferry tunnel …`: stream tunnels between access points at two providers (docs/tunnels.md). */
export function tunnelCommand(ctx: CliContext): Command {
  const tunnel = new Command('tunnel')
    .summary('TCP tunnels between access points at two sites')
    .description(
      'Stream tunnels: an application at site A connects to a local port of A\'s gateway and reaches a TCP service ' +
        "at site B through B's gateway, with no inbound port on either application host. Each tunnel is a task.",
    )
    .enablePositionalOptions();

  tunnel
    .command('access-points')
    .description('The access points at every provider where you have an account, with the peers and targets their policy allows')
    .option('--json', 'print the list as JSON')
    .action(async (o: { json?: boolean }) => {
      const all = await (await ctx.client()).accessPoints();
      if (o.json) return printJson(ctx, all);
      println(ctx, describeAccessPoints(all));
    });

  tunnel
    .command('create')
    .description(
      'Open a tunnel from access point A (applications connect there) to access point B (which connects to the target). ' +
        'Makes the per-tunnel secret (32 random bytes) and seals it into both triggers; the core never sees it.',
    )
    .argument('<initiator>', 'PROVIDER:ACCESS_POINT where applications connect, e.g. provider-a:a-lan')
    .argument('<listener>', 'PROVIDER:ACCESS_POINT that connects to the target, e.g. provider-b:b-lan')
    .requiredOption('--target <host:port>', "the service at B's side, e.g. 127.0.0.1:5432 (its access point must allow it)")
    .option('--lifetime <minutes>', 'how long the tunnel stays open after the trigger (fractions allowed)', String(DEFAULT_LIFETIME_MINUTES))
    .option('--label <text>', 'a name for the task list')
    .option('--json', 'print the tunnel as JSON')
    .addHelpText('after', '\nExample:\n  ferry tunnel create provider-a:a-lan provider-b:b-lan --target 127.0.0.1:5432 --lifetime 120')
    .action(async (a: string, b: string, o: CreateOpts) => createTunnel(ctx, a, b, o));

  tunnel
    .command('ls')
    .description('Your tunnels: state, listen address, connections, bytes each way')
    .addOption(new Option('--state <state...>', 'only these states').choices([...TASK_STATES]))
    .option('--json', 'print the list as JSON')
    .action(async (o: { state?: string[]; json?: boolean }) => {
      const items = await (await ctx.client()).allTunnels({ state: o.state as TaskState[] | undefined });
      if (o.json) return printJson(ctx, items);
      if (items.length === 0) return println(ctx, 'no tunnels');
      println(ctx, renderTable(['ID', 'STATE', 'LISTEN', 'CONNS', 'A->B', 'B->A', 'TARGET', 'LABEL'], items.map(tunnelRows)));
    });

  tunnel
    .command('show')
    .description('One tunnel: the address to point your application at, figures and latest events')
    .argument('<id>', 'tunnel id')
    .option('--json', 'print the tunnel as JSON')
    .action(async (id: string, o: { json?: boolean }) => {
      const t = await (await ctx.client()).tunnel(id);
      if (o.json) return printJson(ctx, t);
      println(ctx, describeTunnel(t));
    });

  tunnel
    .command('close')
    .description('Close a tunnel: its listener and every connection at both gateways (ends CLOSED)')
    .argument('<id>', 'tunnel id')
    .option('--json', 'print the task as JSON')
    .action(async (id: string, o: { json?: boolean }) => {
      const t = await (await ctx.client()).control(id, 'cancel');
      if (o.json) return printJson(ctx, t);
      println(ctx, `${t.id} ${t.state}`);
    });
  return tunnel;
}

async function createTunnel(ctx: CliContext, a: string, b: string, o: CreateOpts): Promise<void> {
  const initiator = parseEndpoint(a, 'INITIATOR');
  const listener = parseEndpoint(b, 'LISTENER');
  const lifetimeMinutes = Number(o.lifetime);
  if (!Number.isFinite(lifetimeMinutes) || lifetimeMinutes <= 0) {
    throw new CliError('BAD_ARGUMENT', `--lifetime must be a positive number of minutes, got '${o.lifetime}'`);
  }
  const key = await ctx.key();
  const client = await ctx.client();
  const say = (s: string) => (o.json ? undefined : ctx.stderr.write(s + '\n'));

  const created = await client.createTunnel({
    initiator,
    listener,
    target: o.target,
    lifetimeMinutes,
    userPublicKey: key.publicKey,
    ...(o.label ? { label: o.label } : {}),
  });
  const trusted: Record<string, TrustedProviderKeys> = {};
  for (const p of await client.providers()) trusted[p.id] = { signPublicKey: p.signPublicKey, boxPublicKey: p.boxPublicKey };
  // the secret lives only in this process and inside the two sealed triggers
  const { request } = negotiateTriggers(created, key, trusted, tunnelTriggerUser(newTunnelSecret()));
  say(`tunnel ${created.id}: both offers signed and opened; sending the sealed triggers`);
  let t = await client.triggerTunnel(created.id, request);
  t = await waitForListenAddress(ctx, t);
  if (o.json) return printJson(ctx, t);
  if (isEndState(t.state)) {
    ctx.exitCode = 3;
    const why = t.task.error ? `: ${t.task.error.code}: ${t.task.error.message}` : '';
    return println(ctx, `${t.id} ${t.state}${why}`);
  }
  println(ctx, t.id);
  if (t.listenAddress) {
    say(`point your application at ${t.listenAddress} (it reaches ${t.target} through ${t.listener.accessPoint}@${t.listener.providerId})`);
  } else {
    say(`the initiator has not reported its listen address yet; \`ferry tunnel show ${t.id}\` prints it`);
  }
  say(`close it with: ferry tunnel close ${t.id}`);
}

/** Polls until the initiator reports where it listens (or the tunnel ends, or LISTEN_WAIT_MS pass). */
async function waitForListenAddress(ctx: CliContext, t: TunnelView): Promise<TunnelView> {
  const client = await ctx.client();
  const deadline = Date.now() + LISTEN_WAIT_MS;
  while (!t.listenAddress && !isEndState(t.state) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, ctx.pollMs));
    t = await client.tunnel(t.id);
  }
  return t;
}

/** PROVIDER:ACCESS_POINT (neither contains ':') */
function parseEndpoint(text: string, what: string): TunnelEndpointRef {
  const m = /^([^:]+):([^:]+)$/.exec(text);
  if (!m) {
    throw new CliError('BAD_ARGUMENT', `${what} must look like PROVIDER:ACCESS_POINT (e.g. provider-a:a-lan), got '${text}'`, '`ferry tunnel access-points` lists them');
  }
  return { providerId: m[1], accessPoint: m[2] };
}
