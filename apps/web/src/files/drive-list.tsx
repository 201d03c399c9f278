import type { DriveView } from '@ferry/contracts';

/** Drives grouped by provider. A list on wide screens, a select on a phone (CSS decides which shows). */
export function DriveList({ drives, current, onSelect }: { drives: DriveView[]; current: string | null; onSelect: (id: string) => void }) {
  const byProvider = groupByProvider(drives);
  return (
    <>
      <nav className="drive-list" aria-label="Drives you can read">
        {byProvider.map(([provider, list]) => (
          <section key={provider}>
            <h3>{provider}</h3>
            <ul>
              {list.map((d) => (
                <li key={d.id}>
                  <button
                    type="button"
                    className={`drive-button${d.id === current ? ' active' : ''}`}
                    aria-current={d.id === current ? 'true' : undefined}
                    onClick={() => onSelect(d.id)}
                  >
                    <span className="drive-name">{d.name}</span>
                    <span className="drive-perms">{d.permissions.join(' · ').toLowerCase()}</span>
                  </button>
                </li>
              ))}
            </ul>
          </section>
        ))}
      </nav>
      <label className="drive-select">
        <span className="visually-hidden">Drive</span>
        <select value={current ?? ''} onChange={(e) => onSelect(e.target.value)} aria-label="Drive">
          {byProvider.map(([provider, list]) => (
            <optgroup key={provider} label={provider}>
              {list.map((d) => (
                <option key={d.id} value={d.id}>
                  {d.name}
                </option>
              ))}
            </optgroup>
          ))}
        </select>
      </label>
    </>
  );
}

export function groupByProvider(drives: DriveView[]): Array<[string, DriveView[]]> {
  const m = new Map<string, DriveView[]>();
  for (const d of drives) {
    const k = d.providerName || d.providerId;
    m.set(k, [...(m.get(k) ?? []), d]);
  }
  return [...m.entries()];
}
