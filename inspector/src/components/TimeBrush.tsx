import { useRef, useState, type KeyboardEvent, type PointerEvent } from 'react';
import { formatClock, formatDuration } from '../model/format.js';
import { makeWindow, type TimeWindow } from '../model/time-window.js';

interface Props {
  /** All time: from the first event to now (absolute ms). */
  extent: { from: number; to: number };
  window: TimeWindow | null;
  onChange(window: TimeWindow | null): void;
  /** A sparkline of the counts, drawn in the track for orientation. */
  points: readonly { at: number; value: number }[];
}

type Drag = { kind: 'from' | 'to' | 'move' | 'new'; startX: number; start: TimeWindow };

/**
 * The time window over all time: drag a handle to narrow it, drag the
 * selection to move it, drag anywhere else on the track to draw a new one;
 * what you drag stays where you leave it. Handles are sliders: ←/→ move
 * them by 1 % (Shift: 10 %), Home/End to the ends. The window bar's All
 * time clears it.
 */
export function TimeBrush({ extent, window, onChange, points }: Props) {
  const track = useRef<HTMLDivElement>(null);
  const [draft, setDraft] = useState<TimeWindow | null>(null);
  const drag = useRef<Drag | null>(null);
  const span = Math.max(1, extent.to - extent.from);
  const shown = draft ?? window;
  const from = clamp(shown?.from ?? extent.from, extent.from, extent.to);
  const to = clamp(Number.isFinite(shown?.to) ? shown!.to : extent.to, extent.from, extent.to);
  const pct = (at: number) => ((at - extent.from) / span) * 100;
  const atX = (clientX: number) => {
    const rect = track.current!.getBoundingClientRect();
    return extent.from + clamp((clientX - rect.left) / Math.max(1, rect.width), 0, 1) * span;
  };

  /** A window covering all time is no window. */
  const settle = (w: TimeWindow | null) => onChange(!w || (w.from <= extent.from && w.to >= extent.to) ? null : w);

  const begin = (kind: Drag['kind']) => (e: PointerEvent<HTMLElement>) => {
    if (e.button !== 0) return;
    e.preventDefault();
    e.stopPropagation();
    track.current!.setPointerCapture(e.pointerId);
    drag.current = { kind, startX: e.clientX, start: { from, to } };
    if (kind === 'new') setDraft({ from: atX(e.clientX), to: atX(e.clientX) });
  };
  /** The window a drag describes with the pointer at `clientX`. */
  const dragged = (d: Drag, clientX: number): TimeWindow => {
    const at = atX(clientX);
    if (d.kind === 'from') return { from: Math.min(at, d.start.to - 1), to: d.start.to };
    if (d.kind === 'to') return { from: d.start.from, to: Math.max(at, d.start.from + 1) };
    if (d.kind === 'move') {
      const width = d.start.to - d.start.from;
      const start = clamp(d.start.from + at - atX(d.startX), extent.from, extent.to - width);
      return { from: start, to: start + width };
    }
    return makeWindow(atX(d.startX), at) ?? { from: at, to: at };
  };
  const onPointerMove = (e: PointerEvent<HTMLElement>) => {
    if (drag.current) setDraft(dragged(drag.current, e.clientX));
  };
  const onPointerUp = (e: PointerEvent<HTMLElement>) => {
    const d = drag.current;
    drag.current = null;
    setDraft(null);
    if (!d) return;
    const w = dragged(d, e.clientX);
    // A click without a drag on the track is not a window.
    if (w.to - w.from >= span / 1000) settle(w);
  };

  const onKey = (edge: 'from' | 'to') => (e: KeyboardEvent) => {
    const step = (e.shiftKey ? 0.1 : 0.01) * span;
    const value = edge === 'from' ? from : to;
    const next: Record<string, number> = { ArrowLeft: value - step, ArrowDown: value - step, ArrowRight: value + step, ArrowUp: value + step, PageDown: value - span / 10, PageUp: value + span / 10, Home: extent.from, End: extent.to };
    const at = next[e.key];
    if (at === undefined) return;
    e.preventDefault();
    if (edge === 'from') settle({ from: clamp(at, extent.from, to - 1), to: window && !Number.isFinite(window.to) ? window.to : to });
    else settle({ from, to: clamp(at, from + 1, extent.to) });
  };

  const followsNow = window !== null && !Number.isFinite(window.to) && draft === null;
  const sparkMax = Math.max(1, ...points.map((p) => p.value));
  // Drawn as steps, as the counts change.
  const spark = points
    .map((p, i) => {
      const y = (100 - (p.value / sparkMax) * 90).toFixed(1);
      const x = pct(p.at).toFixed(2);
      return i === 0 ? `${x},${y}` : `${x},${(100 - (points[i - 1]!.value / sparkMax) * 90).toFixed(1)} ${x},${y}`;
    })
    .join(' ');
  return (
    <div className="brush" role="group" aria-label="Time window brush">
      <div ref={track} className="brush-track" onPointerDown={begin('new')} onPointerMove={onPointerMove} onPointerUp={onPointerUp} onPointerCancel={onPointerUp}>
        <svg className="brush-spark" viewBox="0 0 100 100" preserveAspectRatio="none" aria-hidden="true">
          <polyline points={spark} />
        </svg>
        <div
          className={`brush-selection${shown ? '' : ' all'}`}
          style={{ left: `${pct(from)}%`, width: `${Math.max(0.2, pct(to) - pct(from))}%` }}
          onPointerDown={begin('move')}
          title="Drag to move the window"
        />
        <Handle edge="from" at={from} extent={extent} pct={pct(from)} onPointerDown={begin('from')} onKeyDown={onKey('from')} />
        <Handle edge="to" at={to} extent={extent} pct={pct(to)} onPointerDown={begin('to')} onKeyDown={onKey('to')} followsNow={followsNow} />
      </div>
      <span className="brush-label muted">
        {shown ? `${formatClock(from)} – ${followsNow ? 'now' : formatClock(to)} (${formatDuration(to - from)})` : `All time (${formatDuration(span)})`}
      </span>
    </div>
  );
}

function Handle({ edge, at, extent, pct, onPointerDown, onKeyDown, followsNow }: { edge: 'from' | 'to'; at: number; extent: { from: number; to: number }; pct: number; onPointerDown(e: PointerEvent<HTMLElement>): void; onKeyDown(e: KeyboardEvent): void; followsNow?: boolean }) {
  return (
    <div
      role="slider"
      tabIndex={0}
      aria-label={edge === 'from' ? 'Window start' : 'Window end'}
      aria-orientation="horizontal"
      aria-valuemin={Math.round(extent.from)}
      aria-valuemax={Math.round(extent.to)}
      aria-valuenow={Math.round(at)}
      aria-valuetext={followsNow ? 'now (following the stream)' : formatClock(at)}
      className={`brush-handle ${edge}`}
      style={{ left: `${pct}%` }}
      onPointerDown={onPointerDown}
      onKeyDown={onKeyDown}
    />
  );
}

function clamp(n: number, lo: number, hi: number): number {
  return n < lo ? lo : n > hi ? hi : n;
}
