import { Command, Option } from 'commander';
import type { TransferView, VerifyMode } from '@ferry/contracts';
import { CliContext, printJson, println } from '../cli.context';
import { CliError } from '../cli.error';
import { parseDriveRef } from '../drive-ref.util';
import { negotiateTriggers, TrustedProviderKeys } from '../negotiation';
import { formatBytes, formatDuration } from '../output/format.util';
import { ProgressRenderer } from '../output/progress-bar';
import { watchTask } from '../output/task-watcher';

interface TransferOpts {
  verify: VerifyMode;
  mechanism?: string;
  label?: string;
  wait?: boolean;
  json?: boolean;
}

export function transferCommand(ctx: CliContext): Command {
  return new Command('transfer')
    .summary('copy SRC into the folder DST, site to site')
    .description(
      'Copy SRC into the folder DST, site to site (like `cp -r SRC DST/`; a drive root copies its contents). ' +
        "Creates the transfer, checks every gateway's signature against the provider registry, opens the " +
        'parameters sealed to your key, and sends each gateway its sealed trigger. Data never passes the core.',
    )
    .argument('<src>', 'source as DRIVE:PATH, e.g. a-data:/samples')
    .argument('<dst>', 'destination folder as DRIVE:PATH, e.g. b-inbox:/')
    .addOption(new Option('--verify <mode>', 'how the destination checks what arrived').choices(['size', 'checksum']).default('size'))
    .option('--mechanism <id>', 'insist on one mechanism (sftp, rsync, globus); default: the sites choose')
    .option('--label <text>', 'a name for the task list')
    .option('--wait', 'follow the transfer with a progress bar until it ends; exit code 3 unless it SUCCEEDED')
    .option('--json', 'print the transfer (the final one with --wait) as JSON instead of text')
    .addHelpText(
      'after',
      '\nExamples:\n  ferry transfer a-data:/samples b-inbox:/ --wait\n  ferry transfer a-data:/run42/big.h5 b-inbox:/incoming --verify checksum --label run42',
    )
    .action(async (src: string, dst: string, o: TransferOpts) => runTransfer(ctx, src, dst, o));
}

async function runTransfer(ctx: CliContext, src: string, dst: string, o: TransferOpts): Promise<void> {
  const source = parseDriveRef(src, 'SRC');
  const destination = parseDriveRef(dst, 'DST');
  const key = await ctx.key();
  const client = await ctx.client();
  const say = (s: string) => (o.json ? undefined : ctx.stderr.write(s + '\n'));

  let transfer = await client.createTransfer({
    source,
    destination,
    userPublicKey: key.publicKey,
    options: { verify: o.verify, ...(o.mechanism ? { mechanism: o.mechanism } : {}), ...(o.label ? { label: o.label } : {}) },
  });
  if (transfer.state === 'REJECTED') return finish(ctx, transfer, o, say);

  const trusted: Record<string, TrustedProviderKeys> = {};
  for (const p of await client.providers()) trusted[p.id] = { signPublicKey: p.signPublicKey, boxPublicKey: p.boxPublicKey };
  const { request, opened } = negotiateTriggers(transfer, key, trusted);
  say(`transfer ${transfer.id}: ${opened.map((x) => `${x.offer.role} ${x.offer.providerId}`).join(', ')} signed and opened; mechanism ${transfer.mechanism ?? opened[0]?.offer.mechanism}`);
  transfer = await client.trigger(transfer.id, request);
  say(`triggered; state ${transfer.state}`);

  if (!o.wait) {
    if (o.json) return printJson(ctx, transfer);
    println(ctx, transfer.id);
    say(`follow it with: ferry tasks watch ${transfer.id}`);
    return;
  }
  const abort = new AbortController();
  const onSigint = () => {
    abort.abort();
    say('\nstopped watching; the transfer goes on (ferry tasks watch ' + transfer.id + ')');
  };
  process.once('SIGINT', onSigint);
  try {
    await watchTask(client, transfer.task?.id ?? transfer.id, {
      pollMs: ctx.pollMs,
      renderer: o.json ? undefined : new ProgressRenderer(ctx.stderr),
      signal: abort.signal,
    });
  } finally {
    process.removeListener('SIGINT', onSigint);
  }
  if (abort.signal.aborted) {
    ctx.exitCode = 130;
    return;
  }
  finish(ctx, await client.getTransfer(transfer.id), o, say);
}

function finish(ctx: CliContext, t: TransferView, o: TransferOpts, say: (s: string) => void): void {
  if (t.state !== 'SUCCEEDED') ctx.exitCode = 3;
  if (o.json) return printJson(ctx, t);
  if (t.state === 'REJECTED') {
    const r = t.rejection;
    throw new CliError(
      r?.code ?? 'REJECTED_BY_POLICY',
      `transfer ${t.id} rejected by ${r?.providerId ?? 'a provider'}: ${r?.reason ?? 'no reason given'}`,
      "a site's policy does not cover this transfer; ask the operators which agreement applies",
      3,
    );
  }
  const p = t.task.progress;
  const took = t.task.finishedAt ? (Date.parse(t.task.finishedAt) - Date.parse(t.task.createdAt)) / 1000 : null;
  if (t.state === 'SUCCEEDED') {
    println(ctx, `${t.id} SUCCEEDED: ${p.filesDone} files, ${formatBytes(p.bytesDone)} in ${formatDuration(took)} via ${t.mechanism ?? '?'}`);
  } else {
    say(`${t.id} ${t.state}${t.task.error ? `: ${t.task.error.code}: ${t.task.error.message}` : ''}`);
    println(ctx, `${t.id} ${t.state}`);
  }
}
