import { isEndState, type TaskState, type TaskView } from '@ferry/contracts';
import { useCallback, useEffect, useRef, useState } from 'react';
import type { ApiClient } from '../api/api-client';
import { toApiError, type ApiError } from '../api/api-error';
import { subscribeTasks, type StreamStatus } from '../api/task-stream';

export interface HistoryFilter {
  state: TaskState | '';
  kind: 'transfer' | 'tunnel' | '';
}

/** Keeps the newer of two views of a task (events and polls can arrive in any order). */
function newer(a: TaskView | undefined, b: TaskView): TaskView {
  if (!a) return b;
  if (isEndState(a.state) && !isEndState(b.state)) return a;
  return Date.parse(b.updatedAt) >= Date.parse(a.updatedAt) ? b : a;
}

/**
 * All tasks this page knows about: the first page of GET /api/tasks, live events, and older
 * history pages loaded on demand with the history filter applied by the core.
 */
export function useTasks(api: ApiClient, filter: HistoryFilter) {
  const [tasks, setTasks] = useState<Map<string, TaskView>>(new Map());
  const [status, setStatus] = useState<StreamStatus>('connecting');
  const [error, setError] = useState<ApiError | null>(null);
  const [loaded, setLoaded] = useState(false);
  const [cursor, setCursor] = useState<string | null>(null);
  const filterRef = useRef(filter);
  filterRef.current = filter;

  const merge = useCallback((list: TaskView[]) => {
    setTasks((prev) => {
      const next = new Map(prev);
      for (const t of list) next.set(t.id, newer(prev.get(t.id), t));
      return next;
    });
  }, []);

  const resync = useCallback(async () => {
    try {
      const page = await api.tasks({ limit: 100 });
      merge(page.items);
      setLoaded(true);
      setError(null);
    } catch (e) {
      setError(toApiError(e));
      throw e;
    }
  }, [api, merge]);

  useEffect(() => {
    void resync().catch(() => undefined);
    return subscribeTasks(api, {
      onTask: (t) => merge([t]),
      onStatus: setStatus,
      resync,
      onFatal: (e) => setError(toApiError(e)),
    });
  }, [api, merge, resync]);

  // A history filter asks the core for matching tasks, so old ones beyond the first page show up.
  const loadHistory = useCallback(
    async (from: string | null) => {
      const f = filterRef.current;
      try {
        const page = await api.tasks({
          state: f.state ? [f.state] : undefined,
          kind: f.kind || undefined,
          limit: 50,
          cursor: from,
        });
        merge(page.items);
        setCursor(page.nextCursor);
      } catch (e) {
        setError(toApiError(e));
      }
    },
    [api, merge],
  );

  useEffect(() => {
    void loadHistory(null);
  }, [filter.state, filter.kind, loadHistory]);

  return { tasks: [...tasks.values()], status, error, loaded, merge, loadMore: cursor ? () => loadHistory(cursor) : null, clearError: () => setError(null) };
}
