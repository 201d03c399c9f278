import type { DriveView, FileListing } from '@ferry/contracts';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { toApiError, type ApiError } from '../api/api-error';
import { joinPath } from '../format.util';
import { navigate, type Route } from '../router.util';
import { useSession } from '../session/session';
import { TransferDialog } from '../transfer/transfer-dialog';
import { ContextMenu } from '../ui/context-menu';
import { ErrorBox } from '../ui/error-box';
import { Breadcrumbs } from './breadcrumbs';
import { DriveList } from './drive-list';
import { FileTable } from './file-table';

/** The file browser: readable drives, one folder's listing, selection, and Transfer to…. */
export function FilesPage({ route }: { route: Route }) {
  const { api } = useSession();
  const [drives, setDrives] = useState<DriveView[] | null>(null);
  const [listing, setListing] = useState<FileListing | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [loading, setLoading] = useState(false);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [menu, setMenu] = useState<{ x: number; y: number; name: string } | null>(null);
  const [dialogOpen, setDialogOpen] = useState(false);
  const [reload, setReload] = useState(0);

  const readable = useMemo(() => (drives ?? []).filter((d) => d.permissions.includes('READ')), [drives]);
  const driveId = route.params.get('drive') ?? readable[0]?.id ?? null;
  const path = route.params.get('path') ?? '';
  const drive = readable.find((d) => d.id === driveId) ?? null;

  useEffect(() => {
    api.drives().then(setDrives, (e) => setError(toApiError(e)));
  }, [api]);

  useEffect(() => {
    if (!driveId) return;
    const ctl = new AbortController();
    setLoading(true);
    setError(null);
    api
      .files(driveId, path, ctl.signal)
      .then((l) => {
        setListing(l);
        setSelected(new Set());
      })
      .catch((e) => {
        if ((e as Error).name !== 'AbortError') {
          setListing(null);
          setError(toApiError(e));
        }
      })
      .finally(() => !ctl.signal.aborted && setLoading(false));
    return () => ctl.abort();
  }, [api, driveId, path, reload]);

  const go = useCallback((d: string, p: string) => navigate('files', p ? { drive: d, path: p } : { drive: d }), []);
  // folders first, then by name, whatever order the gateway listed them in
  const entries = useMemo(
    () =>
      (listing && listing.driveId === driveId ? [...listing.entries] : []).sort(
        (x, y) => Number(y.type === 'dir') - Number(x.type === 'dir') || x.name.localeCompare(y.name),
      ),
    [listing, driveId],
  );
  const closeMenu = useCallback(() => setMenu(null), []);
  const selectedEntries = entries.filter((e) => selected.has(e.name));
  const count = selectedEntries.length;

  return (
    <div className="files-page">
      <aside className="sidebar">
        <h2 className="sidebar-title">Drives</h2>
        {drives === null && !error && <p className="muted">Loading drives…</p>}
        {drives && readable.length === 0 && <p className="muted">You cannot read any drive yet.</p>}
        {readable.length > 0 && <DriveList drives={readable} current={driveId} onSelect={(id) => go(id, '')} />}
      </aside>
      <section className="browser" aria-labelledby="browser-title">
        <h1 id="browser-title" className="visually-hidden">
          Files
        </h1>
        {drive && (
          <div className="browser-head">
            <Breadcrumbs
              label="Folder path"
              rootLabel={`${drive.name} (${drive.providerName || drive.providerId})`}
              path={path}
              onGo={(p) => go(drive.id, p)}
            />
            <div className="toolbar" role="toolbar" aria-label="File actions">
              <span className="selection-count" aria-live="polite">
                {count === 0 ? 'Nothing selected' : `${count} selected`}
              </span>
              <button type="button" onClick={() => setReload((n) => n + 1)}>
                Refresh
              </button>
              <button type="button" className="primary" disabled={count === 0} onClick={() => setDialogOpen(true)}>
                Transfer to…
              </button>
            </div>
          </div>
        )}
        <ErrorBox error={error} onDismiss={() => setError(null)} />
        {loading && <p className="muted" aria-live="polite">Loading…</p>}
        {drive && listing && !loading && (
          <FileTable
            entries={entries}
            selected={selected}
            onSelectionChange={setSelected}
            onOpenDir={(name) => go(drive.id, joinPath(path, name))}
            onContextMenu={(name, x, y) => setMenu({ x, y, name })}
          />
        )}
      </section>
      {menu && drive && (
        <ContextMenu
          x={menu.x}
          y={menu.y}
          label="File actions"
          onClose={closeMenu}
          items={[
            { label: 'Transfer to…', onSelect: () => setDialogOpen(true), disabled: count === 0 },
            ...(count === 1 && selectedEntries[0].type === 'dir'
              ? [{ label: 'Open', onSelect: () => go(drive.id, joinPath(path, selectedEntries[0].name)) }]
              : []),
            { label: 'Select all', onSelect: () => setSelected(new Set(entries.map((e) => e.name))) },
            { label: 'Clear selection', onSelect: () => setSelected(new Set()), disabled: count === 0 },
          ]}
        />
      )}
      {dialogOpen && drive && (
        <TransferDialog
          sourceDrive={drive}
          sourceDir={path}
          items={selectedEntries}
          onClose={() => setDialogOpen(false)}
          onStarted={() => navigate('tasks')}
        />
      )}
    </div>
  );
}
