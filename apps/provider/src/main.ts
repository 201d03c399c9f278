import { Logger } from '@nestjs/common';
import { createGatewayApp } from './create-gateway-app';
import { GatewayConfigError } from './config/gateway-config';
import { applyGatewayV8Flags } from './gateway-v8-flags.util';

/** `node apps/provider/dist/main.js --config /path/gateway.json` (or FERRY_GATEWAY_CONFIG). */
async function main(): Promise<void> {
  // process-wide, so here and not in createGatewayApp (tests build gateways inside jest's process)
  applyGatewayV8Flags();
  const i = process.argv.indexOf('--config');
  const fromFlag = i >= 0 ? process.argv[i + 1] : process.argv.find((a) => a.startsWith('--config='))?.slice('--config='.length);
  const configPath = fromFlag ?? process.env.FERRY_GATEWAY_CONFIG;
  if (!configPath) {
    process.stderr.write('ferry gateway: give the config file with --config <file> or FERRY_GATEWAY_CONFIG\n');
    process.exit(2);
  }
  try {
    await createGatewayApp(configPath);
  } catch (e) {
    if (e instanceof GatewayConfigError) {
      process.stderr.write(`${e.message}\n`);
      process.exit(2);
    }
    new Logger('Gateway').error(`failed to start: ${(e as Error).stack ?? e}`);
    process.exit(1);
  }
}

void main();
