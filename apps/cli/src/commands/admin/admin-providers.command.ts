import { Command } from 'commander';
import { CliContext, printJson, println } from '../../cli.context';
import { CliError } from '../../cli.error';
import { adminClient, printDone, printRows, PROVIDER_HEADERS, providerRow } from './admin-output.util';

type Json = { json?: boolean };
type Keys = { signKey?: string; boxKey?: string };

export function adminProvidersCommand(ctx: CliContext): Command {
  const providers = new Command('providers').description('Provider gateways: register, move, pin or refresh keys');

  providers
    .command('list')
    .description('Providers, with whether their keys are pinned or fetched')
    .option('--json', 'print JSON')
    .action(async (o: Json) => {
      const list = await (await adminClient(ctx)).providers();
      printRows(ctx, o.json, list, PROVIDER_HEADERS, providerRow, 'no providers');
    });

  providers
    .command('register')
    .description('Register a provider gateway (keys: pinned when given, else fetched from its /.well-known/ferry-provider)')
    .argument('<id>', 'provider id (as in the gateway config)')
    .requiredOption('--name <name>', 'display name')
    .requiredOption('--url <url>', 'gateway base URL')
    .option('--sign-key <key>', 'pin this Ed25519 public key (base64)')
    .option('--box-key <key>', 'pin this X25519 public key (base64)')
    .option('--json', 'print JSON')
    .action(async (id: string, o: Json & Keys & { name?: string; url?: string }) => {
      if (!!o.signKey !== !!o.boxKey) throw new CliError('BAD_ARGUMENT', 'pin both --sign-key and --box-key, or neither', undefined, 2);
      const p = await (await adminClient(ctx)).registerProvider({
        id,
        name: o.name!,
        url: o.url!,
        ...(o.signKey ? { signPublicKey: o.signKey, boxPublicKey: o.boxKey } : {}),
      });
      printDone(ctx, o.json, p, `registered ${p.id} at ${p.url} (keys ${p.keysPinned ? 'pinned' : 'fetched when needed'})`);
    });

  providers
    .command('update')
    .description('Rename a provider or move it to a new URL')
    .argument('<id>', 'provider id')
    .option('--name <name>', 'display name')
    .option('--url <url>', 'gateway base URL')
    .option('--json', 'print JSON')
    .action(async (id: string, o: Json & { name?: string; url?: string }) => {
      if (o.name === undefined && o.url === undefined) throw new CliError('BAD_ARGUMENT', 'give --name and/or --url', undefined, 2);
      const p = await (await adminClient(ctx)).updateProvider(id, { name: o.name, url: o.url });
      printDone(ctx, o.json, p, `updated ${p.id}: ${p.name} at ${p.url}`);
    });

  providers
    .command('pin')
    .description('Pin a provider’s public keys (what the gateway publishes is then ignored)')
    .argument('<id>', 'provider id')
    .requiredOption('--sign-key <key>', 'Ed25519 public key (base64)')
    .requiredOption('--box-key <key>', 'X25519 public key (base64)')
    .option('--json', 'print JSON')
    .action(async (id: string, o: Json & Keys) => {
      const p = await (await adminClient(ctx)).pinKeys(id, { signPublicKey: o.signKey!, boxPublicKey: o.boxKey! });
      printDone(ctx, o.json, p, `pinned the keys of ${p.id}`);
    });

  providers
    .command('unpin')
    .description('Forget pinned keys: they are fetched from the gateway when next needed')
    .argument('<id>', 'provider id')
    .option('--json', 'print JSON')
    .action(async (id: string, o: Json) => {
      const p = await (await adminClient(ctx)).unpinKeys(id);
      printDone(ctx, o.json, p, `${p.id}: keys are no longer pinned`);
    });

  providers
    .command('refresh')
    .description('Fetch the gateway’s /.well-known/ferry-provider now (keys, mechanisms)')
    .argument('<id>', 'provider id')
    .option('--pin', 'pin the keys it publishes now (after a key rotation at the site)')
    .option('--json', 'print JSON')
    .action(async (id: string, o: Json & { pin?: boolean }) => {
      const r = await (await adminClient(ctx)).refreshProvider(id, !!o.pin);
      if (o.json) return printJson(ctx, r);
      println(ctx, `${r.provider.id}: mechanisms ${r.published.mechanisms.join(', ') || '-'}; keys ${r.provider.keysPinned ? 'pinned' : 'fetched'}`);
      if (r.matchesPinned === false) {
        ctx.stderr.write(`warning: ${id} publishes keys that differ from the pinned ones (use --pin after checking with the site)\n`);
      }
    });
  return providers;
}
