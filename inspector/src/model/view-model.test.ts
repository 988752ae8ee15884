import { describe, expect, it } from 'vitest';
import { analyze } from '../../../shared/analysis/index.js';
import type { AgentEvent } from '../../../shared/protocol.js';
import { eventMatcher } from './event-filter.js';
import { describeEvent } from './event-text.js';
import { sessionTable } from './session-rows.js';
import { buildTrace, verdictText } from './teardown-trace.js';
import { inWindow, makeWindow, sortedRange, spanOverlaps } from './time-window.js';
import { panViewport, zoomViewport } from './timeline.js';
import { scrollTopForRow, virtualWindow } from './virtual-window.js';
import { chartData, thinPoints, type ChartPoint } from './chart-series.js';
import { reloadLeakStream } from './fixtures.test-util.js';

const START = 1_700_000_000_000;

describe('time window', () => {
  it('filters points and spans, and finds sorted ranges by binary search', () => {
    const w = makeWindow(200, 100)!;
    expect(w).toEqual({ from: 100, to: 200 });
    expect(inWindow(150, w)).toBe(true);
    expect(inWindow(99, w)).toBe(false);
    expect(inWindow(99, null)).toBe(true);
    expect(spanOverlaps(50, undefined, w)).toBe(true); // still open
    expect(spanOverlaps(50, 99, w)).toBe(false);
    expect(makeWindow(5, 5)).toBeNull();
    const times = [10, 20, 20, 30, 40, 50];
    expect(sortedRange(times.length, (i) => times[i]!, { from: 20, to: 40 })).toEqual([1, 5]);
    expect(sortedRange(times.length, (i) => times[i]!, { from: 60, to: 70 })).toEqual([6, 6]);
    expect(sortedRange(times.length, (i) => times[i]!, null)).toEqual([0, 6]);
  });
});

describe('session table', () => {
  it('shows the reload leak growing 1→5 connections and 3→15 listeners, flagging each growth', () => {
    const model = analyze(reloadLeakStream(5, false));
    const table = sessionTable([{ run: 1, startedAt: START, model }], null);
    expect(table.rows.map((r) => r.index)).toEqual([1, 2, 3, 4, 5]);
    expect(table.rows.map((r) => r.connections)).toEqual([1, 2, 3, 4, 5]);
    expect(table.rows.map((r) => r.listeners.manager)).toEqual([3, 6, 9, 12, 15]);
    expect(table.listenerColumns).toEqual(['manager']);
    expect(table.rows[0]!.grew).toEqual([]);
    expect(table.rows[4]!.grew).toEqual(['connections', 'listeners:manager']);
  });

  it('shows the fixed client flat, with nothing flagged', () => {
    const model = analyze(reloadLeakStream(5, true));
    const table = sessionTable([{ run: 1, startedAt: START, model }], null);
    expect(table.rows.map((r) => r.connections)).toEqual([1, 1, 1, 1, 1]);
    expect(table.rows.map((r) => r.listeners.manager)).toEqual([3, 3, 3, 3, 3]);
    expect(table.rows.every((r) => r.grew.length === 0)).toBe(true);
  });

  it('keeps only sessions opened inside the window, but judges growth against the previous session', () => {
    const model = analyze(reloadLeakStream(5, false));
    const opened = model.sessions.map((s) => START + s.openedT);
    const table = sessionTable([{ run: 1, startedAt: START, model }], { from: opened[3]!, to: opened[4]! });
    expect(table.rows.map((r) => r.index)).toEqual([4, 5]);
    expect(table.rows[0]!.grew).toContain('connections');
  });
});

describe('teardown trace', () => {
  const events = [
    { type: 'conn.open', seq: 1, t: 0, conn: 'c1', server: 's1', transport: 'tcp', actions: [] },
    { type: 'listener.add', seq: 2, t: 1, listener: 'l1', emitter: 'e1', event: 'update', owner: 'c1', once: false },
    { type: 'listener.add', seq: 3, t: 1, listener: 'l2', emitter: 'e1', event: 'update', owner: 'c2', once: false },
    { type: 'action.start', seq: 4, t: 10, action: 'a1', conn: 'c1', name: 'disconnect', source: 'inspector', timeout: 2000 },
    { type: 'conn.local-end', seq: 5, t: 10.4, conn: 'c1' },
    { type: 'listener.remove', seq: 6, t: 10.5, listener: 'l2', emitter: 'e1', event: 'update', how: 'remove' },
    { type: 'conn.peer-end', seq: 7, t: 10.6, conn: 'c1' },
    { type: 'conn.close', seq: 8, t: 11.2, conn: 'c1', cause: 'local-end' },
    { type: 'listener.remove', seq: 9, t: 11.3, listener: 'l1', emitter: 'e1', event: 'update', how: 'remove' },
    { type: 'action.settle', seq: 10, t: 11.4, action: 'a1', conn: 'c1', name: 'disconnect', result: { verdict: 'clean', duration: 1.4, listenersRemoved: 1, handlesDropped: 0 } },
    { type: 'conn.close', seq: 11, t: 12, conn: 'c2', cause: 'destroy' },
  ] as AgentEvent[];
  const owners: Record<string, string> = { l1: 'c1', l2: 'c2' };

  it("lists the connection's own steps with times relative to the start, and the verdict", () => {
    const trace = buildTrace(1, events, 'a1', (_kind, id) => owners[id])!;
    expect(trace.steps.map((s) => s.seq)).toEqual([5, 7, 8, 9, 10]);
    expect(trace.steps.map((s) => Math.round(s.dt * 10) / 10)).toEqual([0.4, 0.6, 1.2, 1.3, 1.4]);
    expect(trace.steps[0]!.text).toBe('c1 FIN sent');
    expect(trace.listenersRemoved).toBe(1);
    expect(trace.verdictText).toBe('clean');
  });

  it('is running until settled, and null for an unknown action', () => {
    const trace = buildTrace(1, events.slice(0, 6), 'a1', (_k, id) => owners[id])!;
    expect(trace.result).toBeUndefined();
    expect(trace.verdictText).toBe('running…');
    expect(buildTrace(1, events, 'nope', () => null)).toBeNull();
  });

  it('says what remains when stuck and why it failed', () => {
    expect(verdictText({ verdict: 'stuck', duration: 2000, listenersRemoved: 0, handlesDropped: 0, state: 'closing', remaining: { listeners: 3, handles: 1 } })).toBe(
      'stuck: closing, 3 listeners and 1 handle remain',
    );
    expect(verdictText({ verdict: 'failed', duration: 1, listenersRemoved: 0, handlesDropped: 0, error: { code: 'EPIPE', message: 'broken pipe' } })).toBe('failed: EPIPE broken pipe');
  });
});

