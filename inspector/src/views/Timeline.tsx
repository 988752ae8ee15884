import { useLayoutEffect, useRef, useState, type WheelEvent } from 'react';
import { formatClock, formatDuration } from '../model/format.js';
import { buildLanes, panViewport, timeToX, zoomViewport, type Lane, type TickKind, type Viewport } from '../model/timeline.js';
import { virtualWindow } from '../model/virtual-window.js';
import { useDerived } from '../hooks/use-store.js';
import type { UiStore } from '../data/ui-store.js';
import type { TimeWindow } from '../model/time-window.js';
import { useUi } from '../ui-context.js';

const LANE_H = 22;
const LABEL_W = 170;
const TICK_COLORS: Record<TickKind, string> = {
  'listener-add': 'var(--listener)',
  'listener-remove': '#7d5f91',
  'handle-store': 'var(--handle)',
  'handle-drop': '#2b7f76',
  action: 'var(--action)',
};

/** One lane per connection: open → close, half-open and closing shaded, owned listener/handle ticks. */
export function Timeline() {
  const { store, window, selection, select } = useUi();
  const { lanes, extent, restarts, gaps, runCount } = useDerived(store, timelineView, { store, window });
  const [zoom, setZoom] = useState<Viewport | null>(null);
  const view = zoom ?? extent;
  const scroller = useRef<HTMLDivElement>(null);
  const [size, setSize] = useState({ width: 800, height: 400 });
  const [scrollTop, setScrollTop] = useState(0);

  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const observer = new ResizeObserver(() => setSize({ width: el.clientWidth, height: el.clientHeight }));
    observer.observe(el);
    return () => observer.disconnect();
  }, []);

  const plotW = Math.max(100, size.width - LABEL_W - 8);
  const x = (at: number) => LABEL_W + timeToX(at, view, plotW);
  const win = virtualWindow({ count: lanes.length, rowHeight: LANE_H, viewportHeight: size.height, scrollTop, overscan: 4 });

  const onWheel = (e: WheelEvent) => {
    const rect = e.currentTarget.getBoundingClientRect();
    if (e.shiftKey || Math.abs(e.deltaX) > Math.abs(e.deltaY)) {
      setZoom(panViewport(view, (e.deltaX || e.deltaY) / 1000));
      return;
    }
    if (!e.ctrlKey && !e.altKey) return; // plain wheel scrolls the lanes
    e.preventDefault();
    const anchor = view.from + ((e.clientX - rect.left - LABEL_W) / plotW) * (view.to - view.from);
    setZoom(zoomViewport(view, e.deltaY > 0 ? 1.25 : 0.8, anchor));
  };
  const center = (view.from + view.to) / 2;

  const visible: Lane[] = lanes.slice(win.start, win.end);
  return (
    <div className="timeline">
      <div className="filters" role="toolbar" aria-label="Timeline zoom">
        <button type="button" className="btn small" onClick={() => setZoom(zoomViewport(view, 0.5, center))}>
          Zoom in
        </button>
        <button type="button" className="btn small" onClick={() => setZoom(zoomViewport(view, 2, center))}>
          Zoom out
        </button>
        <button type="button" className="btn small" aria-label="Pan earlier" onClick={() => setZoom(panViewport(view, -0.25))}>
          ◀
        </button>
        <button type="button" className="btn small" aria-label="Pan later" onClick={() => setZoom(panViewport(view, 0.25))}>
          ▶
        </button>
        <button type="button" className="btn small" onClick={() => setZoom(null)} disabled={!zoom}>
          Fit
        </button>
        <span className="muted">
          {lanes.length} connection{lanes.length === 1 ? '' : 's'} · {formatClock(view.from)} – {formatClock(view.to)} ({formatDuration(view.to - view.from)}) ·
          Ctrl+wheel zooms, Shift+wheel pans
        </span>
        <span className="spacer" />
        <Legend />
      </div>
      <Axis view={view} width={plotW} restarts={restarts} />
      <div
        className="lanes"
        ref={scroller}
        onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)}
        onWheel={onWheel}
        role="list"
        aria-label="Connection lanes"
        tabIndex={0}
      >
        {lanes.length === 0 ? (
          <div className="vempty">No connections in this window.</div>
        ) : (
          <div style={{ height: win.totalHeight, position: 'relative' }}>
            <svg
              width={size.width}
              height={(win.end - win.start) * LANE_H}
              style={{ position: 'absolute', top: win.offsetTop, left: 0 }}
              aria-hidden="false"
            >
              {visible.map((lane, i) => {
                const y = i * LANE_H;
                const end = lane.closedAt ?? view.to;
                const selected = selection?.kind === 'connection' && selection.run === lane.run && selection.id === lane.conn;
                const x0 = Math.max(LABEL_W, x(lane.openedAt));
                const x1 = Math.min(LABEL_W + plotW, x(end));
                return (
                  <g
                    key={lane.key}
                    role="listitem"
                    aria-label={`${lane.conn} ${lane.state}`}
                    onClick={() => select({ run: lane.run, kind: 'connection', id: lane.conn })}
                    style={{ cursor: 'pointer' }}
                  >
                    <rect className={`lane-bg${selected ? ' selected' : ''}`} x={0} y={y} width={size.width} height={LANE_H} />
                    <text x={6} y={y + 15}>
                      {runCount > 1 ? `#${lane.run} ` : ''}
                      {lane.conn} {lane.label.slice(0, 14)}
                    </text>
                    {x1 > x0 && (
                      <rect x={x0} y={y + 5} width={Math.max(1, x1 - x0)} height={LANE_H - 10} rx={2} fill={lane.closedAt ? '#2e5580' : 'var(--conn)'} opacity={0.85} />
                    )}
                    {lane.halfOpenAt !== undefined && <Phase from={x(lane.halfOpenAt)} to={x1} y={y} color="var(--warning)" />}
                    {lane.closingAt !== undefined && <Phase from={x(lane.closingAt)} to={x1} y={y} color="#e58c3d" />}
                    {lane.ticks.map((t, k) => {
                      const tx = x(t.at);
                      if (tx < LABEL_W || tx > LABEL_W + plotW) return null;
                      const up = t.kind === 'listener-add' || t.kind === 'handle-store' || t.kind === 'action';
                      return <line key={k} x1={tx} x2={tx} y1={up ? y + 2 : y + LANE_H / 2} y2={up ? y + LANE_H / 2 : y + LANE_H - 2} stroke={TICK_COLORS[t.kind]} strokeWidth={1.5} />;
                    })}
                  </g>
                );
              })}
              {restarts.map((at) => (
                <line key={`r${at}`} x1={x(at)} x2={x(at)} y1={0} y2={(win.end - win.start) * LANE_H} stroke="var(--restart)" strokeWidth={1.5} />
              ))}
              {gaps.map((at, i) => (
                <line key={`g${i}`} x1={x(at)} x2={x(at)} y1={0} y2={(win.end - win.start) * LANE_H} stroke="#888" strokeDasharray="2 3" />
              ))}
            </svg>
          </div>
        )}
      </div>
    </div>
  );
}

