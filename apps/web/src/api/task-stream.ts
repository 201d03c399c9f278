import type { TaskView } from '@ferry/contracts';
import type { ApiClient } from './api-client';

export type StreamStatus = 'connecting' | 'live' | 'polling';

export interface TaskStreamHandlers {
  onTask: (t: TaskView) => void;
  onStatus: (s: StreamStatus) => void;
  /** reload the task list: after (re)connecting, and every few seconds while the stream is down */
  resync: () => Promise<void>;
  onFatal?: (e: Error) => void;
}

const POLL_MS = 2000;
const MAX_BACKOFF_MS = 15000;

/**
 * Live task updates from GET /api/tasks/events (server-sent events, `event: task`, data = TaskView).
 * Read with fetch() streaming rather than EventSource so the token travels in the Authorization
 * header, never in a URL that could end up in logs. When the stream drops, the list is polled
 * until a reconnect (with backoff) succeeds. Returns a function that stops everything.
 */
export function subscribeTasks(api: ApiClient, h: TaskStreamHandlers): () => void {
  const ctl = new AbortController();
  let pollTimer: ReturnType<typeof setInterval> | null = null;
  let backoff = 1000;
  // the core numbers events by update time; on reconnect it replays what changed since this id
  let lastEventId: string | null = null;

  const startPolling = () => {
    if (pollTimer) return;
    h.onStatus('polling');
    pollTimer = setInterval(() => void h.resync().catch(() => undefined), POLL_MS);
  };
  const stopPolling = () => {
    if (pollTimer) clearInterval(pollTimer);
    pollTimer = null;
  };

  const connectOnce = async (): Promise<void> => {
    const res = await fetch('/api/tasks/events', {
      headers: {
        authorization: `Bearer ${api.token}`,
        accept: 'text/event-stream',
        ...(lastEventId ? { 'last-event-id': lastEventId } : {}),
      },
      signal: ctl.signal,
      cache: 'no-store',
    });
    if (res.status === 401) throw Object.assign(new Error('the session is no longer valid'), { fatal: true });
    if (!res.ok || !res.body) throw new Error(`events endpoint answered ${res.status}`);
    stopPolling();
    backoff = 1000;
    h.onStatus('live');
    void h.resync().catch(() => undefined); // catch up on what happened while we were away
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    let buf = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buf += value;
      let sep: RegExpExecArray | null;
      while ((sep = /\r?\n\r?\n/.exec(buf))) {
        dispatch(buf.slice(0, sep.index));
        buf = buf.slice(sep.index + sep[0].length);
      }
    }
  };

  const dispatch = (block: string) => {
    let event = 'message';
    const data: string[] = [];
    for (const line of block.split(/\r?\n/)) {
      if (!line || line.startsWith(':')) continue; // comment / heartbeat
      const i = line.indexOf(':');
      const field = i < 0 ? line : line.slice(0, i);
      const value = i < 0 ? '' : line.slice(i + 1).replace(/^ /, '');
      if (field === 'event') event = value;
      else if (field === 'id' && value) lastEventId = value;
      else if (field === 'data') data.push(value);
    }
    if (data.length === 0 || (event !== 'task' && event !== 'message')) return;
    try {
      const t = JSON.parse(data.join('\n')) as TaskView;
      if (t && typeof t.id === 'string' && typeof t.state === 'string') h.onTask(t);
    } catch {
      /* a malformed event is skipped; the next resync repairs the list */
    }
  };

  void (async () => {
    h.onStatus('connecting');
    while (!ctl.signal.aborted) {
      try {
        await connectOnce();
      } catch (e) {
        if (ctl.signal.aborted) break;
        if ((e as { fatal?: boolean }).fatal) {
          stopPolling();
          h.onFatal?.(e as Error);
          return;
        }
      }
      if (ctl.signal.aborted) break;
      startPolling();
      await new Promise((r) => setTimeout(r, backoff));
      backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
    }
  })();

  return () => {
    ctl.abort();
    stopPolling();
  };
}
