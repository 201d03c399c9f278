import { Command, CommanderError } from 'commander';
import { ApiError } from './api/api.error';
import { CliContext } from './cli.context';
import { CliError } from './cli.error';
import { adminCommand } from './commands/admin/admin.command';
import { drivesCommand } from './commands/drives.command';
import { keygenCommand } from './commands/keygen.command';
import { loginCommand } from './commands/login.command';
import { lsCommand } from './commands/ls.command';
import { tasksCommand } from './commands/tasks.command';
import { transferCommand } from './commands/transfer.command';
import { tunnelCommand } from './commands/tunnel.command';
import { NegotiationError } from './negotiation';
import { hintFor } from './output/error-hints';

export function buildProgram(ctx: CliContext): Command {
  const program = new Command('ferry')
    .description(
      'ferry moves research data between sites, site to site. This CLI negotiates transfers with your ' +
        'X25519 key and follows them. Configuration: FERRY_URL and FERRY_TOKEN, or `ferry login` ' +
        '(~/.config/ferry/config.json). Key: `ferry keygen` (~/.config/ferry/key.json). FERRY_CONFIG_DIR moves both.',
    )
    .version('0.1.0')
    .showHelpAfterError('(run with --help for usage)')
    .enablePositionalOptions();
  for (const c of [loginCommand, keygenCommand, drivesCommand, lsCommand, transferCommand, tasksCommand, tunnelCommand, adminCommand]) {
    program.addCommand(c(ctx));
  }
  program.addHelpText(
    'after',
    '\nExit codes: 0 ok, 1 error, 2 usage, 3 a transfer ended without SUCCEEDED (FAILED, CANCELLED, EXPIRED, REJECTED).\n' +
      '\nTry:\n  ferry keygen\n  ferry drives\n  ferry transfer a-data:/samples b-inbox:/ --wait\n  ferry tasks watch\n  ferry tunnel access-points',
  );
  // commander exits on its own for usage errors (we want one exit path), and commands added with
  // addCommand do not inherit the output streams
  const output = { writeOut: (s: string) => ctx.stdout.write(s), writeErr: (s: string) => ctx.stderr.write(s) };
  const override = (c: Command) => {
    c.exitOverride();
    c.configureOutput(output);
    c.showHelpAfterError('(run with --help for usage)');
    c.commands.forEach(override);
  };
  override(program);
  return program;
}

/** Runs the CLI and returns the exit code; prints errors as `error CODE: message` + hint. */
export async function runCli(argv: string[], ctx: CliContext): Promise<number> {
  const program = buildProgram(ctx);
  const json = argv.includes('--json');
  try {
    await program.parseAsync(argv, { from: 'user' });
    return ctx.exitCode;
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help and --version end here too, with exit code 0
      return e.exitCode === 0 ? 0 : 2;
    }
    const { code, message, hint, exit } = describeError(e);
    if (json) ctx.stdout.write(JSON.stringify({ error: { code, message, ...(hint ? { hint } : {}) } }, null, 2) + '\n');
    else {
      ctx.stderr.write(`error ${code}: ${message}\n`);
      if (hint) ctx.stderr.write(`hint: ${hint}\n`);
    }
    return exit;
  }
}

function describeError(e: unknown): { code: string; message: string; hint?: string; exit: number } {
  if (e instanceof CliError) return { code: e.code, message: e.message, hint: e.hint ?? hintFor(e.code), exit: e.exitCode };
  // a site saying no is how a transfer ends, like FAILED: same exit code as a waited transfer that did not succeed
  const refused = e instanceof ApiError && (e.code === 'REJECTED_BY_POLICY' || e.code === 'NO_COMMON_MECHANISM');
  if (e instanceof ApiError || e instanceof NegotiationError) return { code: e.code, message: e.message, hint: hintFor(e.code), exit: refused ? 3 : 1 };
  const err = e as Error;
  return { code: 'INTERNAL', message: err?.stack ?? String(e), hint: 'this is a bug in the ferry CLI', exit: 1 };
}