describe('event filter', () => {
  const events = reloadLeakStream(3, true);
  it('matches by category or exact type, by connection (owner counts), and by text', () => {
    expect(events.filter(eventMatcher({ types: ['conn'] })).every((e) => e.type.startsWith('conn.'))).toBe(true);
    expect(events.filter(eventMatcher({ types: ['conn.close'] })).length).toBe(2);
    const c2 = events.filter(eventMatcher({ conn: 'c2' }));
    expect(c2.map((e) => e.type)).toEqual(['conn.open', 'listener.add', 'listener.add', 'listener.add', 'conn.io', 'conn.close']);
    expect(events.filter(eventMatcher({ text: 'L4 ADDED' })).map((e) => describeEvent(e))).toEqual(['l4 added to e1 "update" by c2']);
    expect(events.filter(eventMatcher({})).length).toBe(events.length);
  });
});

describe('virtual window', () => {
  it('renders only the rows in view plus overscan', () => {
    const w = virtualWindow({ count: 100_000, rowHeight: 20, viewportHeight: 400, scrollTop: 2000, overscan: 5 });
    expect(w.start).toBe(95);
    expect(w.end).toBe(100 + 21 + 5);
    expect(w.offsetTop).toBe(95 * 20);
  });

  it('compresses a scroll range taller than the browser allows and still reaches the last row', () => {
    const input = { count: 10_000_000, rowHeight: 20, viewportHeight: 400, maxHeight: 1_000_000 };
    const bottom = virtualWindow({ ...input, scrollTop: 1_000_000 });
    expect(bottom.totalHeight).toBe(1_000_000);
    expect(bottom.end).toBe(10_000_000);
    const middle = scrollTopForRow(5_000_000, input);
    const w = virtualWindow({ ...input, scrollTop: middle, overscan: 0 });
    expect(Math.abs(w.start - 5_000_000)).toBeLessThanOrEqual(1);
  });

  it('handles an empty list', () => {
    expect(virtualWindow({ count: 0, rowHeight: 20, viewportHeight: 400, scrollTop: 0 })).toMatchObject({ start: 0, end: 0, totalHeight: 0 });
  });
});

describe('timeline viewport and charts', () => {
  it('zooms around the anchor and pans by a fraction', () => {
    expect(zoomViewport({ from: 0, to: 100 }, 0.5, 50)).toEqual({ from: 25, to: 75 });
    expect(zoomViewport({ from: 0, to: 100 }, 0.5, 0)).toEqual({ from: 0, to: 50 });
    expect(panViewport({ from: 0, to: 100 }, 0.25)).toEqual({ from: 25, to: 125 });
  });

  it('puts runs on one absolute axis, drops counts to zero at a restart, and extends the live run to now', () => {
    const model = analyze(reloadLeakStream(2, false));
    const data = chartData([
      { run: 1, startedAt: START, endedAt: START + 1000, model },
      { run: 2, startedAt: START + 2000, model },
    ]);
    expect(data.listenerKeys).toEqual(['listeners:manager']);
    const run1 = data.points.filter((p) => p.run === 1);
    expect(run1[run1.length - 1]).toMatchObject({ at: START + 1000, connections: 0, 'listeners:manager': 0 });
    expect(data.points.filter((p) => p.run === 2)[0]!.at).toBeGreaterThan(START + 2000);
    // The run still going holds its counts until now: the axis reaches now, not the last change.
    const last = data.points[data.points.length - 1]!;
    expect(last).toMatchObject({ run: 2, at: START + 2000 + model.now, 'listeners:manager': 6 });
  });

  it('thins a long series to the chart budget without losing a peak, a run boundary or the latest counts', () => {
    const points: ChartPoint[] = [];
    for (let i = 0; i < 2000; i++) points.push({ at: i, run: i < 1000 ? 1 : 2, connections: i === 779 ? 50 : 3, 'listeners:m': i % 10 } as ChartPoint);
    points.push({ at: 2000, run: 2, connections: 1, 'listeners:m': 0 } as ChartPoint);
    const thin = thinPoints(points, ['connections', 'listeners:m'], 300);
    expect(thin.length).toBeLessThanOrEqual(310);
    expect(Math.max(...thin.map((p) => p.connections))).toBe(50);
    // Run 1's last point and the newest point are kept exactly; points stay in time order and runs never mix.
    expect(thin.find((p) => p.at === 999)).toEqual(points[999]);
    expect(thin[thin.length - 1]).toEqual(points[2000]);
    expect(thin.map((p) => p.at)).toEqual([...thin.map((p) => p.at)].sort((a, b) => a - b));
    expect(thin.filter((p) => p.run === 1).every((p) => p.at <= 999)).toBe(true);
    expect(thinPoints(points.slice(0, 100), ['connections'], 300)).toHaveLength(100);
  });
});
