import { Logger } from '@nestjs/common';
import 'reflect-metadata';
import { createCoreApp } from './bootstrap/create-core-app';
import { ConfigError, loadCoreConfig } from './config/core-config';
import { redactText } from './logging/log-redaction.util';

/** `node apps/core/dist/main.js`: configuration from the environment (see docs/architecture.md). */
async function main(): Promise<void> {
  const config = loadCoreConfig(process.env);
  const app = await createCoreApp(config);
  await app.listen(config.port, config.host);
  new Logger('Core').log(`listening on http://${config.host}:${config.port}`);
}

main().catch((e) => {
  // before Nest's logger exists a config error is printed plainly, without a stack trace; a log
  // collector (FERRY_LOG_FORMAT=json, read raw because the configuration may be what failed) gets JSON
  const msg = redactText(e instanceof ConfigError ? e.message : ((e as Error)?.stack ?? String(e)));
  if (process.env.FERRY_LOG_FORMAT === 'json') {
    process.stdout.write(JSON.stringify({ time: new Date().toISOString(), level: 'fatal', context: 'Core', msg: `failed to start: ${msg}` }) + '\n');
  } else {
    process.stderr.write(`ferry core failed to start: ${msg}\n`);
  }
  process.exit(1);
});
