import type { LoggerService } from '@nestjs/common';
import { CoreConfig, nestLogLevels } from '../config/core-config';
import { JsonLogger, LogWriter } from './json-logger';
import { TextLogger } from './text-logger';

/** The core's LoggerService for FERRY_LOG_FORMAT and FERRY_LOG_LEVEL (`writer` only for json; tests capture lines). */
export function createCoreLogger(config: Pick<CoreConfig, 'logFormat' | 'logLevel'>, writer?: LogWriter): LoggerService {
  const levels = nestLogLevels(config.logLevel);
  if (config.logFormat === 'json') return new JsonLogger([...levels, ...(levels.includes('error') ? (['fatal'] as const) : [])], writer);
  return new TextLogger([...levels, 'fatal']);
}
