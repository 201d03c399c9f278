import { Command, Option } from 'commander';
import { isEndState, TASK_STATES, TaskKind, TaskOperation, TaskState, TaskView } from '@ferry/contracts';
import { CliContext, printJson, println } from '../cli.context';
import { formatBytes, formatDuration, formatRate, formatTime } from '../output/format.util';
import { progressLine, ProgressRenderer } from '../output/progress-bar';
import { renderTable } from '../output/table.util';
import { watchActiveTasks, watchTask } from '../output/task-watcher';

const RECENT_MS = 24 * 3600_000;

interface ListOpts {
  state?: string[];
  kind?: TaskKind;
  all?: boolean;
  json?: boolean;
}

export function tasksCommand(ctx: CliContext): Command {
  const tasks = new Command('tasks')
    .summary('list, show, watch, pause, resume or cancel your tasks')
    .description('Your background tasks (transfers, tunnels). Without a subcommand: a table of active and recent tasks')
    .addOption(new Option('--state <state...>', 'only these states').choices([...TASK_STATES]))
    .addOption(new Option('--kind <kind>', 'only transfers or tunnels').choices(['transfer', 'tunnel']))
    .option('--all', 'include tasks that ended more than 24 hours ago')
    .option('--json', 'print the task list as JSON')
    // `tasks watch --json` must give --json to watch, not to the list
    .enablePositionalOptions()
    .action(async (o: ListOpts) => listTasks(ctx, o));

  tasks
    .command('show')
    .description('Everything about one task: state, progress, error, allowed operations')
    .argument('<id>', 'task id (as printed by `ferry tasks`)')
    .option('--json', 'print the task as JSON')
    .action(async (id: string, o: { json?: boolean }) => {
      const t = await (await ctx.client()).task(id);
      if (o.json) return printJson(ctx, t);
      println(ctx, describeTask(t));
    });

  tasks
    .command('watch')
    .description('Progress bars until the task ends (without ID: all your active tasks, until none is active)')
    .argument('[id]', 'task id')
    .option('--json', 'print the final task(s) as JSON instead of bars')
    .action(async (id: string | undefined, o: { json?: boolean }) => {
      const client = await ctx.client();
      const renderer = o.json ? undefined : new ProgressRenderer(ctx.stderr);
      const abort = new AbortController();
      const onSigint = () => abort.abort();
      process.once('SIGINT', onSigint);
      try {
        if (id) {
          const t = await watchTask(client, id, { pollMs: ctx.pollMs, renderer, signal: abort.signal });
          if (isEndState(t.state) && t.state !== 'SUCCEEDED' && t.state !== 'CLOSED') ctx.exitCode = 3;
          if (o.json) printJson(ctx, t);
          else if (!renderer) println(ctx, progressLine(t));
        } else {
          const all = await watchActiveTasks(client, { pollMs: ctx.pollMs, renderer, signal: abort.signal });
          if (all.some((t) => isEndState(t.state) && t.state !== 'SUCCEEDED' && t.state !== 'CLOSED')) ctx.exitCode = 3;
          if (o.json) printJson(ctx, all);
          else if (all.length === 0) println(ctx, 'no active tasks');
        }
      } finally {
        process.removeListener('SIGINT', onSigint);
      }
    });

  for (const [op, what] of [
    ['pause', 'Pause a running transfer (when its mechanism can)'],
    ['resume', 'Resume a paused transfer'],
    ['cancel', 'Cancel a task: both sites stop, revoke grants and remove partial files'],
  ] as Array<[TaskOperation, string]>) {
    tasks
      .command(op)
      .description(what)
      .argument('<id>', 'task id')
      .option('--json', 'print the task as JSON')
      .action(async (id: string, o: { json?: boolean }) => {
        const t = await (await ctx.client()).control(id, op);
        if (o.json) return printJson(ctx, t);
        println(ctx, `${t.id} ${t.state}`);
      });
  }
  return tasks;
}

async function listTasks(ctx: CliContext, o: ListOpts): Promise<void> {
  const client = await ctx.client();
  let items = await client.allTasks({ state: o.state as TaskState[] | undefined, kind: o.kind });
  if (!o.all && !o.state) {
    const cutoff = Date.now() - RECENT_MS;
    items = items.filter((t) => !t.finishedAt || Date.parse(t.finishedAt) >= cutoff);
  }
  if (o.json) return printJson(ctx, items);
  if (items.length === 0) return println(ctx, o.all ? 'no tasks' : 'no active or recent tasks (--all shows older ones)');
  println(
    ctx,
    renderTable(
      ['ID', 'STATE', 'PROGRESS', 'MECH', 'FROM', 'TO', 'UPDATED'],
      items.map((t) => [
        t.id,
        t.state,
        `${formatBytes(t.progress.bytesDone)}/${formatBytes(t.progress.bytesTotal)} ${t.progress.filesDone}/${t.progress.filesTotal ?? '?'}f`,
        t.mechanism ?? '-',
        t.sourceLabel,
        t.destinationLabel,
        formatTime(t.updatedAt),
      ]),
    ),
  );
}

function describeTask(t: TaskView): string {
  const p = t.progress;
  const rows: Array<[string, string]> = [
    ['id', t.id],
    ['kind', t.kind],
    ['state', t.state],
    ['label', t.label ?? '-'],
    ['from', `${t.sourceLabel} (${t.sourceProviderId})`],
    ['to', `${t.destinationLabel} (${t.destinationProviderId})`],
    ['mechanism', t.mechanism ?? '-'],
    ['bytes', `${formatBytes(p.bytesDone)} of ${formatBytes(p.bytesTotal)}`],
    ['files', `${p.filesDone} of ${p.filesTotal ?? '?'}`],
    ['rate', formatRate(p.rate)],
    ['eta', formatDuration(p.eta)],
    ['message', p.message ?? '-'],
    ['operations', t.operations.length ? t.operations.join(', ') : '-'],
    ['created', formatTime(t.createdAt)],
    ['updated', formatTime(t.updatedAt)],
    ['finished', formatTime(t.finishedAt)],
  ];
  if (t.error) rows.push(['error', `${t.error.code}: ${t.error.message}`]);
  if (t.tunnel) {
    rows.push(['listen', t.tunnel.listenAddress ?? '-']);
    rows.push(['connections', `${t.tunnel.connectionsOpen} open, ${t.tunnel.connectionsTotal} total`]);
    rows.push(['bytes a->b / b->a', `${formatBytes(t.tunnel.bytesAtoB)} / ${formatBytes(t.tunnel.bytesBtoA)}`]);
  }
  const w = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${k.padEnd(w)}  ${v}`).join('\n');
}

