import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { MechanismError } from '@ferry/plugin-sdk';

/**
 * Reads the application's client secret from its file. Refuses a file that group or others can
 * read: the secret is the site's Globus identity, and a readable copy is a leaked one.
 */
export async function loadClientSecret(file: string): Promise<string> {
  const abs = path.resolve(file);
  let st;
  try {
    st = await fs.stat(abs);
  } catch {
    throw new MechanismError('AUTH_FAILED', `globus: client secret file ${abs} does not exist or cannot be read`, 'fatal');
  }
  if (!st.isFile()) throw new MechanismError('AUTH_FAILED', `globus: client secret file ${abs} is not a regular file`, 'fatal');
  if (process.platform !== 'win32' && (st.mode & 0o077) !== 0) {
    throw new MechanismError(
      'AUTH_FAILED',
      `globus: client secret file ${abs} has mode 0${(st.mode & 0o777).toString(8)}; it must be 0600 (chmod 600 ${abs})`,
      'fatal',
    );
  }
  const secret = (await fs.readFile(abs, 'utf8')).trim();
  if (!secret) throw new MechanismError('AUTH_FAILED', `globus: client secret file ${abs} is empty`, 'fatal');
  return secret;
}
