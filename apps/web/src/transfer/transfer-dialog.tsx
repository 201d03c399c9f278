import type { DriveView, FileEntry, ProviderView, TransferOptions, VerifyMode } from '@ferry/contracts';
import { useEffect, useMemo, useState } from 'react';
import { toApiError, type ApiError } from '../api/api-error';
import { groupByProvider } from '../files/drive-list';
import { joinPath } from '../format.util';
import { runTransfers, type ItemOutcome } from '../negotiation/transfer-runner';
import { useSession } from '../session/session';
import { ErrorBox } from '../ui/error-box';
import { ModalDialog } from '../ui/modal-dialog';
import { FolderPicker } from './folder-picker';

/**
 * Transfer to…: pick a writable folder at any provider and options, then negotiate, verify the
 * gateways' signatures, open the envelopes and trigger — one transfer per selected item.
 */
export function TransferDialog({
  sourceDrive,
  sourceDir,
  items,
  onClose,
  onStarted,
}: {
  sourceDrive: DriveView;
  sourceDir: string;
  items: FileEntry[];
  onClose: () => void;
  onStarted: () => void;
}) {
  const { api } = useSession();
  const [drives, setDrives] = useState<DriveView[] | null>(null);
  const [providers, setProviders] = useState<ProviderView[]>([]);
  const [destId, setDestId] = useState<string>('');
  const [destPath, setDestPath] = useState('');
  const [verify, setVerify] = useState<VerifyMode>('size');
  const [mechanism, setMechanism] = useState('');
  const [loadError, setLoadError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState<{ done: number; total: number } | null>(null);
  const [outcomes, setOutcomes] = useState<ItemOutcome[] | null>(null);

  useEffect(() => {
    Promise.all([api.drives(), api.providers().catch(() => [] as ProviderView[])]).then(
      ([d, p]) => {
        const writable = d.filter((x) => x.permissions.includes('WRITE'));
        setDrives(writable);
        setProviders(p);
        // Default to a drive at another provider: that is what this dialog is for.
        const first = writable.find((x) => x.providerId !== sourceDrive.providerId) ?? writable[0];
        if (first) setDestId(first.id);
      },
      (e) => setLoadError(toApiError(e)),
    );
  }, [api, sourceDrive.providerId]);

  const dest = drives?.find((d) => d.id === destId) ?? null;
  const providerName = (id: string) => providers.find((p) => p.id === id)?.name ?? id;
  const mechanisms = useMemo(() => {
    if (!dest) return [];
    const a = providers.find((p) => p.id === sourceDrive.providerId)?.mechanisms ?? [];
    const b = providers.find((p) => p.id === dest.providerId)?.mechanisms ?? [];
    // Tunnels are not file transfers; the source's order is its preference.
    return a.filter((m) => b.includes(m) && m !== 'stream-tunnel');
  }, [providers, dest, sourceDrive.providerId]);

  const start = async () => {
    if (!dest) return;
    const options: TransferOptions = { verify, ...(mechanism ? { mechanism } : {}) };
    setBusy({ done: 0, total: items.length });
    const result = await runTransfers(
      api,
      items.map((e) => ({ name: e.name, source: { driveId: sourceDrive.id, path: joinPath(sourceDir, e.name) } })),
      { driveId: dest.id, path: destPath },
      options,
      (done, total) => setBusy({ done, total }),
    ).catch((e) => [{ item: { name: items[0]?.name ?? '', source: { driveId: sourceDrive.id, path: sourceDir } }, ok: false as const, error: toApiError(e) }]);
    setBusy(null);
    if (result.every((o) => o.ok)) onStarted();
    else setOutcomes(result);
  };

  const sameProvider = dest && dest.providerId === sourceDrive.providerId;
  const srcName = sourceDrive.providerName || providerName(sourceDrive.providerId);
  const dstName = dest ? dest.providerName || providerName(dest.providerId) : '';
  const what = items.length === 1 ? `“${items[0].name}”` : `${items.length} items`;

  if (outcomes) {
    const okCount = outcomes.filter((o) => o.ok).length;
    return (
      <ModalDialog
        title={okCount ? 'Some transfers did not start' : 'The transfer did not start'}
        onClose={onClose}
        footer={
          <>
            <button type="button" onClick={onClose}>
              Close
            </button>
            {okCount > 0 && (
              <button type="button" className="primary" onClick={onStarted}>
                Go to tasks
              </button>
            )}
          </>
        }
      >
        <ul className="outcomes">
          {outcomes.map((o) => (
            <li key={o.item.source.path}>
              <strong>{o.item.name}</strong>
              {o.ok ? <span className="ok"> started</span> : <ErrorBox error={o.error} />}
            </li>
          ))}
        </ul>
      </ModalDialog>
    );
  }

  return (
    <ModalDialog
      title={`Transfer ${what} to…`}
      onClose={onClose}
      busy={!!busy}
      wide
      footer={
        <>
          <button type="button" onClick={onClose} disabled={!!busy}>
            Cancel
          </button>
          <button type="button" className="primary" onClick={start} disabled={!dest || !!busy}>
            {busy ? `Starting ${Math.min(busy.done + 1, busy.total)} of ${busy.total}…` : `Transfer ${items.length === 1 ? '' : `${items.length} items `}here`}
          </button>
        </>
      }
    >
      <ErrorBox error={loadError} />
      {drives && drives.length === 0 && <p className="muted">You may not write to any drive.</p>}
      {drives && drives.length > 0 && (
        <div className="transfer-form">
          <div className="field">
            <label htmlFor="dest-drive">Destination drive</label>
            <select
              id="dest-drive"
              value={destId}
              onChange={(e) => {
                setDestId(e.target.value);
                setDestPath('');
                setMechanism('');
              }}
            >
              {groupByProvider(drives).map(([provider, list]) => (
                <optgroup key={provider} label={provider}>
                  {list.map((d) => (
                    <option key={d.id} value={d.id}>
                      {d.name} ({d.providerName || d.providerId})
                    </option>
                  ))}
                </optgroup>
              ))}
            </select>
          </div>
          {dest && (
            <div className="field">
              <span className="field-label" id="dest-folder-label">
                Destination folder
              </span>
              <FolderPicker drive={dest} path={destPath} onPath={setDestPath} />
            </div>
          )}
          <fieldset className="field">
            <legend>Verify after copying</legend>
            <label className="inline">
              <input type="radio" name="verify" value="size" checked={verify === 'size'} onChange={() => setVerify('size')} /> Sizes
            </label>
            <label className="inline">
              <input type="radio" name="verify" value="checksum" checked={verify === 'checksum'} onChange={() => setVerify('checksum')} /> Checksums
              (slower, reads every byte again)
            </label>
          </fieldset>
          {mechanisms.length > 1 && (
            <div className="field">
              <label htmlFor="mechanism">Mechanism</label>
              <select id="mechanism" value={mechanism} onChange={(e) => setMechanism(e.target.value)}>
                <option value="">Let the providers choose ({mechanisms[0]})</option>
                {mechanisms.map((m) => (
                  <option key={m} value={m}>
                    {m}
                  </option>
                ))}
              </select>
            </div>
          )}
          {dest && (
            <div className="notice" role="note">
              {sameProvider ? (
                <p>
                  Both drives are at <strong>{srcName}</strong>. Its gateway copies the data and checks its own policy first.
                </p>
              ) : (
                <p>
                  This transfer goes between <strong>two separate providers</strong>: <strong>{srcName}</strong> sends the data
                  directly to <strong>{dstName}</strong>. Each provider checks its own policy and may refuse; ferry only negotiates
                  and never sees the data.
                </p>
              )}
              <p className="summary">
                {items.length === 1
                  ? `${sourceDrive.name}:/${joinPath(sourceDir, items[0].name)} → ${dest.name}:/${joinPath(destPath, items[0].name)}`
                  : `${items.length} items from ${sourceDrive.name}:/${sourceDir} → into ${dest.name}:/${destPath}`}
              </p>
            </div>
          )}
        </div>
      )}
    </ModalDialog>
  );
}