function Phase({ from, to, y, color }: { from: number; to: number; y: number; color: string }) {
  const x0 = Math.max(LABEL_W, from);
  if (to <= x0) return null;
  return <rect x={x0} y={y + 5} width={to - x0} height={LANE_H - 10} fill={color} opacity={0.55} />;
}

function Axis({ view, width, restarts }: { view: Viewport; width: number; restarts: number[] }) {
  const ticks = 6;
  const items = Array.from({ length: ticks + 1 }, (_, i) => view.from + ((view.to - view.from) * i) / ticks);
  return (
    <svg width="100%" height={20} style={{ borderBottom: '1px solid var(--border)', flex: 'none' }} aria-hidden="true">
      {items.map((at, i) => {
        const x = LABEL_W + timeToX(at, view, width);
        return (
          <g key={i}>
            <line x1={x} x2={x} y1={14} y2={20} stroke="#555" />
            <text x={x + 2} y={11}>
              {formatClock(at)}
            </text>
          </g>
        );
      })}
      {restarts.map((at) => {
        const x = LABEL_W + timeToX(at, view, width);
        return (
          <text key={at} x={x + 2} y={19} style={{ fill: 'var(--restart)' }}>
            restart
          </text>
        );
      })}
    </svg>
  );
}

function Legend() {
  return (
    <span className="muted" aria-label="Legend" style={{ display: 'flex', gap: 8 }}>
      <span style={{ color: 'var(--conn)' }}>■ open</span>
      <span style={{ color: 'var(--warning)' }}>■ half-open</span>
      <span style={{ color: '#e58c3d' }}>■ closing</span>
      <span style={{ color: 'var(--listener)' }}>| listener</span>
      <span style={{ color: 'var(--handle)' }}>| handle</span>
      <span style={{ color: 'var(--action)' }}>| action</span>
      <span style={{ color: 'var(--restart)' }}>| restart</span>
    </span>
  );
}

function timelineView({ store, window }: { store: UiStore; window: TimeWindow | null }) {
  return {
    lanes: buildLanes(store.runs(), window),
    extent: dataExtent(store, window),
    restarts: store.target.runs.filter((r) => r.index > 0).map((r) => r.startedAt),
    gaps: store.target.runs.flatMap((r) => r.analysis.model.gaps.map((g) => r.startedAt + g.t)),
    runCount: store.target.runs.length,
  };
}

function dataExtent(store: UiStore, window: TimeWindow | null): Viewport {
  if (window) return { ...window };
  const runs = store.target.runs;
  if (!runs.length) return { from: 0, to: 1 };
  const first = runs[0]!;
  const last = runs[runs.length - 1]!;
  const firstOpen = first.analysis.model.connections[0]?.openedT ?? 0;
  const from = first.startedAt + firstOpen;
  const to = last.startedAt + last.analysis.model.now;
  const pad = Math.max(1, (to - from) * 0.02);
  return { from: from - pad, to: to + pad };
}
