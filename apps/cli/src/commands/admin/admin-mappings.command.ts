import { Command } from 'commander';
import type { CliContext } from '../../cli.context';
import { adminClient, printDone, printRows } from './admin-output.util';

type Json = { json?: boolean };

export function adminMappingsCommand(ctx: CliContext): Command {
  const mappings = new Command('mappings').description('Identity mappings: which account a user is at each provider');

  mappings
    .command('list')
    .description('Identity mappings')
    .option('--user <user>', 'only this user')
    .option('--provider <provider>', 'only this provider')
    .option('--json', 'print JSON')
    .action(async (o: Json & { user?: string; provider?: string }) => {
      const list = await (await adminClient(ctx)).mappings({ user: o.user, provider: o.provider });
      printRows(ctx, o.json, list, ['USER', 'PROVIDER', 'IDENTITY'], (m) => [m.user, m.provider, m.identity], 'no identity mappings');
    });

  mappings
    .command('set')
    .description('Map a user to an account at a provider (replaces an earlier mapping)')
    .argument('<user>', 'user name')
    .argument('<provider>', 'provider id')
    .argument('<identity>', 'the account name at that provider')
    .option('--json', 'print JSON')
    .action(async (user: string, provider: string, identity: string, o: Json) => {
      const m = await (await adminClient(ctx)).setMapping(user, provider, identity);
      printDone(ctx, o.json, m, `${m.user} is ${m.identity} at ${m.provider}`);
    });

  mappings
    .command('remove')
    .description('Remove a user’s mapping at a provider')
    .argument('<user>', 'user name')
    .argument('<provider>', 'provider id')
    .option('--json', 'print JSON')
    .action(async (user: string, provider: string, o: Json) => {
      const r = await (await adminClient(ctx)).removeMapping(user, provider);
      printDone(ctx, o.json, r, `${user} has no identity at ${provider} any more`);
    });
  return mappings;
}
