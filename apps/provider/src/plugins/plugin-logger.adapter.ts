import { Logger } from '@nestjs/common';
import type { PluginLogger } from '@ferry/plugin-sdk';

// Field names that suggest a secret: their values are replaced before anything is logged, so a
// plugin that logs its grant by mistake does not put it in the gateway's logs.
const SECRET_FIELD = /(secret|token|password|passphrase|private|credential|key$)/i;

/** The plugin's logger: Nest's Logger with the context `plugin:<id>`, structured fields appended as JSON. */
export class PluginLoggerAdapter implements PluginLogger {
  private readonly logger: Logger;

  constructor(pluginId: string) {
    this.logger = new Logger(`plugin:${pluginId}`);
  }

  debug(message: string, fields?: Record<string, unknown>) {
    this.logger.debug(line(message, fields));
  }
  info(message: string, fields?: Record<string, unknown>) {
    this.logger.log(line(message, fields));
  }
  warn(message: string, fields?: Record<string, unknown>) {
    this.logger.warn(line(message, fields));
  }
  error(message: string, fields?: Record<string, unknown>) {
    this.logger.error(line(message, fields));
  }
}

function line(message: string, fields?: Record<string, unknown>): string {
  if (!fields || Object.keys(fields).length === 0) return message;
  return `${message} ${JSON.stringify(redact(fields))}`;
}

export function redact(value: unknown, depth = 0): unknown {
  if (depth > 4 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, SECRET_FIELD.test(k) ? '[redacted]' : redact(v, depth + 1)]),
  );
}
