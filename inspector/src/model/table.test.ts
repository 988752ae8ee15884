import { describe, expect, it } from 'vitest';
import { contentWidths, filterAndSort, nextSort, tableSelection, type ColumnSpec } from './table.js';

interface Row {
  key: string;
  id: string;
  bytes: number;
  client: string;
  idle?: number;
}

const COLUMNS: ColumnSpec<Row>[] = [
  { key: 'id', label: 'id', text: (r) => r.id },
  { key: 'bytes', label: 'bytes in', text: (r) => `${r.bytes} B`, sortValue: (r) => r.bytes, numeric: true },
  { key: 'client', label: 'client', text: (r) => r.client },
  { key: 'idle', label: 'idle', text: (r) => (r.idle === undefined ? '—' : `${r.idle} ms`), sortValue: (r) => r.idle },
];

const ROWS: Row[] = [
  { key: 'a', id: 'c10', bytes: 15_100, client: 'app', idle: 5 },
  { key: 'b', id: 'c9', bytes: 332, client: '', idle: undefined },
  { key: 'c', id: 'c2', bytes: 900, client: 'app tablet', idle: 1 },
];

describe('table rows', () => {
  it('sorts numbers as numbers and ids naturally, both ways, with missing values last', () => {
    expect(filterAndSort(ROWS, COLUMNS, '', { column: 'bytes', direction: 'ascending' }).map((r) => r.key)).toEqual(['b', 'c', 'a']);
    expect(filterAndSort(ROWS, COLUMNS, '', { column: 'bytes', direction: 'descending' }).map((r) => r.key)).toEqual(['a', 'c', 'b']);
    expect(filterAndSort(ROWS, COLUMNS, '', { column: 'id', direction: 'ascending' }).map((r) => r.id)).toEqual(['c2', 'c9', 'c10']);
    expect(filterAndSort(ROWS, COLUMNS, '', { column: 'idle', direction: 'descending' }).map((r) => r.key)).toEqual(['a', 'c', 'b']);
    expect(filterAndSort(ROWS, COLUMNS, '', { column: 'idle', direction: 'ascending' }).map((r) => r.key)).toEqual(['c', 'a', 'b']);
    expect(filterAndSort(ROWS, COLUMNS, '', null)).toEqual(ROWS);
  });

  it('keeps rows whose cells hold every word of the filter, case-insensitively', () => {
    expect(filterAndSort(ROWS, COLUMNS, 'APP', null).map((r) => r.key)).toEqual(['a', 'c']);
    expect(filterAndSort(ROWS, COLUMNS, 'app tablet', null).map((r) => r.key)).toEqual(['c']);
    expect(filterAndSort(ROWS, COLUMNS, '332 b', null).map((r) => r.key)).toEqual(['b']);
    expect(filterAndSort(ROWS, COLUMNS, 'nothing', null)).toEqual([]);
  });

  it('cycles a header click through ascending, descending and unsorted', () => {
    const first = nextSort(null, 'id');
    expect(first).toEqual({ column: 'id', direction: 'ascending' });
    expect(nextSort(first, 'id')).toEqual({ column: 'id', direction: 'descending' });
    expect(nextSort(nextSort(first, 'id'), 'id')).toBeNull();
    expect(nextSort(first, 'bytes')).toEqual({ column: 'bytes', direction: 'ascending' });
  });

  it('sizes columns to their content: an empty column stays narrow, a long value gets room', () => {
    const widths = contentWidths(COLUMNS, ROWS);
    expect(widths.client).toBeLessThan(widths.bytes! + 40);
    const longBytes = contentWidths(COLUMNS, [{ ...ROWS[0]!, bytes: 123_456_789_012 }]);
    expect(longBytes.bytes).toBeGreaterThan(widths.bytes!);
    expect(contentWidths(COLUMNS, [{ ...ROWS[0]!, client: 'x'.repeat(500) }]).client).toBe(360);
  });

  it('copies the marked rows in table order, else the selected one, and finds the row to reveal', () => {
    expect(tableSelection(ROWS, new Set(['c', 'a']), 'b', false).chosen.map((r) => r.key)).toEqual(['a', 'c']);
    expect(tableSelection(ROWS, new Set(), 'b', true)).toEqual({ chosen: [ROWS[1]], reveal: { key: 'b', index: 1 } });
    expect(tableSelection(ROWS, new Set(), 'zz', true)).toEqual({ chosen: [], reveal: null });
  });
});
