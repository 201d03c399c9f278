import { Command } from 'commander';
import { createKey } from '../config/key-store';
import { CliContext, printJson, println } from '../cli.context';

export function keygenCommand(ctx: CliContext): Command {
  return new Command('keygen')
    .summary('create your researcher key (~/.config/ferry/key.json)')
    .description(
      'Create your X25519 researcher key (~/.config/ferry/key.json, mode 0600). Gateways seal transfer ' +
        'parameters to its public half; the secret half never leaves this machine.',
    )
    .option('--force', 'replace an existing key (transfers still awaiting a trigger become unusable)')
    .option('--json', 'print {file, publicKey} as JSON')
    .action(async (o: { force?: boolean; json?: boolean }) => {
      const { file, key } = await createKey(!!o.force, ctx.env);
      if (o.json) return printJson(ctx, { file, publicKey: key.publicKey });
      println(ctx, `wrote ${file}`);
      println(ctx, `public key: ${key.publicKey}`);
    });
}
