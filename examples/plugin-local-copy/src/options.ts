import * as path from 'node:path';
import type { OptionsSchema } from '@ferry/plugin-sdk';

export interface LocalCopyOptions {
  /** a folder both gateways can read and write: the destination leaves its grants here for the source */
  grantsDir: string;
  /** bytes per read/write (each chunk is one progress report) */
  chunkSize: number;
}

/** One problem with the options, in the shape the gateway prints as `plugins[i].options.<path>: <message>`. */
interface Issue {
  path: string[];
  message: string;
}

/**
 * The gateway calls `parse` with the raw `options` of the plugin's config entry before creating the
 * plugin. Any object with this shape works (zod schemas have it); this one is written out by hand so
 * the package depends on nothing but the SDK. On bad input it throws an Error carrying `issues`, so
 * every problem is reported at once and pinned to its field.
 */
export const optionsSchema: OptionsSchema<LocalCopyOptions> = {
  parse(raw: unknown): LocalCopyOptions {
    const issues: Issue[] = [];
    const o = (raw ?? {}) as Record<string, unknown>;
    if (typeof o !== 'object' || Array.isArray(o)) throw withIssues([{ path: [], message: 'must be an object' }]);
    for (const key of Object.keys(o)) {
      if (key !== 'grantsDir' && key !== 'chunkSize') issues.push({ path: [key], message: 'unknown option' });
    }
    const grantsDir = o.grantsDir;
    if (typeof grantsDir !== 'string' || !path.isAbsolute(grantsDir)) {
      issues.push({ path: ['grantsDir'], message: 'required: an absolute path to a folder both gateways share' });
    }
    const chunkSize = o.chunkSize ?? 1024 * 1024;
    if (typeof chunkSize !== 'number' || !Number.isInteger(chunkSize) || chunkSize < 1024 || chunkSize > 64 * 1024 * 1024) {
      issues.push({ path: ['chunkSize'], message: 'a whole number of bytes between 1024 and 67108864' });
    }
    if (issues.length > 0) throw withIssues(issues);
    return { grantsDir: grantsDir as string, chunkSize: chunkSize as number };
  },
};

function withIssues(issues: Issue[]): Error {
  const e = new Error(issues.map((i) => `${i.path.join('.') || '(options)'}: ${i.message}`).join('; '));
  return Object.assign(e, { issues });
}
