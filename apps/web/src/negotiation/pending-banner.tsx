import { isEndState } from '@ferry/contracts';
import { useCallback, useEffect, useState } from 'react';
import { toApiError, type ApiError } from '../api/api-error';
import { navigate } from '../router.util';
import { useSession } from '../session/session';
import { ErrorBox } from '../ui/error-box';
import { listPending, ownerTag, removePending, type PendingNegotiation } from './pending-store';
import { finishTransfer } from './transfer-runner';

/**
 * Negotiations that were answered but never triggered (the tab closed in between). Offers the
 * choice to finish them (needs this browser's key) or discard them (the core lets them expire).
 */
export function PendingBanner() {
  const { api } = useSession();
  const [pending, setPending] = useState<PendingNegotiation[]>([]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);

  const refresh = useCallback(async () => {
    const list = await listPending(ownerTag(api.token));
    const live: PendingNegotiation[] = [];
    for (const p of list) {
      try {
        const t = await api.transfer(p.id);
        // Triggered elsewhere, expired, or rejected since: nothing to finish.
        if (t.state !== 'AWAITING_TRIGGER') await removePending(p.id);
        else live.push({ ...p, transfer: t });
      } catch (e) {
        const err = toApiError(e);
        if (err.code === 'NOT_FOUND') await removePending(p.id);
        else live.push(p);
      }
    }
    setPending(live);
  }, [api]);

  useEffect(() => {
    void refresh().catch(() => undefined);
  }, [refresh]);

  if (pending.length === 0) return null;

  const finish = async () => {
    setBusy(true);
    setError(null);
    try {
      const providers = await api.providers();
      for (const p of pending) await finishTransfer(api, p.transfer, providers);
      await refresh();
      navigate('tasks');
    } catch (e) {
      setError(toApiError(e));
      await refresh().catch(() => undefined);
    } finally {
      setBusy(false);
    }
  };

  const discard = async () => {
    setBusy(true);
    setError(null);
    for (const p of pending) {
      // Cancel at the core when it allows it; otherwise the transfer simply expires at its deadline.
      if (p.transfer.task.operations.includes('cancel') && !isEndState(p.transfer.task.state)) {
        await api.operate(p.id, 'cancel').catch(() => undefined);
      }
      await removePending(p.id);
    }
    setPending([]);
    setBusy(false);
  };

  const n = pending.length;
  return (
    <div className="pending-banner" role="region" aria-label="Transfers not started">
      <p>
        <strong>
          {n === 1 ? 'A transfer was' : `${n} transfers were`} prepared but not started
        </strong>{' '}
        (the page was closed before {n === 1 ? 'it was' : 'they were'} approved):{' '}
        {pending.map((p) => `${p.transfer.source.driveId}:/${p.transfer.source.path} → ${p.transfer.destination.driveId}:/${p.transfer.destination.path}`).join(', ')}.
        {' '}Unfinished transfers expire at {new Date(pending[0].transfer.triggerDeadline).toLocaleTimeString()}.
      </p>
      <ErrorBox error={error} />
      <div className="actions">
        <button type="button" className="primary" onClick={finish} disabled={busy}>
          Finish {n === 1 ? 'it' : 'them'}
        </button>
        <button type="button" onClick={discard} disabled={busy}>
          Discard
        </button>
      </div>
    </div>
  );
}
