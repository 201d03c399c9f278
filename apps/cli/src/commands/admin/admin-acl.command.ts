import { Command, Option } from 'commander';
import type { AclPermission } from '@ferry/contracts';
import type { CliContext } from '../../cli.context';
import { CliError } from '../../cli.error';
import { ACL_HEADERS, aclRow, adminClient, printRows } from './admin-output.util';

type Json = { json?: boolean };
type Who = Json & { user?: string; project?: string };
const PERMISSIONS = ['READ', 'WRITE', 'ADMIN'];

export function adminAclCommand(ctx: CliContext): Command {
  const acl = new Command('acl').description('Drive permissions (READ, WRITE, ADMIN) of users and projects');

  acl
    .command('list')
    .description('ACL entries')
    .option('--drive <drive>', 'only this drive')
    .option('--json', 'print JSON')
    .action(async (o: Json & { drive?: string }) => {
      const list = await (await adminClient(ctx)).acl(o.drive);
      printRows(ctx, o.json, list, ACL_HEADERS, aclRow, 'no ACL entries');
    });

  for (const change of ['grant', 'revoke'] as const) {
    acl
      .command(change)
      .description(`${change === 'grant' ? 'Grant' : 'Revoke'} permissions on a drive to a user or a project`)
      .argument('<drive>', 'drive id')
      .argument('<permissions...>', 'READ, WRITE and/or ADMIN')
      .addOption(new Option('--user <user>', 'a user').conflicts('project'))
      .addOption(new Option('--project <project>', 'a project').conflicts('user'))
      .option('--json', 'print JSON (the drive’s ACL after the change)')
      .action(async (drive: string, permissions: string[], o: Who) => {
        const perms = permissions.map((p) => p.toUpperCase());
        const bad = perms.find((p) => !PERMISSIONS.includes(p));
        if (bad) throw new CliError('BAD_ARGUMENT', `unknown permission ${bad} (READ, WRITE, ADMIN)`, undefined, 2);
        if (!o.user && !o.project) throw new CliError('BAD_ARGUMENT', 'give --user USER or --project PROJECT', undefined, 2);
        const who = o.user ? { user: o.user } : { project: o.project! };
        const list = await (await adminClient(ctx)).changeAcl(change, drive, who, perms as AclPermission[]);
        printRows(ctx, o.json, list, ACL_HEADERS, aclRow, `${drive} has no ACL entries`);
      });
  }
  return acl;
}
