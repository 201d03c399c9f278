import type { FileEntry } from '@ferry/contracts';
import { useRef } from 'react';
import { formatBytes, formatDate } from '../format.util';

export interface FileTableProps {
  entries: FileEntry[];
  selected: Set<string>;
  onSelectionChange: (next: Set<string>) => void;
  onOpenDir: (name: string) => void;
  /** right click, Shift+F10 or the Menu key on a row; x/y are viewport coordinates */
  onContextMenu: (name: string, x: number, y: number) => void;
}

/**
 * The folder listing. Selection: checkbox toggles; a click on the row selects just that row,
 * Ctrl/Cmd-click toggles it, Shift-click selects a range. Folder names open the folder.
 */
export function FileTable({ entries, selected, onSelectionChange, onOpenDir, onContextMenu }: FileTableProps) {
  const anchor = useRef<string | null>(null);
  const names = entries.map((e) => e.name);
  const allSelected = entries.length > 0 && entries.every((e) => selected.has(e.name));

  const toggle = (name: string) => {
    const next = new Set(selected);
    if (next.has(name)) next.delete(name);
    else next.add(name);
    anchor.current = name;
    onSelectionChange(next);
  };

  const clickRow = (e: React.MouseEvent, name: string) => {
    if ((e.target as HTMLElement).closest('input,button,a')) return;
    if (e.shiftKey && anchor.current && names.includes(anchor.current)) {
      const [a, b] = [names.indexOf(anchor.current), names.indexOf(name)].sort((x, y) => x - y);
      onSelectionChange(new Set(names.slice(a, b + 1)));
      return;
    }
    if (e.ctrlKey || e.metaKey) return toggle(name);
    anchor.current = name;
    onSelectionChange(new Set([name]));
  };

  const keyMenu = (e: React.KeyboardEvent, name: string) => {
    if (e.key === 'ContextMenu' || (e.key === 'F10' && e.shiftKey)) {
      e.preventDefault();
      if (!selected.has(name)) onSelectionChange(new Set([name]));
      const r = (e.currentTarget as HTMLElement).getBoundingClientRect();
      onContextMenu(name, r.left + 40, r.bottom);
    }
  };

  if (entries.length === 0) return <p className="empty">This folder is empty.</p>;

  return (
    <table className="file-table">
      <thead>
        <tr>
          <th className="col-check">
            <input
              type="checkbox"
              aria-label="Select all"
              checked={allSelected}
              onChange={() => onSelectionChange(allSelected ? new Set() : new Set(names))}
            />
          </th>
          <th className="col-name">Name</th>
          <th className="col-size">Size</th>
          <th className="col-date">Modified</th>
        </tr>
      </thead>
      <tbody>
        {entries.map((f) => {
          const isSel = selected.has(f.name);
          const isDir = f.type === 'dir';
          return (
            <tr
              key={f.name}
              className={isSel ? 'selected' : undefined}
              aria-selected={isSel}
              data-name={f.name}
              onClick={(e) => clickRow(e, f.name)}
              onDoubleClick={() => isDir && onOpenDir(f.name)}
              onContextMenu={(e) => {
                e.preventDefault();
                if (!selected.has(f.name)) onSelectionChange(new Set([f.name]));
                onContextMenu(f.name, e.clientX, e.clientY);
              }}
              onKeyDown={(e) => keyMenu(e, f.name)}
            >
              <td className="col-check">
                <input type="checkbox" aria-label={`Select ${f.name}`} checked={isSel} onChange={() => toggle(f.name)} />
              </td>
              <td className="col-name">
                <span className={`file-icon file-icon-${f.type}`} aria-hidden="true" />
                {isDir ? (
                  <button type="button" className="link-button file-name" onClick={() => onOpenDir(f.name)} aria-label={`Open folder ${f.name}`}>
                    {f.name}
                  </button>
                ) : (
                  <span className="file-name">{f.name}</span>
                )}
              </td>
              <td className="col-size">{isDir ? '—' : formatBytes(f.size)}</td>
              <td className="col-date">{formatDate(f.modified)}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
