import type { ValueTransformer } from 'typeorm';

/**
 * The one place where bigint columns become numbers. node-postgres returns int8 as a string,
 * PGlite as a number; both end up as a JS number here. Counters and byte totals stay far below
 * 2^53, so nothing is lost.
 */
export const bigintTransformer: ValueTransformer = {
  to: (value: number | null | undefined) => value,
  from: (value: string | number | null | undefined) => (value === null || value === undefined ? null : Number(value)),
};
