import type { ReactNode } from 'react';
import { formatCount } from '../model/format.js';

interface Props {
  /** What the rows are, plural (`connections`): names the filter and the count. */
  noun: string;
  filter: string;
  onFilter(text: string): void;
  shown: number;
  total: number;
  /** Rows Copy would take (the marked ones, or the selected one); 0 disables it. */
  copyCount: number;
  onCopy(): void;
  /** How the last copy went. */
  note?: string;
  /** Hides what ended before now (the time window starts now). */
  onClear?(): void;
  children?: ReactNode;
}

/** Filter, count, copy as JSON and clear, above a table, as in DevTools' Network panel. */
export function TableToolbar({ noun, filter, onFilter, shown, total, copyCount, onCopy, note, onClear, children }: Props) {
  const name = capitalize(noun);
  return (
    <div className="filters" role="toolbar" aria-label={`${name} tools`}>
      <input type="search" aria-label={`Filter ${noun}`} placeholder={`Filter ${noun}`} size={22} value={filter} onChange={(e) => onFilter(e.target.value)} />
      {children}
      <button type="button" className="btn small" disabled={copyCount === 0} onClick={onCopy} title="Copy the selected rows as JSON (Ctrl/⌘+C in the table; Ctrl/⌘-click or Shift-click selects several)">
        Copy as JSON{copyCount > 1 ? ` (${copyCount})` : ''}
      </button>
      {onClear && (
        <button type="button" className="btn small" onClick={onClear} title="Hide what ended before now: the time window starts now (All time brings it back)">
          Clear
        </button>
      )}
      <span className="muted" role="status" aria-label={`${name} count`}>
        {shown === total ? `${formatCount(total)} ${noun}` : `${formatCount(shown)} of ${formatCount(total)} ${noun}`}
        {note ? ` · ${note}` : ''}
      </span>
    </div>
  );
}

export function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
