import { describe, expect, it } from 'vitest';
import { reloadStream, StreamBuilder } from './fixtures/stream-builder.js';

describe('sessions', () => {
  it('the reload leak climbs: connections 1..5, manager listeners 3..15', () => {
    const a = reloadStream({ sessions: 5, fixed: false, client: 'rn-app' }).analyze();
    const sessions = a.model.sessions;
    expect(sessions.map((s) => [s.group, s.index, s.conn])).toEqual([
      ['rn-app', 1, 'c1'],
      ['rn-app', 2, 'c2'],
      ['rn-app', 3, 'c3'],
      ['rn-app', 4, 'c4'],
      ['rn-app', 5, 'c5'],
    ]);
    expect(sessions.map((s) => s.counts.connections)).toEqual([1, 2, 3, 4, 5]);
    expect(sessions.map((s) => s.counts.listeners.manager)).toEqual([3, 6, 9, 12, 15]);
    expect(sessions.slice(0, 4).map((s) => s.endedSeq)).toEqual(sessions.slice(1).map((s) => s.openedSeq));
    expect(sessions[4]!.endedSeq).toBeUndefined();
  });

  it('its fix stays flat: 1,1,1,1,1 and 3,3,3,3,3', () => {
    const a = reloadStream({ sessions: 5, fixed: true, client: 'rn-app' }).analyze();
    expect(a.model.sessions.map((s) => s.counts.connections)).toEqual([1, 1, 1, 1, 1]);
    expect(a.model.sessions.map((s) => s.counts.listeners.manager)).toEqual([3, 3, 3, 3, 3]);
  });

  it('groups by server when the app gave no client identity, and custom for server-less connections', () => {
    const s = new StreamBuilder();
    s.open('c1', { server: 's1' });
    s.open('c2', { server: 's2' });
    s.open('c3', { server: 's1' });
    s.open('c4', { server: null });
    const a = s.analyze();
    expect(a.model.sessions.map((x) => [x.group, x.index])).toEqual([
      ['server:s1', 1],
      ['server:s2', 1],
      ['server:s1', 2],
      ['custom', 1],
    ]);
    expect(a.model.connections.map((c) => c.session)).toEqual([0, 1, 2, 3]);
  });

  it("the latest session's counts follow now; ended ones stay as they were", () => {
    const s = reloadStream({ sessions: 2, fixed: false });
    const a = s.analyze();
    s.store('rooms', 1, 'room', 'c2');
    a.apply(s.events[s.events.length - 1]!);
    expect(a.model.sessions[1]!.counts.handles).toEqual({ 'rooms/room': 1 });
    expect(a.model.sessions[0]!.counts.handles).toEqual({});
    expect(a.counts()).toEqual({ connections: 2, listeners: { manager: 6 }, handles: { 'rooms/room': 1 } });
  });

  it('records a series point whenever counts change', () => {
    const a = reloadStream({ sessions: 2, fixed: false }).analyze();
    const series = a.model.series;
    expect(series.map((p) => [p.connections, p.listeners.manager ?? 0])).toEqual([
      [1, 0],
      [1, 1],
      [1, 2],
      [1, 3],
      [2, 3],
      [2, 4],
      [2, 5],
      [2, 6],
    ]);
  });
});
