import type { DriveRef } from '@ferry/contracts';
import { CliError } from './cli.error';

/**
 * Parses `drive:path` (the path may be empty for the drive root, and may itself contain ':').
 * The path is sent as written: the core normalizes it and refuses escapes with BAD_PATH, so the
 * CLI does not hide a bad path behind a friendlier one.
 */
export function parseDriveRef(text: string, what: string): DriveRef {
  const i = text.indexOf(':');
  if (i <= 0) {
    throw new CliError('BAD_ARGUMENT', `${what} must look like DRIVE:PATH (e.g. a-data:/samples), got '${text}'`, '`ferry drives` lists the drive ids');
  }
  return { driveId: text.slice(0, i), path: text.slice(i + 1) || '/' };
}
