import { Command } from 'commander';
import { CliContext, printJson, println } from '../cli.context';
import { renderTable } from '../output/table.util';

export function drivesCommand(ctx: CliContext): Command {
  return new Command('drives')
    .description('List the drives you can see, with your permissions on each')
    .option('--json', 'print the raw drive list as JSON')
    .action(async (o: { json?: boolean }) => {
      const drives = await (await ctx.client()).drives();
      if (o.json) return printJson(ctx, drives);
      if (drives.length === 0) return println(ctx, 'no drives visible to you');
      println(
        ctx,
        renderTable(
          ['DRIVE', 'NAME', 'PROVIDER', 'PERMISSIONS'],
          drives.map((d) => [d.id, d.name, `${d.providerName} (${d.providerId})`, d.permissions.join(',')]),
        ),
      );
    });
}
