import { Command } from 'commander';
import type { CliContext } from '../../cli.context';
import { CliError } from '../../cli.error';
import { adminClient, printDone, printRows } from './admin-output.util';

type Json = { json?: boolean };
type DriveOpts = Json & { name?: string; provider?: string; gatewayDrive?: string };

export function adminDrivesCommand(ctx: CliContext): Command {
  const drives = new Command('drives').description('Drives: folders a provider’s gateway exposes');

  drives
    .command('list')
    .description('Every drive with its provider, gateway drive and ACL')
    .option('--json', 'print JSON')
    .action(async (o: Json) => {
      const list = await (await adminClient(ctx)).drives();
      printRows(
        ctx,
        o.json,
        list,
        ['DRIVE', 'NAME', 'PROVIDER', 'GATEWAY DRIVE', 'ACL'],
        (d) => [d.id, d.name, d.providerId, d.gatewayDrive, d.acl.map((a) => `${a.user ?? `@${a.project}`}:${a.permission}`).join(' ') || '-'],
        'no drives',
      );
    });

  drives
    .command('create')
    .description('Create a drive')
    .argument('<id>', 'drive id (a-z, 0-9, . _ -)')
    .requiredOption('--name <name>', 'display name')
    .requiredOption('--provider <provider>', 'provider id')
    .requiredOption('--gateway-drive <drive>', 'the drive id in that gateway’s config')
    .option('--json', 'print JSON')
    .action(async (id: string, o: DriveOpts) => {
      const d = await (await adminClient(ctx)).createDrive({ id, name: o.name!, provider: o.provider!, gatewayDrive: o.gatewayDrive! });
      printDone(ctx, o.json, d, `created drive ${d.id} (${d.providerId}:${d.gatewayDrive})`);
    });

  drives
    .command('update')
    .description('Change a drive’s name, provider or gateway drive')
    .argument('<id>', 'drive id')
    .option('--name <name>', 'display name')
    .option('--provider <provider>', 'provider id')
    .option('--gateway-drive <drive>', 'the drive id in the gateway’s config')
    .option('--json', 'print JSON')
    .action(async (id: string, o: DriveOpts) => {
      if (o.name === undefined && o.provider === undefined && o.gatewayDrive === undefined) {
        throw new CliError('BAD_ARGUMENT', 'give --name, --provider and/or --gateway-drive', undefined, 2);
      }
      const d = await (await adminClient(ctx)).updateDrive(id, { name: o.name, provider: o.provider, gatewayDrive: o.gatewayDrive });
      printDone(ctx, o.json, d, `updated drive ${d.id} (${d.name}, ${d.providerId}:${d.gatewayDrive})`);
    });

  drives
    .command('delete')
    .description('Delete a drive and its ACL (running tasks are not affected)')
    .argument('<id>', 'drive id')
    .option('--json', 'print JSON (the drive as it was)')
    .action(async (id: string, o: Json) => {
      const d = await (await adminClient(ctx)).deleteDrive(id);
      printDone(ctx, o.json, d, `deleted drive ${d.id} and ${d.acl.length} ACL entries`);
    });
  return drives;
}
