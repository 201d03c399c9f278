import { isEndState, type TaskOperation, type TaskView } from '@ferry/contracts';
import { useState } from 'react';
import { toApiError, type ApiError } from '../api/api-error';
import { formatBytes, formatDate, formatEta, formatRate, percent } from '../format.util';
import { ErrorBox } from '../ui/error-box';
import { ProgressBar } from '../ui/progress-bar';

const OP_LABEL: Record<TaskOperation, string> = { pause: 'Pause', resume: 'Resume', cancel: 'Cancel' };

function title(t: TaskView): string {
  if (t.label) return t.label;
  const src = t.sourceLabel.split(':').slice(1).join(':') || t.sourceLabel;
  return src.split('/').filter(Boolean).pop() || t.sourceLabel;
}

/** One task: state, progress, numbers, message, error, and only the operations it allows right now. */
export function TaskCard({ task: t, onOperate }: { task: TaskView; onOperate: (op: TaskOperation) => Promise<void> }) {
  const [pending, setPending] = useState<TaskOperation | null>(null);
  const [opError, setOpError] = useState<ApiError | null>(null);
  const p = t.progress;
  const done = isEndState(t.state);
  const pct =
    t.state === 'SUCCEEDED' ? 100 : percent(p.bytesDone, p.bytesTotal) ?? percent(p.filesDone, p.filesTotal) ?? (done ? 0 : null);
  const isTunnel = t.kind === 'tunnel';
  // a paused task keeps its last report; its rate and ETA would be stale
  const moving = t.state === 'RUNNING';
  // refused or expired before anything moved: no progress to speak of
  const neverStarted = (t.state === 'REJECTED' || t.state === 'EXPIRED') && p.bytesDone === 0 && p.filesDone === 0;

  const run = async (op: TaskOperation) => {
    setPending(op);
    setOpError(null);
    try {
      await onOperate(op);
    } catch (e) {
      setOpError(toApiError(e));
    } finally {
      setPending(null);
    }
  };

  return (
    <article className={`task-card state-${t.state.toLowerCase()}`} aria-labelledby={`task-${t.id}-title`} data-task-id={t.id} data-state={t.state}>
      <header className="task-head">
        <div className="task-title-block">
          <h3 id={`task-${t.id}-title`} className="task-title">
            {title(t)}
          </h3>
          <p className="task-route">
            <span title={t.sourceProviderId}>{t.sourceLabel}</span>
            <span aria-label="to"> → </span>
            <span title={t.destinationProviderId}>{t.destinationLabel}</span>
          </p>
        </div>
        <span className={`badge badge-${t.state.toLowerCase()}`} aria-label={`State: ${t.state}`}>
          {t.state}
        </span>
      </header>
      {!isTunnel && !neverStarted && <ProgressBar value={pct} label={`Progress of ${title(t)}`} state={t.state} />}
      {isTunnel ? (
        <dl className="task-stats">
          <div>
            <dt>Listening at</dt>
            <dd>
              <code>{t.tunnel?.listenAddress ?? '—'}</code>
            </dd>
          </div>
          <div>
            <dt>Connections</dt>
            <dd>
              {t.tunnel?.connectionsOpen ?? 0} open · {t.tunnel?.connectionsTotal ?? 0} total
            </dd>
          </div>
          <div>
            <dt>A → B</dt>
            <dd>{formatBytes(t.tunnel?.bytesAtoB ?? 0)}</dd>
          </div>
          <div>
            <dt>B → A</dt>
            <dd>{formatBytes(t.tunnel?.bytesBtoA ?? 0)}</dd>
          </div>
        </dl>
      ) : neverStarted ? (
        <dl className="task-stats">
          <div>
            <dt>Ended</dt>
            <dd>{formatDate(t.finishedAt ?? t.updatedAt)}</dd>
          </div>
        </dl>
      ) : (
        <dl className="task-stats">
          <div>
            <dt>Data</dt>
            <dd className="stat-bytes">
              {formatBytes(p.bytesDone)} of {formatBytes(p.bytesTotal)}
            </dd>
          </div>
          <div>
            <dt>Files</dt>
            <dd className="stat-files">
              {p.filesDone} of {p.filesTotal ?? '?'}
            </dd>
          </div>
          {!done && (
            <>
              <div>
                <dt>Rate</dt>
                <dd>{moving ? formatRate(p.rate) : '—'}</dd>
              </div>
              <div>
                <dt>Time left</dt>
                <dd>{moving ? formatEta(p.eta) : t.state === 'PAUSED' ? 'paused' : '—'}</dd>
              </div>
            </>
          )}
          <div>
            <dt>Mechanism</dt>
            <dd>{t.mechanism ?? '—'}</dd>
          </div>
          <div>
            <dt>{done ? 'Finished' : 'Started'}</dt>
            <dd>{formatDate(done ? (t.finishedAt ?? t.updatedAt) : t.createdAt)}</dd>
          </div>
        </dl>
      )}
      {p.message && <p className="task-message">{p.message}</p>}
      {t.error && <ErrorBox error={{ code: t.error.code, message: t.error.message } as ApiError} />}
      <ErrorBox error={opError} onDismiss={() => setOpError(null)} />
      {t.operations.length > 0 && (
        <div className="task-actions">
          {t.operations.map((op) => (
            <button
              key={op}
              type="button"
              className={op === 'cancel' ? 'danger' : undefined}
              disabled={pending !== null}
              onClick={() => run(op)}
              aria-label={`${OP_LABEL[op]} ${title(t)}`}
            >
              {pending === op ? `${OP_LABEL[op]}…` : OP_LABEL[op]}
            </button>
          ))}
        </div>
      )}
    </article>
  );
}
