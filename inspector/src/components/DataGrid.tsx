import { useCallback, useLayoutEffect, useMemo, useRef, useState, type KeyboardEvent, type MouseEvent, type PointerEvent, type ReactNode } from 'react';
import { contentWidths, nextSort, type ColumnSpec, type SortState } from '../model/table.js';
import { scrollTopForRow, virtualWindow } from '../model/virtual-window.js';

export interface GridColumn<R> extends ColumnSpec<R> {
  /** How the cell is drawn (default: its text). */
  render?(row: R): ReactNode;
  /** Kept at the right edge while the table scrolls sideways: row actions stay in reach. */
  pinned?: boolean;
  /** Takes the room left over (a long text column); otherwise an empty filler does, before the pinned columns. */
  grow?: boolean;
}

interface Props<R> {
  /** Accessible name; also keys the widths the user set (localStorage). */
  label: string;
  columns: readonly GridColumn<R>[];
  count: number;
  rowAt(index: number): R;
  rowKey(row: R): string;
  rowClass?(row: R): string | undefined;
  /** Rows the columns are sized on (default: none, each column's minimum width). */
  sizingRows?: readonly R[];
  rowHeight?: number;
  /** The row whose details are open. */
  selectedKey?: string | null;
  /** A row a link asked for: made active and scrolled into view, once per key. */
  reveal?: { key: string; index: number } | null;
  onSelect?(row: R): void;
  /** Rows picked with Ctrl/⌘-click, Shift-click or Shift+arrows, for copying. */
  marked?: ReadonlySet<string>;
  onMark?(keys: Set<string>): void;
  /** Ctrl/⌘+C in the table. */
  onCopy?(): void;
  /** Escape in the table (e.g. close the details). */
  onEscape?(): void;
  /** Sortable headers when given. */
  sort?: SortState | null;
  onSort?(sort: SortState | null): void;
  /** Keep the last row in view as rows are added. */
  followTail?: boolean;
  /** The user scrolled away from / back to the bottom. */
  onTailChange?(atTail: boolean): void;
  empty: ReactNode;
}

/** Width change per Alt+arrow on a header. */
const RESIZE_STEP = 16;
const MIN_WIDTH = 32;

/**
 * A data grid like DevTools' Network table: only the rows in view are drawn
 * (fixed row height, so a million rows cost what forty do); header and body
 * scroll together, the header sticky; columns sized to their content,
 * resizable (drag the edge, or Alt+←/→ on a header) and sortable; the
 * pinned column (row actions) stays at the right edge. Keyboard: ↑ ↓ PageUp
 * PageDown Home End move the active row, Enter/Space select it,
 * Shift+↑/↓ extend the marked rows, Ctrl/⌘+C copies, Escape closes.
 */
