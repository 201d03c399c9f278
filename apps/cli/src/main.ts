#!/usr/bin/env node
import { defaultContext } from './cli.context';
import { runCli } from './program';

// `ferry tasks | head` closes the pipe early: that is not an error
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
}

runCli(process.argv.slice(2), defaultContext()).then(
  (code) => {
    process.exitCode = code;
  },
  (e) => {
    process.stderr.write(`error INTERNAL: ${(e as Error)?.stack ?? e}\n`);
    process.exitCode = 1;
  },
);
