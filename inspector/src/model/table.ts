/**
 * What a table needs to know about a column to sort, filter, size and copy
 * its rows, with no React in it (the view adds how a cell is drawn).
 */
export interface ColumnSpec<R> {
  key: string;
  label: string;
  /** The cell as text: what the filter matches, the hover title shows and sizing measures. */
  text(row: R): string;
  /** What the column sorts by (default: its text). Numbers sort numerically; undefined sorts last. */
  sortValue?(row: R): string | number | undefined;
  numeric?: boolean;
  /** Widths in px: bounds for sizing to content (default 40 … 360). */
  minWidth?: number;
  maxWidth?: number;
  /** Not sortable (row actions). */
  unsortable?: boolean;
}

export interface SortState {
  column: string;
  direction: 'ascending' | 'descending';
}

/** The next sort after a click on `column`: ascending, then descending, then the table's own order. */
export function nextSort(sort: SortState | null, column: string): SortState | null {
  if (!sort || sort.column !== column) return { column, direction: 'ascending' };
  return sort.direction === 'ascending' ? { column, direction: 'descending' } : null;
}

/**
 * Rows whose cells contain every word of `filter` (case-insensitive; a word
 * may match any column), sorted by `sort` (stable: ties keep the table's own
 * order). The input is not modified.
 */
export function filterAndSort<R>(rows: readonly R[], columns: readonly ColumnSpec<R>[], filter: string, sort: SortState | null): R[] {
  const words = filter.toLowerCase().split(/\s+/).filter(Boolean);
  const kept = words.length === 0 ? [...rows] : rows.filter((row) => matches(row, columns, words));
  const column = sort && columns.find((c) => c.key === sort.column);
  if (!column || !sort) return kept;
  const value = column.sortValue ?? column.text;
  const sign = sort.direction === 'ascending' ? 1 : -1;
  return kept
    .map((row, index) => ({ row, index, key: value(row) }))
    .sort((a, b) => compareKeys(a.key, b.key, sign) || a.index - b.index)
    .map((entry) => entry.row);
}

function matches<R>(row: R, columns: readonly ColumnSpec<R>[], words: string[]): boolean {
  const text = columns.map((c) => c.text(row).toLowerCase()).join('\u0000');
  return words.every((w) => text.includes(w));
}

function compareKeys(a: string | number | undefined, b: string | number | undefined, sign: number): number {
  // Missing values last whatever the direction.
  if (a === undefined || b === undefined) return a === b ? 0 : a === undefined ? 1 : -1;
  if (typeof a === 'number' && typeof b === 'number') return (a - b) * sign;
  return String(a).localeCompare(String(b), undefined, { numeric: true }) * sign;
}

/** Average advance of a character of the table font (11.5 px monospace), and cell padding. */
const CHAR_PX = 7;
const PADDING_PX = 14;
/** Rows measured when sizing columns: enough to see typical values, cheap on a large table. */
const SIZING_SAMPLE = 200;

/**
 * Column widths sized to their content (the label and the longest cell of
 * the first rows), within each column's bounds: an empty column stays
 * narrow, bytes fit.
 */
export function contentWidths<R>(columns: readonly ColumnSpec<R>[], rows: readonly R[]): Record<string, number> {
  const widths: Record<string, number> = {};
  const sample = rows.length > SIZING_SAMPLE ? rows.slice(0, SIZING_SAMPLE) : rows;
  for (const c of columns) {
    let chars = c.label.length + 2; // room for the sort arrow
    for (const row of sample) chars = Math.max(chars, c.text(row).length);
    widths[c.key] = Math.round(Math.min(c.maxWidth ?? 360, Math.max(c.minWidth ?? 40, chars * CHAR_PX + PADDING_PX)));
  }
  return widths;
}

/**
 * What Copy takes (the marked rows, else the selected one, in table order)
 * and the row a link asked to reveal, with its position.
 */
export function tableSelection<R extends { key: string }>(
  shown: readonly R[],
  marked: ReadonlySet<string>,
  selectedKey: string | null,
  reveal: boolean,
): { chosen: R[]; reveal: { key: string; index: number } | null } {
  const chosen = shown.filter((r) => (marked.size > 0 ? marked.has(r.key) : r.key === selectedKey));
  const index = reveal && selectedKey ? shown.findIndex((r) => r.key === selectedKey) : -1;
  return { chosen, reveal: selectedKey && index >= 0 ? { key: selectedKey, index } : null };
}
