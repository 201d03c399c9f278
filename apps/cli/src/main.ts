#!/usr/bin/env node
import { defaultContext } from './cli.context';
import { runCli } from './program';

runCli(process.argv.slice(2), defaultContext()).then(
  (code) => {
    process.exitCode = code;
  },
  (e) => {
    process.stderr.write(`error INTERNAL: ${(e as Error)?.stack ?? e}\n`);
    process.exitCode = 1;
  },
);
