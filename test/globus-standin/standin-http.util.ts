import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** A Transfer API error, answered as `{"code","message","request_id","resource"}` (+ extras). */
export class TransferApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly extra: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export function requestId(): string {
  return randomBytes(6).toString('base64url');
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

export function sendTransferError(res: ServerResponse, err: TransferApiError, resource: string): void {
  sendJson(
    res,
    err.status,
    { code: err.code, message: err.message, request_id: requestId(), resource, ...err.extra },
    err.headers,
  );
}

export async function readBody(req: IncomingMessage, limit = 4 * 1024 * 1024): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new TransferApiError(413, 'ClientError.RequestEntityTooLarge', 'Request body too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const text = await readBody(req);
  if (!text) throw new TransferApiError(400, 'ClientError.BadRequest', 'Request body is required');
  try {
    const v = JSON.parse(text) as unknown;
    if (!v || typeof v !== 'object' || Array.isArray(v)) throw new Error('not an object');
    return v as Record<string, unknown>;
  } catch {
    throw new TransferApiError(400, 'ClientError.BadRequest.InvalidJSON', 'Request body is not a JSON object');
  }
}

/** Integer query parameter with bounds; 400 when malformed. */
export function intParam(q: URLSearchParams, name: string, dflt: number, min: number, max: number): number {
  const raw = q.get(name);
  if (raw === null || raw === '') return dflt;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new TransferApiError(400, 'ClientError.BadRequest', `Invalid ${name} '${raw}': must be an integer in [${min}, ${max}]`);
  }
  return n;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
