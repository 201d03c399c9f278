import type { LoggerService, LogLevel } from '@nestjs/common';
import { redactText, redactValue } from './log-redaction.util';
import { requestContext } from './request-context';

/** Where finished lines go (stdout by default; tests capture them). */
export type LogWriter = (line: string) => void;

export const stdoutWriter: LogWriter = (line) => {
  process.stdout.write(line + '\n');
};

const UUID = /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/i;

/** Nest's level names, except that 'log' is called 'info' as log collectors expect. */
const LEVEL_NAME: Record<LogLevel, string> = { log: 'info', error: 'error', warn: 'warn', debug: 'debug', verbose: 'verbose', fatal: 'fatal' };

/** A message may be structured: `{ msg, ...fields }` (the HTTP access log uses this). */
export interface StructuredMessage {
  msg: string;
  [field: string]: unknown;
}

export interface LogRecord {
  level: LogLevel;
  context: string | null;
  msg: string;
  fields: Record<string, unknown>;
  stack: string | null;
}

/** Splits Nest's logger arguments (message, ...params, context) into one record, redacted. */
export function toLogRecord(level: LogLevel, message: unknown, params: unknown[]): LogRecord {
  const rest = [...params];
  // Nest's Logger appends its context as the last argument (error(): message, stack, context)
  const context = rest.length > 0 && typeof rest[rest.length - 1] === 'string' ? (rest.pop() as string) : null;
  let stack: string | null = null;
  if (level === 'error' || level === 'fatal') {
    const s = rest.find((p) => typeof p === 'string');
    if (typeof s === 'string') stack = redactText(s);
  }
  let msg: string;
  let fields: Record<string, unknown> = {};
  if (typeof message === 'string') msg = message;
  else if (message instanceof Error) {
    msg = message.message;
    stack = stack ?? message.stack ?? null;
  } else if (message && typeof message === 'object' && typeof (message as StructuredMessage).msg === 'string') {
    const { msg: m, ...f } = message as StructuredMessage;
    msg = m;
    fields = redactValue(f) as Record<string, unknown>;
  } else {
    msg = JSON.stringify(redactValue(message)) ?? String(message);
  }
  return { level, context, msg: redactText(msg), fields, stack: stack && redactText(stack) };
}

/**
 * FERRY_LOG_FORMAT=json: one JSON object per line on stdout, for log collectors:
 * `{time, level, context, msg, requestId, transferId, ...fields, stack?}`. requestId and transferId
 * come from the request being served (RequestContext); a message naming a transfer id without a
 * request (the sweeper) gets that id as transferId. Secrets are redacted (log-redaction.util.ts).
 */
export class JsonLogger implements LoggerService {
  private levels: Set<LogLevel>;

  constructor(
    levels: LogLevel[],
    private readonly write: LogWriter = stdoutWriter,
  ) {
    this.levels = new Set(levels);
  }

  setLogLevels(levels: LogLevel[]): void {
    this.levels = new Set(levels);
  }

  log(message: unknown, ...params: unknown[]): void {
    this.emit('log', message, params);
  }
  error(message: unknown, ...params: unknown[]): void {
    this.emit('error', message, params);
  }
  warn(message: unknown, ...params: unknown[]): void {
    this.emit('warn', message, params);
  }
  debug(message: unknown, ...params: unknown[]): void {
    this.emit('debug', message, params);
  }
  verbose(message: unknown, ...params: unknown[]): void {
    this.emit('verbose', message, params);
  }
  fatal(message: unknown, ...params: unknown[]): void {
    this.emit('fatal', message, params);
  }

  private emit(level: LogLevel, message: unknown, params: unknown[]): void {
    if (!this.levels.has(level) && !(level === 'fatal' && this.levels.has('error'))) return;
    const r = toLogRecord(level, message, params);
    const ctx = requestContext.current();
    const transferId = ctx?.transferId ?? UUID.exec(r.msg)?.[0] ?? null;
    const line: Record<string, unknown> = {
      time: new Date().toISOString(),
      level: LEVEL_NAME[level],
      context: r.context,
      msg: r.msg,
      requestId: ctx?.requestId ?? null,
      transferId,
      ...r.fields,
    };
    if (r.stack) line.stack = r.stack;
    this.write(JSON.stringify(line));
  }
}
