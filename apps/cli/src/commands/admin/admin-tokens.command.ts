import { Command } from 'commander';
import { CliContext, printJson, println } from '../../cli.context';
import { formatTime } from '../../output/format.util';
import { adminClient, printDone, printRows } from './admin-output.util';

type Json = { json?: boolean };

export function adminTokensCommand(ctx: CliContext): Command {
  const tokens = new Command('tokens').description('API tokens: create (shown once), list (never the secret), revoke');

  tokens
    .command('create')
    .description('Create a token for a user; the token is printed once and cannot be shown again')
    .argument('<user>', 'user name')
    .option('--label <label>', 'what the token is for (e.g. "laptop")')
    .option('--json', 'print JSON (including the token)')
    .action(async (user: string, o: Json & { label?: string }) => {
      const t = await (await adminClient(ctx)).createToken(user, o.label);
      if (o.json) return printJson(ctx, t);
      // the token alone on stdout, so `TOKEN=$(ferry admin tokens create alice)` works
      println(ctx, t.token);
      ctx.stderr.write(`token ${t.id} for ${t.user} created; store it now, it cannot be shown again\n`);
    });

  tokens
    .command('list')
    .description('Tokens with id, user, label and state')
    .option('--user <user>', 'only this user’s tokens')
    .option('--json', 'print JSON')
    .action(async (o: Json & { user?: string }) => {
      const list = await (await adminClient(ctx)).tokens(o.user);
      printRows(ctx, o.json, list, ['ID', 'USER', 'LABEL', 'STATE', 'CREATED'], (t) => [t.id, t.user, t.label ?? '-', t.revoked ? `revoked ${formatTime(t.revokedAt)}` : 'live', formatTime(t.createdAt)], 'no tokens');
    });

  tokens
    .command('revoke')
    .description('Revoke a token by id (from `ferry admin tokens list`)')
    .argument('<id>', 'token id')
    .option('--json', 'print JSON')
    .action(async (id: string, o: Json) => {
      const t = await (await adminClient(ctx)).revokeToken(id);
      printDone(ctx, o.json, t, `revoked token ${t.id} of ${t.user}`);
    });
  return tokens;
}
