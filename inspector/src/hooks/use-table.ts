import { useMemo, useState } from 'react';
import { filterAndSort, type ColumnSpec, type SortState } from '../model/table.js';

/** A table's filter text, sort and marked rows, and the rows they leave, in order. */
export function useTable<R>(rows: readonly R[], columns: readonly ColumnSpec<R>[]) {
  const [filter, setFilter] = useState('');
  const [sort, setSort] = useState<SortState | null>(null);
  const [marked, setMarked] = useState<ReadonlySet<string>>(() => new Set());
  const shown = useMemo(() => filterAndSort(rows, columns, filter, sort), [rows, columns, filter, sort]);
  return { filter, setFilter, sort, setSort, marked, setMarked, shown };
}
