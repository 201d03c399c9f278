import { isEndState, TaskState, TaskView } from '@ferry/contracts';
import type { CoreApiClient } from '../api/core-api.client';
import { ProgressRenderer } from './progress-bar';

const ACTIVE_STATES: TaskState[] = ['NEGOTIATING', 'AWAITING_TRIGGER', 'STARTING', 'RUNNING', 'PAUSED', 'FINALIZING'];

export interface WatchOptions {
  pollMs: number;
  /** draw progress bars (off for --json) */
  renderer?: ProgressRenderer;
  /** stop early, e.g. on Ctrl-C */
  signal?: AbortSignal;
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
  });

/** Polls one task until it reaches an end state (or the signal aborts); returns its last view. */
export async function watchTask(client: CoreApiClient, id: string, opts: WatchOptions): Promise<TaskView> {
  for (;;) {
    const t = await client.task(id);
    opts.renderer?.render([t]);
    if (isEndState(t.state) || opts.signal?.aborted) return t;
    await sleep(opts.pollMs, opts.signal);
  }
}

/**
 * Follows every active task of the caller (and any that start meanwhile) until none is active.
 * Tasks that ended stay on screen with their final state. Returns the final views.
 */
export async function watchActiveTasks(client: CoreApiClient, opts: WatchOptions): Promise<TaskView[]> {
  const seen = new Map<string, TaskView>();
  for (;;) {
    const active = await client.allTasks({ state: ACTIVE_STATES });
    const activeIds = new Set(active.map((t) => t.id));
    for (const t of active) seen.set(t.id, t);
    // tasks that left the active list: fetch once for their end state
    for (const [id, t] of seen) {
      if (!activeIds.has(id) && !isEndState(t.state)) seen.set(id, await client.task(id));
    }
    const all = [...seen.values()];
    opts.renderer?.render(all);
    if (active.length === 0 || opts.signal?.aborted) return all;
    await sleep(opts.pollMs, opts.signal);
  }
}
