import { END_STATES, isEndState, type TaskOperation, type TaskView, type TransferView } from '@ferry/contracts';
import { useMemo, useState } from 'react';
import { useSession } from '../session/session';
import { ErrorBox } from '../ui/error-box';
import { TaskCard } from './task-card';
import { useTasks, type HistoryFilter } from './use-tasks';

const byNewest = (a: TaskView, b: TaskView) => Date.parse(b.createdAt) - Date.parse(a.createdAt);

const STATUS_TEXT = { live: 'Live', polling: 'Reconnecting… (polling)', connecting: 'Connecting…' } as const;

/** Background tasks: active ones with live progress, then the history with filters. */
export function TasksPage() {
  const { api } = useSession();
  const [filter, setFilter] = useState<HistoryFilter>({ state: '', kind: '' });
  const { tasks, status, error, loaded, merge, loadMore, clearError } = useTasks(api, filter);

  const active = useMemo(() => tasks.filter((t) => !isEndState(t.state)).sort(byNewest), [tasks]);
  const history = useMemo(
    () =>
      tasks
        .filter((t) => isEndState(t.state))
        .filter((t) => !filter.state || t.state === filter.state)
        .filter((t) => !filter.kind || t.kind === filter.kind)
        .sort(byNewest),
    [tasks, filter],
  );

  const operate = async (t: TaskView, op: TaskOperation) => {
    const r = await api.operate(t.id, op);
    // The core answers with the task (or the transfer holding it); show it at once, events follow.
    const view = (r as unknown as TransferView | undefined)?.task ?? (r as TaskView | undefined);
    if (view && typeof view.id === 'string' && typeof view.state === 'string') merge([view]);
  };

  return (
    <div className="tasks-page">
      <div className="page-head">
        <h1>Background tasks</h1>
        <span className={`stream-status stream-${status}`} role="status">
          {STATUS_TEXT[status]}
        </span>
      </div>
      <ErrorBox error={error} onDismiss={clearError} />
      <section aria-labelledby="active-title">
        <h2 id="active-title">Active {active.length > 0 && <span className="count">({active.length})</span>}</h2>
        {loaded && active.length === 0 && <p className="muted">No task is running.</p>}
        <div className="task-list" data-testid="active-tasks">
          {active.map((t) => (
            <TaskCard key={t.id} task={t} onOperate={(op) => operate(t, op)} />
          ))}
        </div>
      </section>
      <section aria-labelledby="history-title">
        <div className="history-head">
          <h2 id="history-title">History</h2>
          <div className="filters">
            <label>
              State{' '}
              <select aria-label="Filter by state" value={filter.state} onChange={(e) => setFilter({ ...filter, state: e.target.value as HistoryFilter['state'] })}>
                <option value="">All</option>
                {END_STATES.map((s) => (
                  <option key={s} value={s}>
                    {s.toLowerCase()}
                  </option>
                ))}
              </select>
            </label>
            <label>
              Kind{' '}
              <select aria-label="Filter by kind" value={filter.kind} onChange={(e) => setFilter({ ...filter, kind: e.target.value as HistoryFilter['kind'] })}>
                <option value="">All</option>
                <option value="transfer">Transfers</option>
                <option value="tunnel">Tunnels</option>
              </select>
            </label>
          </div>
        </div>
        {loaded && history.length === 0 && <p className="muted">No finished tasks{filter.state || filter.kind ? ' match these filters' : ''}.</p>}
        <div className="task-list" data-testid="finished-tasks">
          {history.map((t) => (
            <TaskCard key={t.id} task={t} onOperate={(op) => operate(t, op)} />
          ))}
        </div>
        {loadMore && (
          <button type="button" className="load-more" onClick={() => void loadMore()}>
            Load older tasks
          </button>
        )}
      </section>
    </div>
  );
}
