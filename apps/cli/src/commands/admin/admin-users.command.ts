import { Command } from 'commander';
import type { CliContext } from '../../cli.context';
import { formatTime } from '../../output/format.util';
import { adminClient, printDone, printRows } from './admin-output.util';

type Json = { json?: boolean };

export function adminUsersCommand(ctx: CliContext): Command {
  const users = new Command('users').description('Users: list, create, grant or revoke admin, disable or enable');

  users
    .command('list')
    .description('Every user with flags and number of live tokens')
    .option('--json', 'print JSON')
    .action(async (o: Json) => {
      const list = await (await adminClient(ctx)).users();
      printRows(ctx, o.json, list, ['NAME', 'ADMIN', 'DISABLED', 'TOKENS', 'CREATED'], (u) => [u.name, yes(u.admin), yes(u.disabled), String(u.activeTokens), formatTime(u.createdAt)], 'no users');
    });

  users
    .command('create')
    .description('Create a user (give her a token with `ferry admin tokens create NAME`)')
    .argument('<name>', 'user name')
    .option('--admin', 'make the user an admin')
    .option('--json', 'print JSON')
    .action(async (name: string, o: Json & { admin?: boolean }) => {
      const u = await (await adminClient(ctx)).createUser(name, !!o.admin);
      printDone(ctx, o.json, u, `created user ${u.name}${u.admin ? ' (admin)' : ''}`);
    });

  const flag = (cmd: string, what: string, patch: { admin?: boolean; disabled?: boolean }, done: string) =>
    users
      .command(cmd)
      .description(what)
      .argument('<name>', 'user name')
      .option('--json', 'print JSON')
      .action(async (name: string, o: Json) => {
        const u = await (await adminClient(ctx)).updateUser(name, patch);
        printDone(ctx, o.json, u, `${u.name} ${done}`);
      });
  flag('grant-admin', 'Make a user an admin', { admin: true }, 'is an admin');
  flag('revoke-admin', 'Remove the admin flag (not your own)', { admin: false }, 'is no longer an admin');
  flag('disable', 'Refuse all tokens of a user (her running tasks go on)', { disabled: true }, 'is disabled');
  flag('enable', 'Accept the tokens of a disabled user again', { disabled: false }, 'is enabled');
  return users;
}

const yes = (b: boolean) => (b ? 'yes' : '-');
