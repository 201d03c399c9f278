import { Command } from 'commander';
import { CliContext, printJson, println } from '../cli.context';
import { parseDriveRef } from '../drive-ref.util';
import { formatBytes, formatTime } from '../output/format.util';
import { renderTable } from '../output/table.util';

export function lsCommand(ctx: CliContext): Command {
  return new Command('ls')
    .description('List a folder on a drive (the provider gateway lists it as your mapped account)')
    .argument('<drive:path>', 'e.g. a-data:/samples, or a-data: for the drive root')
    .option('--json', 'print the listing as JSON')
    .action(async (ref: string, o: { json?: boolean }) => {
      const { driveId, path } = parseDriveRef(ref, 'DRIVE:PATH');
      const listing = await (await ctx.client()).listFiles(driveId, path);
      if (o.json) return printJson(ctx, listing);
      if (listing.entries.length === 0) return println(ctx, `${driveId}:${listing.path || '/'} is empty`);
      const sorted = [...listing.entries].sort((a, b) => (a.type === b.type ? a.name.localeCompare(b.name) : a.type === 'dir' ? -1 : 1));
      println(
        ctx,
        renderTable(
          ['TYPE', 'SIZE', 'MODIFIED', 'NAME'],
          sorted.map((e) => [e.type, e.type === 'dir' ? '-' : formatBytes(e.size), formatTime(e.modified), e.type === 'dir' ? `${e.name}/` : e.name]),
        ),
      );
    });
}
