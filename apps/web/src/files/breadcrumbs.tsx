import { pathSegments } from '../format.util';

/** Drive root › folder › folder; every part but the last is a button that goes there. */
export function Breadcrumbs({ rootLabel, path, onGo, label }: { rootLabel: string; path: string; onGo: (p: string) => void; label: string }) {
  const segs = pathSegments(path);
  const crumbs = [{ name: rootLabel, path: '' }, ...segs.map((s, i) => ({ name: s, path: segs.slice(0, i + 1).join('/') }))];
  return (
    <nav className="breadcrumbs" aria-label={label}>
      <ol>
        {crumbs.map((c, i) => (
          <li key={c.path || '/'}>
            {i === crumbs.length - 1 ? (
              <span aria-current="location">{c.name}</span>
            ) : (
              <button type="button" className="link-button" onClick={() => onGo(c.path)}>
                {c.name}
              </button>
            )}
          </li>
        ))}
      </ol>
    </nav>
  );
}
