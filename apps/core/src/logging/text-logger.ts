import { ConsoleLogger, LogLevel } from '@nestjs/common';
import { toLogRecord } from './json-logger';
import { requestContext } from './request-context';

/**
 * FERRY_LOG_FORMAT=text (the default, for people): Nest's console format, with the same redaction
 * as the JSON format and the request id appended when there is one.
 */
export class TextLogger extends ConsoleLogger {
  constructor(levels: LogLevel[]) {
    super({ logLevels: levels });
  }

  override log(message: unknown, ...params: unknown[]): void {
    this.emit('log', message, params);
  }
  override error(message: unknown, ...params: unknown[]): void {
    this.emit('error', message, params);
  }
  override warn(message: unknown, ...params: unknown[]): void {
    this.emit('warn', message, params);
  }
  override debug(message: unknown, ...params: unknown[]): void {
    this.emit('debug', message, params);
  }
  override verbose(message: unknown, ...params: unknown[]): void {
    this.emit('verbose', message, params);
  }
  override fatal(message: unknown, ...params: unknown[]): void {
    this.emit('fatal', message, params);
  }

  private emit(level: LogLevel, message: unknown, params: unknown[]): void {
    if (!this.isLevelEnabled(level)) return;
    const r = toLogRecord(level, message, params);
    const extra = Object.entries(r.fields).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`);
    const rid = requestContext.requestId();
    const text = [r.msg, ...extra, ...(rid ? [`[req ${rid}]`] : [])].join(' ');
    const args: unknown[] = [text];
    // ConsoleLogger tells a stack from a context by its shape, so only a real stack is passed
    if ((level === 'error' || level === 'fatal') && r.stack) args.push(r.stack);
    if (r.context) args.push(r.context);
    super[level](...(args as [unknown, ...unknown[]]));
  }
}