export function DataGrid<R>(props: Props<R>) {
  const { label, columns, count, rowAt, rowKey, rowClass, sizingRows, rowHeight = 22, selectedKey, reveal, onSelect, marked, onMark, onCopy, onEscape, sort, onSort, followTail, onTailChange, empty } = props;
  const scroller = useRef<HTMLDivElement>(null);
  const head = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [viewport, setViewport] = useState(400);
  const [active, setActive] = useState(-1);
  const [userWidths, setUserWidths] = useState<Record<string, number>>(() => loadWidths(label));

  const sized = useMemo(() => contentWidths(columns, sizingRows ?? []), [columns, sizingRows]);
  const widths = columns.map((c) => userWidths[c.key] ?? sized[c.key]!);
  const total = widths.reduce((a, b) => a + b, 0);
  // The room left over goes to a growing column, else to an empty track before the pinned ones.
  const grows = columns.some((c) => c.grow);
  const firstPinned = columns.findIndex((c) => c.pinned);
  const fillerAt = grows ? -1 : firstPinned < 0 ? columns.length : firstPinned;
  const tracks = widths.map((w, i) => (columns[i]!.grow ? `minmax(${w}px, 1fr)` : `${w}px`));
  if (fillerAt >= 0) tracks.splice(fillerAt, 0, 'minmax(0, 1fr)');
  const template = tracks.join(' ');
  // Cells name their track, so the filler stays empty.
  const track = (i: number) => (fillerAt >= 0 && i >= fillerAt ? i + 2 : i + 1);
  const rowStyle = { gridTemplateColumns: template, width: `max(100%, ${total}px)` };

  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const measure = () => setViewport(Math.max(rowHeight, el.clientHeight - (head.current?.offsetHeight ?? 0)));
    const observer = new ResizeObserver(measure);
    observer.observe(el);
    measure();
    return () => observer.disconnect();
  }, [rowHeight]);

  const win = virtualWindow({ count, rowHeight, viewportHeight: viewport, scrollTop });

  const scrollTo = useCallback(
    (index: number) => {
      const el = scroller.current;
      if (!el) return;
      const rowsInView = Math.floor(viewport / rowHeight);
      el.scrollTop = scrollTopForRow(Math.max(0, index - Math.floor(rowsInView / 2)), { count, rowHeight, viewportHeight: viewport });
      setScrollTop(el.scrollTop);
    },
    [count, rowHeight, viewport],
  );

  // A row another view asked for becomes active and is scrolled to, once.
  const revealKey = reveal && reveal.index >= 0 ? reveal.key : null;
  const revealIndex = reveal?.index ?? -1;
  const [revealed, setRevealed] = useState<string | null>(null);
  if (revealKey !== null && revealKey !== revealed) {
    setRevealed(revealKey);
    setActive(revealIndex);
  }
  const scrolledFor = useRef<string | null>(null);
  useLayoutEffect(() => {
    if (revealKey === null || scrolledFor.current === revealKey) return;
    scrolledFor.current = revealKey;
    scrollTo(revealIndex);
  }, [revealKey, revealIndex, scrollTo]);

  useLayoutEffect(() => {
    const el = scroller.current;
    if (!followTail || !el) return;
    el.scrollTop = el.scrollHeight;
    setScrollTop(el.scrollTop);
  }, [followTail, count]);

  const onScroll = () => {
    const el = scroller.current;
    if (!el) return;
    setScrollTop(el.scrollTop);
    onTailChange?.(el.scrollTop + el.clientHeight >= el.scrollHeight - rowHeight);
  };

  const moveTo = (next: number, extend: boolean) => {
    const clamped = Math.max(0, Math.min(count - 1, next));
    if (extend && onMark) {
      const keys = new Set(marked);
      for (let i = Math.min(active < 0 ? clamped : active, clamped); i <= Math.max(active, clamped); i++) keys.add(rowKey(rowAt(i)));
      onMark(keys);
    }
    setActive(clamped);
    if (clamped < win.start + 2 || clamped >= win.end - 2) scrollTo(clamped);
  };

  const onKeyDown = (e: KeyboardEvent) => {
    if (e.target !== e.currentTarget) return; // keys in a row's buttons are theirs
    const page = Math.max(1, Math.floor(viewport / rowHeight) - 1);
    const moves: Record<string, number> = { ArrowDown: 1, ArrowUp: -1, PageDown: page, PageUp: -page };
    const mod = e.ctrlKey || e.metaKey;
    if (e.key in moves && count > 0) {
      e.preventDefault();
      // Nothing active yet: the first move lands on the first row.
      moveTo(active < 0 ? 0 : active + moves[e.key]!, e.shiftKey);
    } else if ((e.key === 'Home' || e.key === 'End') && count > 0) {
      e.preventDefault();
      moveTo(e.key === 'Home' ? 0 : count - 1, e.shiftKey);
    } else if ((e.key === 'Enter' || e.key === ' ') && active >= 0 && active < count) {
      e.preventDefault();
      onSelect?.(rowAt(active));
    } else if (mod && e.key.toLowerCase() === 'c' && onCopy) {
      e.preventDefault();
      onCopy();
    } else if (e.key === 'Escape' && onEscape) {
      e.preventDefault();
      onEscape();
    }
  };

  const onRowClick = (e: MouseEvent, index: number, row: R) => {
    if (onMark && (e.ctrlKey || e.metaKey)) {
      const keys = new Set(marked);
      // The first Ctrl-click keeps the selected row in the marked set.
      if (keys.size === 0 && selectedKey) keys.add(selectedKey);
      const key = rowKey(row);
      if (keys.has(key)) keys.delete(key);
      else keys.add(key);
      onMark(keys);
      setActive(index);
      return;
    }
    if (onMark && e.shiftKey && active >= 0) {
      moveTo(index, true);
      return;
    }
    onMark?.(new Set());
    setActive(index);
    onSelect?.(row);
  };

  const setWidth = (key: string, width: number) => {
    setUserWidths((current) => {
      const next = { ...current, [key]: Math.max(MIN_WIDTH, Math.round(width)) };
      saveWidths(label, next);
      return next;
    });
  };

  const gridId = `grid-${label.replace(/\W+/g, '-').toLowerCase()}`;
  const activeRow = active >= win.start && active < win.end && active < count ? rowAt(active) : undefined;

  const rows = Array.from({ length: win.end - win.start }, (_, k) => {
    const index = win.start + k;
    const row = rowAt(index);
    const key = rowKey(row);
    const selected = key === selectedKey || (marked?.has(key) ?? false);
    const classes = ['grid-row', index % 2 ? 'odd' : '', rowClass?.(row), selected ? 'selected' : '', index === active ? 'active' : ''].filter(Boolean).join(' ');
    return (
      <div
        key={key}
        id={`${gridId}-${index}`}
        role="row"
        aria-rowindex={index + 2}
        aria-selected={selected}
        className={classes}
        style={{ ...rowStyle, top: win.offsetTop + k * rowHeight, height: rowHeight }}
        onClick={(e) => onRowClick(e, index, row)}
      >
        {columns.map((c, i) => (
          <div role="gridcell" key={c.key} title={c.text(row)} className={cellClass(c)} style={{ gridColumn: track(i) }}>
            {c.render ? c.render(row) : c.text(row)}
          </div>
        ))}
      </div>
    );
  });

  return (
    <div
      ref={scroller}
      className="grid"
      role="grid"
      aria-label={label}
      aria-rowcount={count + 1}
      aria-colcount={columns.length}
      aria-multiselectable={onMark ? true : undefined}
      aria-activedescendant={activeRow !== undefined ? `${gridId}-${active}` : undefined}
      tabIndex={0}
      onScroll={onScroll}
      onKeyDown={onKeyDown}
    >
      <div role="rowgroup" className="grid-head" ref={head}>
        <div role="row" aria-rowindex={1} className="grid-row head" style={rowStyle}>
          {columns.map((c, i) => (
            <HeaderCell key={c.key} column={c} track={track(i)} width={widths[i]!} sort={sort} onSort={onSort} onResize={(w) => setWidth(c.key, w)} />
          ))}
        </div>
      </div>
      <div role="rowgroup" className="grid-body" style={{ height: count === 0 ? undefined : win.totalHeight }}>
        {count === 0 ? (
          <div role="row" aria-rowindex={2} className="grid-row empty-row" style={rowStyle}>
            <div role="gridcell" aria-colspan={columns.length} className="grid-empty">
              {empty}
            </div>
          </div>
        ) : (
          rows
        )}
      </div>
    </div>
  );
}

