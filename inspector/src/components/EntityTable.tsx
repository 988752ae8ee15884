import type { ReactNode } from 'react';
import { tableSelection } from '../model/table.js';
import { useCopyRows } from '../hooks/use-copy.js';
import { useTable } from '../hooks/use-table.js';
import { useUi, type Selection } from '../ui-context.js';
import { DataGrid, type GridColumn } from './DataGrid.js';
import { TableToolbar } from './TableToolbar.js';

interface Props<R extends { key: string; run: number; id: string }> {
  /** The grid's accessible name (`Connections`). */
  label: string;
  /** What the rows are, plural (`connections`). */
  noun: string;
  /** What selecting a row selects: its details open beside the table. */
  kind: Selection['kind'];
  rows: readonly R[];
  columns: readonly GridColumn<R>[];
  rowClass?(row: R): string | undefined;
  /** A row as Copy gives it. */
  toJson(row: R): unknown;
  empty: ReactNode;
}

/**
 * A model table (connections, listeners, handles) with its toolbar: filter,
 * sort, copy the selection as JSON, clear; selecting a row selects it across
 * the UI (and in the URL), a link to one scrolls it into view.
 */
export function EntityTable<R extends { key: string; run: number; id: string }>({ label, noun, kind, rows, columns, rowClass, toJson, empty }: Props<R>) {
  const { selection, select, clear } = useUi();
  const table = useTable(rows, columns);
  const selectedKey = selection?.kind === kind ? `${selection.run}:${selection.id}` : null;
  const { chosen, reveal } = tableSelection(table.shown, table.marked, selectedKey, selection?.reveal === true);
  const copier = useCopyRows();
  const copy = () => copier.copy(chosen.map(toJson));
  return (
    <>
      <TableToolbar
        noun={noun}
        filter={table.filter}
        onFilter={table.setFilter}
        shown={table.shown.length}
        total={rows.length}
        copyCount={chosen.length}
        onCopy={copy}
        note={copier.note}
        onClear={clear}
      />
      <DataGrid
        label={label}
        columns={columns}
        count={table.shown.length}
        rowAt={(i) => table.shown[i]!}
        rowKey={(r) => r.key}
        rowClass={rowClass}
        sizingRows={rows}
        selectedKey={selectedKey}
        reveal={reveal}
        onSelect={(r) => select({ run: r.run, kind, id: r.id })}
        marked={table.marked}
        onMark={table.setMarked}
        onCopy={copy}
        onEscape={() => select(null)}
        sort={table.sort}
        onSort={table.setSort}
        empty={empty}
      />
    </>
  );
}
