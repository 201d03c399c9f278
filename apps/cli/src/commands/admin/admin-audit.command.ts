import { Command, Option } from 'commander';
import { AUDIT_ACTIONS, AuditEntryView } from '@ferry/contracts';
import { CliContext, printJson, println } from '../../cli.context';
import { CliError } from '../../cli.error';
import { formatTime } from '../../output/format.util';
import { renderTable } from '../../output/table.util';
import { adminClient } from './admin-output.util';

interface AuditOpts {
  user?: string;
  task?: string;
  action?: string;
  since?: string;
  limit?: string;
  all?: boolean;
  json?: boolean;
}

export function adminAuditCommand(ctx: CliContext): Command {
  return new Command('audit')
    .description('Who initiated, triggered, paused, resumed, cancelled or changed what; newest first')
    .option('--user <user>', 'only actions of this user')
    .option('--task <id>', 'only actions on this task')
    .addOption(new Option('--action <action>', 'only this action').choices([...AUDIT_ACTIONS]))
    .option('--since <time>', 'only since this ISO date or date-time')
    .option('--limit <n>', 'entries per page (1-500)', '50')
    .option('--all', 'follow every page, not just the first')
    .option('--json', 'print JSON')
    .action(async (o: AuditOpts) => {
      const limit = Number(o.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw new CliError('BAD_ARGUMENT', '--limit must be 1-500', undefined, 2);
      const client = await adminClient(ctx);
      const items: AuditEntryView[] = [];
      let cursor: string | undefined;
      do {
        const page = await client.audit({ user: o.user, task: o.task, action: o.action, since: o.since, limit, cursor });
        items.push(...page.items);
        cursor = page.nextCursor ?? undefined;
      } while (o.all && cursor);
      if (o.json) return printJson(ctx, items);
      if (items.length === 0) return println(ctx, 'no audit entries');
      println(
        ctx,
        renderTable(
          ['AT', 'ACTOR', 'ACTION', 'TARGET', 'DETAILS'],
          items.map((a) => [formatTime(a.at), a.actor ?? '(core)', a.action, a.target ?? '-', JSON.stringify(a.details)]),
        ),
      );
      if (!o.all && cursor) println(ctx, '(more entries: --all)');
    });
}
