import * as http from 'node:http';
import type { TaskState, TaskView, TransferView, TriggerRequest } from '@ferry/contracts';
import { isEndState } from '@ferry/contracts';
import { CoreApiClient } from '../../../apps/cli/src/api/core-api.client';
import { negotiateTriggers, TrustedProviderKeys } from '../../../apps/cli/src/negotiation';
import { ResearcherClient } from '../../harness';

/**
 * Drives many transfers for one researcher through any of several core replicas: the provider keys
 * are read once (not per transfer, as ResearcherClient does), and waiting is done with task lists
 * (one request per page for all tasks) instead of polling each task.
 */
export class TransferDriver {
  private keys: Record<string, TrustedProviderKeys> | null = null;
  readonly clients: CoreApiClient[];

  constructor(
    readonly researcher: ResearcherClient,
    coreUrls: string[],
  ) {
    this.clients = coreUrls.map((url) => new CoreApiClient({ url, token: researcher.token, fetch: freshConnectionFetch }));
  }

  api(replica: number): CoreApiClient {
    return this.clients[replica % this.clients.length];
  }

  /** The providers' keys, read once all are known (the core fetches a gateway's keys when first needed). */
  async trusted(): Promise<Record<string, TrustedProviderKeys>> {
    if (this.keys) return this.keys;
    const keys: Record<string, TrustedProviderKeys> = {};
    for (const p of await this.api(0).providers()) keys[p.id] = { signPublicKey: p.signPublicKey, boxPublicKey: p.boxPublicKey };
    if (Object.values(keys).every((k) => k.signPublicKey && k.boxPublicKey)) this.keys = keys;
    return keys;
  }

  create(replica: number, src: string, dst: string): Promise<TransferView> {
    return this.api(replica).createTransfer({
      source: ref(src),
      destination: ref(dst),
      userPublicKey: this.researcher.key.publicKey,
      options: { verify: 'size' },
    });
  }

  async triggersFor(transfer: TransferView): Promise<TriggerRequest> {
    return negotiateTriggers(transfer, this.researcher.key, await this.trusted()).request;
  }

  /** create on one replica, trigger on `triggerReplica` (default the same). */
  async start(replica: number, src: string, dst: string, triggerReplica = replica): Promise<TransferView> {
    const t = await this.create(replica, src, dst);
    return this.api(triggerReplica).trigger(t.id, await this.triggersFor(t));
  }

  /** Waits until every id is in an end state (or `done` says so); returns the tasks by id. */
  async waitAll(
    ids: string[],
    opts: { replica?: number; timeoutMs?: number; done?: (t: TaskView) => boolean } = {},
  ): Promise<Map<string, TaskView>> {
    const want = new Set(ids);
    const done = opts.done ?? ((t: TaskView) => isEndState(t.state));
    const deadline = Date.now() + (opts.timeoutMs ?? 180_000);
    let last = new Map<string, TaskView>();
    while (Date.now() < deadline) {
      last = new Map((await this.api(opts.replica ?? 0).allTasks({ limit: 500 })).filter((t) => want.has(t.id)).map((t) => [t.id, t]));
      if (ids.every((id) => last.has(id) && done(last.get(id)!))) return last;
      await new Promise((r) => setTimeout(r, 500));
    }
    const pending = ids.filter((id) => !last.has(id) || !done(last.get(id)!));
    const sample = pending.slice(0, 5).map((id) => `${id}: ${last.get(id)?.state ?? 'missing'} ${JSON.stringify(last.get(id)?.error ?? null)}`);
    throw new Error(`${pending.length} of ${ids.length} tasks not done in time, e.g.\n${sample.join('\n')}`);
  }
}

/**
 * fetch on a new connection each time, made with node:http without an agent. Node's fetch (undici)
 * may send a request on a kept-alive socket at the moment the server closes it (idle timeout, or
 * `connection: close` on the previous answer), and the request then fails with "other side closed"
 * without reaching the server (nodejs/undici#3141; seen here under load even with `connection:
 * close`). A client may not blindly resend a POST that creates something, so the tests' clients do
 * not share sockets at all.
 */
export const freshConnectionFetch: typeof fetch = (input, init) =>
  new Promise((resolve, reject) => {
    const body = typeof init?.body === 'string' ? init.body : undefined;
    const headers: Record<string, string | number> = { ...(init?.headers as Record<string, string>), connection: 'close' };
    if (body !== undefined) headers['content-length'] = Buffer.byteLength(body);
    const req = http.request(new URL(String(input)), { method: init?.method ?? 'GET', headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const status = res.statusCode ?? 0;
        const answerHeaders = Object.entries(res.headers).flatMap(([k, v]) => (Array.isArray(v) ? v.map((x) => [k, x]) : v === undefined ? [] : [[k, v]])) as Array<[string, string]>;
        const content = status === 204 || status === 304 || init?.method === 'HEAD' ? null : Buffer.concat(chunks);
        resolve(new Response(content, { status, headers: answerHeaders }));
      });
    });
    // the shape fetch rejects with, so callers read the cause's code as they would from fetch
    req.on('error', (e) => reject(Object.assign(new TypeError('fetch failed'), { cause: e })));
    req.end(body);
  });

/** Runs `work` for every item with at most `limit` at a time; results in item order. */
export async function pool<T, R>(items: T[], limit: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await work(items[i], i);
    }
  });
  await Promise.all(lanes);
  return out;
}

export function statesOf(tasks: Iterable<TaskView>): Partial<Record<TaskState, number>> {
  const out: Partial<Record<TaskState, number>> = {};
  for (const t of tasks) out[t.state] = (out[t.state] ?? 0) + 1;
  return out;
}

function ref(text: string): { driveId: string; path: string } {
  const i = text.indexOf(':');
  return { driveId: text.slice(0, i), path: text.slice(i + 1) };
}
