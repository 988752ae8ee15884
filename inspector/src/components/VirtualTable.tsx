import { useCallback, useLayoutEffect, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';
import { scrollTopForRow, virtualWindow } from '../model/virtual-window.js';

export interface Column {
  key: string;
  label: string;
  /** CSS grid track, e.g. `80px` or `1fr`. */
  width: string;
  numeric?: boolean;
}

export interface RowSpec {
  key: string;
  cells: ReactNode[];
  className?: string;
  selected?: boolean;
  onSelect?: () => void;
}

interface Props {
  label: string;
  columns: Column[];
  count: number;
  row: (index: number) => RowSpec;
  rowHeight?: number;
  /** Bring this row into view when it changes. */
  scrollToIndex?: number | null;
  /** Keep the last row in view as rows are added. */
  followTail?: boolean;
  /** Called when the user scrolls away from / back to the bottom. */
  onTailChange?: (atTail: boolean) => void;
  empty?: ReactNode;
}

/**
 * A table that renders only the rows in view (fixed row height), so a million
 * rows cost what forty do. ARIA table semantics; arrow keys move the active
 * row, Enter selects it.
 */
export function VirtualTable({ label, columns, count, row, rowHeight = 20, scrollToIndex, followTail, onTailChange, empty }: Props) {
  const body = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [viewport, setViewport] = useState(400);
  const [active, setActive] = useState(-1);
  const template = columns.map((c) => c.width).join(' ');

  useLayoutEffect(() => {
    const el = body.current;
    if (!el) return;
    const observer = new ResizeObserver(() => setViewport(el.clientHeight || 400));
    observer.observe(el);
    setViewport(el.clientHeight || 400);
    return () => observer.disconnect();
  }, []);

  const scrollTo = useCallback(
    (index: number, align: 'top' | 'center' = 'center') => {
      const el = body.current;
      if (!el) return;
      const input = { count, rowHeight, viewportHeight: viewport };
      const target = align === 'center' ? Math.max(0, index - Math.floor(viewport / rowHeight / 2)) : index;
      el.scrollTop = scrollTopForRow(target, input);
      setScrollTop(el.scrollTop);
    },
    [count, rowHeight, viewport],
  );

  // A newly requested row becomes active, and is scrolled to once (not again as rows arrive).
  const [requested, setRequested] = useState<number | null | undefined>(null);
  if (scrollToIndex !== requested) {
    setRequested(scrollToIndex);
    if (scrollToIndex !== null && scrollToIndex !== undefined && scrollToIndex >= 0) setActive(scrollToIndex);
  }
  const scrolledTo = useRef<number | null | undefined>(null);
  useLayoutEffect(() => {
    if (scrollToIndex === scrolledTo.current) return;
    scrolledTo.current = scrollToIndex;
    if (scrollToIndex !== null && scrollToIndex !== undefined && scrollToIndex >= 0) scrollTo(scrollToIndex);
  }, [scrollToIndex, scrollTo]);

  useLayoutEffect(() => {
    const el = body.current;
    if (followTail && el) {
      el.scrollTop = el.scrollHeight;
      setScrollTop(el.scrollTop);
    }
  }, [followTail, count]);

  const win = virtualWindow({ count, rowHeight, viewportHeight: viewport, scrollTop });

  const onScroll = () => {
    const el = body.current;
    if (!el) return;
    setScrollTop(el.scrollTop);
    onTailChange?.(el.scrollTop + el.clientHeight >= el.scrollHeight - rowHeight);
  };

  const onKeyDown = (e: KeyboardEvent) => {
    if (!count) return;
    const page = Math.max(1, Math.floor(viewport / rowHeight) - 1);
    const moves: Record<string, number> = { ArrowDown: 1, ArrowUp: -1, PageDown: page, PageUp: -page, Home: -Infinity, End: Infinity };
    if (e.key in moves) {
      e.preventDefault();
      const next = Math.max(0, Math.min(count - 1, (active < 0 ? 0 : active) + moves[e.key]!));
      setActive(next);
      const first = Math.floor(win.start);
      if (next < first + 8 || next > win.end - 8) scrollTo(next);
    } else if ((e.key === 'Enter' || e.key === ' ') && active >= 0 && active < count) {
      e.preventDefault();
      row(active).onSelect?.();
    }
  };

  const rows = Array.from({ length: win.end - win.start }, (_, k) => {
    const i = win.start + k;
    const spec = row(i);
    const classes = ['vrow', spec.className, spec.selected ? 'selected' : '', i === active ? 'active' : ''].filter(Boolean).join(' ');
    return (
      <div
        key={spec.key}
        role="row"
        aria-rowindex={i + 2}
        aria-selected={spec.selected || undefined}
        className={classes}
        style={{ top: win.offsetTop + (i - win.start) * rowHeight, height: rowHeight, gridTemplateColumns: template }}
        onClick={() => {
          setActive(i);
          spec.onSelect?.();
        }}
      >
        {spec.cells.map((cell, c) => (
          <div role="cell" key={columns[c]!.key} style={columns[c]!.numeric ? { textAlign: 'right' } : undefined}>
            {cell}
          </div>
        ))}
      </div>
    );
  });

  return (
    <div className="vtable" role="table" aria-label={label} aria-rowcount={count + 1}>
      <div role="rowgroup">
        <div className="vhead" role="row" aria-rowindex={1} style={{ gridTemplateColumns: template }}>
          {columns.map((c) => (
            <div role="columnheader" key={c.key} style={c.numeric ? { textAlign: 'right' } : undefined}>
              {c.label}
            </div>
          ))}
        </div>
      </div>
      <div className="vbody" role="rowgroup" ref={body} tabIndex={0} onScroll={onScroll} onKeyDown={onKeyDown}>
        {count === 0 ? (
          <div className="vempty">{empty ?? 'Nothing here yet.'}</div>
        ) : (
          <div style={{ height: win.totalHeight, position: 'relative' }}>{rows}</div>
        )}
      </div>
    </div>
  );
}
