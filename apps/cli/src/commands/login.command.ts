import { Command } from 'commander';
import { CoreApiClient } from '../api/core-api.client';
import { saveConfig } from '../config/cli-config';
import { CliContext, println } from '../cli.context';

export function loginCommand(ctx: CliContext): Command {
  return new Command('login')
    .summary('save the core URL and your token')
    .description('Save the core URL and your API token to ~/.config/ferry/config.json (mode 0600)')
    .requiredOption('--url <url>', 'core URL, e.g. http://127.0.0.1:8080')
    .requiredOption('--token <token>', 'your API token (from your site operator or the demo banner)')
    .option('--no-check', 'save without checking the token against the core')
    .action(async (o: { url: string; token: string; check: boolean }) => {
      if (o.check) await new CoreApiClient({ url: o.url, token: o.token }).drives();
      const file = await saveConfig({ url: o.url, token: o.token }, ctx.env);
      println(ctx, `saved ${file}${o.check ? ' (token checked with the core)' : ''}`);
    });
}