interface HeaderCellProps<R> {
  column: GridColumn<R>;
  track: number;
  width: number;
  sort?: SortState | null;
  onSort?(sort: SortState | null): void;
  onResize(width: number): void;
}

function HeaderCell<R>({ column, track, width, sort, onSort, onResize }: HeaderCellProps<R>) {
  const sorted = sort?.column === column.key ? sort.direction : undefined;
  const sortable = onSort && !column.unsortable;
  const onKeyDown = (e: KeyboardEvent) => {
    if (!e.altKey || (e.key !== 'ArrowLeft' && e.key !== 'ArrowRight')) return;
    e.preventDefault();
    onResize(width + (e.key === 'ArrowRight' ? RESIZE_STEP : -RESIZE_STEP));
  };
  const startResize = (e: PointerEvent<HTMLDivElement>) => {
    e.preventDefault();
    e.stopPropagation();
    const handle = e.currentTarget;
    handle.setPointerCapture(e.pointerId);
    const startX = e.clientX;
    const move = (m: globalThis.PointerEvent) => onResize(width + m.clientX - startX);
    const end = () => {
      handle.removeEventListener('pointermove', move);
      handle.removeEventListener('pointerup', end);
      handle.removeEventListener('pointercancel', end);
    };
    handle.addEventListener('pointermove', move);
    handle.addEventListener('pointerup', end);
    handle.addEventListener('pointercancel', end);
  };
  const arrow = sorted === 'ascending' ? ' ▲' : sorted === 'descending' ? ' ▼' : '';
  return (
    <div role="columnheader" aria-sort={sorted} className={cellClass(column)} title={column.label} style={{ gridColumn: track }}>
      {sortable ? (
        <button type="button" className="sort" onClick={() => onSort(nextSort(sort ?? null, column.key))} onKeyDown={onKeyDown} title={`Sort by ${column.label} (Alt+←/→ resizes)`}>
          {column.label}
          {arrow}
        </button>
      ) : (
        <span>{column.label}</span>
      )}
      <div className="resize" aria-hidden="true" onPointerDown={startResize} onClick={(e) => e.stopPropagation()} />
    </div>
  );
}

function cellClass<R>(c: GridColumn<R>): string | undefined {
  return [c.numeric ? 'num' : '', c.pinned ? 'pinned' : ''].filter(Boolean).join(' ') || undefined;
}

const WIDTHS_KEY = 'bridgescope.columns.';

function loadWidths(table: string): Record<string, number> {
  try {
    const saved = JSON.parse(localStorage.getItem(WIDTHS_KEY + table) ?? '{}') as unknown;
    if (!saved || typeof saved !== 'object') return {};
    return Object.fromEntries(Object.entries(saved).filter((e): e is [string, number] => typeof e[1] === 'number' && e[1] >= MIN_WIDTH));
  } catch {
    return {};
  }
}

function saveWidths(table: string, widths: Record<string, number>): void {
  try {
    localStorage.setItem(WIDTHS_KEY + table, JSON.stringify(widths));
  } catch {
    // Storage disabled: widths last as long as the page.
  }
}
