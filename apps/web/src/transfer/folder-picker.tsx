import type { DriveView, FileEntry } from '@ferry/contracts';
import { useEffect, useState } from 'react';
import { toApiError, type ApiError } from '../api/api-error';
import { Breadcrumbs } from '../files/breadcrumbs';
import { joinPath } from '../format.util';
import { useSession } from '../session/session';
import { ErrorBox } from '../ui/error-box';

/** Browses folders of one writable drive; the folder being shown is the chosen destination. */
export function FolderPicker({ drive, path, onPath }: { drive: DriveView; path: string; onPath: (p: string) => void }) {
  const { api } = useSession();
  const [dirs, setDirs] = useState<FileEntry[] | null>(null);
  const [error, setError] = useState<ApiError | null>(null);

  useEffect(() => {
    const ctl = new AbortController();
    setDirs(null);
    setError(null);
    api
      .files(drive.id, path, ctl.signal)
      .then((l) => setDirs(l.entries.filter((e) => e.type === 'dir')))
      .catch((e) => (e as Error).name !== 'AbortError' && setError(toApiError(e)));
    return () => ctl.abort();
  }, [api, drive.id, path]);

  return (
    <div className="folder-picker">
      <Breadcrumbs label="Destination folder path" rootLabel={drive.name} path={path} onGo={onPath} />
      <ErrorBox error={error} />
      {dirs === null && !error && <p className="muted">Loading folders…</p>}
      {dirs && (
        <ul className="folder-list" aria-label={`Folders in ${path || drive.name}`}>
          {dirs.length === 0 && <li className="muted">No sub-folders here.</li>}
          {dirs.map((d) => (
            <li key={d.name}>
              <button type="button" className="folder-button" onClick={() => onPath(joinPath(path, d.name))}>
                <span className="file-icon file-icon-dir" aria-hidden="true" />
                {d.name}
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
