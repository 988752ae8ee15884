import { describe, expect, it } from 'vitest';
import { analyze, createAnalysis } from '../../../shared/analysis/index.js';
import type { AgentEvent } from '../../../shared/protocol.js';
import { connectionRows } from './connection-rows.js';
import { handleGroups, handleRows } from './handle-rows.js';
import { listenerGroups, listenerRows } from './listener-rows.js';
import { reloadLeakStream } from './fixtures.test-util.js';
import type { RunModel } from './runs.js';

const START = 1_700_000_000_000;

function run(events: AgentEvent[], n = 1, endedAt?: number): RunModel {
  return { run: n, startedAt: START + (n - 1) * 100_000, ...(endedAt !== undefined ? { endedAt } : {}), model: analyze(events) };
}

/** Appends events with consecutive seqs after `events`, at the given agent times. */
function extend(events: AgentEvent[], more: Record<string, unknown>[]): AgentEvent[] {
  let seq = events[events.length - 1]!.seq;
  return [...events, ...more.map((e) => ({ ...e, seq: ++seq }) as unknown as AgentEvent)];
}

describe('connection rows', () => {
  it('counts what each open connection owns and offers its actions', () => {
    const rows = connectionRows([run(reloadLeakStream(3, false))], null);
    expect(rows.map((r) => [r.label, r.state, r.listeners])).toEqual([
      ['c1', 'open', 3],
      ['c2', 'open', 3],
      ['c3', 'open', 3],
    ]);
  });

  it('measures idleness from what the peer sent, not from the backend writing into it', () => {
    const base = reloadLeakStream(2, false);
    const t = base[base.length - 1]!.t;
    const events = extend(base, [
      // The backend keeps writing to abandoned c1; c2's peer keeps talking.
      { type: 'conn.io', t: t + 5000, conn: 'c1', bytesIn: 0, bytesOut: 900, msgsIn: 0, msgsOut: 9, lastActivity: t + 5000 },
      { type: 'conn.io', t: t + 5000, conn: 'c2', bytesIn: 40, bytesOut: 900, msgsIn: 2, msgsOut: 9, lastActivity: t + 5000, lastIn: t + 4900 },
    ]);
    const [c1, c2] = connectionRows([run(events)], null);
    expect(c1!.peerIdle).toBeGreaterThanOrEqual(5000);
    expect(c2!.peerIdle).toBe(100);
    expect([c1!.msgsOut, c2!.msgsIn]).toEqual([9, 2]);
  });

  it('shows no message counts for a byte stream (bytes flowed, no message counted)', () => {
    const base = reloadLeakStream(1, false);
    const t = base[base.length - 1]!.t;
    const [c1] = connectionRows([run(extend(base, [{ type: 'conn.io', t: t + 10, conn: 'c1', bytesIn: 40, bytesOut: 900, lastActivity: t + 10 }]))], null);
    expect([c1!.bytesIn, c1!.msgsIn, c1!.msgsOut]).toEqual([40, undefined, undefined]);
  });

  it('marks what a restart took with it as gone, with no actions, and scopes ids by run', () => {
    const events = reloadLeakStream(1, false).map((e) => (e.type === 'conn.open' ? ({ ...e, actions: [{ name: 'close', source: 'builtin' }] } as AgentEvent) : e));
    const rows = connectionRows([run(events, 1, START + 5000), run(events, 2)], null);
    expect(rows.map((r) => [r.label, r.state, r.actions.length])).toEqual([
      ['#1 c1', 'gone', 0],
      ['#2 c1', 'open', 1],
    ]);
    expect(rows[0]!.peerIdle).toBeUndefined();
  });

  it('keeps only connections alive during the window', () => {
    const events = reloadLeakStream(3, true);
    const closeOfC1 = events.find((e) => e.type === 'conn.close' && e.conn === 'c1')!;
    const rows = connectionRows([run(events)], { from: START + closeOfC1.t + 1, to: Infinity });
    expect(rows.map((r) => r.id)).toEqual(['c2', 'c3']);
  });
});

describe('listener rows', () => {
  it("says whether each listener's owner is alive, closed or gone", () => {
    const events = reloadLeakStream(2, true);
    const rows = listenerRows([run(events)], null);
    expect(rows.filter((r) => r.owner.id === 'c1').map((r) => [r.owner.state, r.status])).toEqual([
      ['closed', 'removed (remove)'],
      ['closed', 'removed (remove)'],
      ['closed', 'removed (remove)'],
    ]);
    expect(rows.find((r) => r.owner.id === 'c2')!.owner.text).toBe('alive c2');
    const gone = listenerRows([run(events, 1, START + 1000)], null).find((r) => r.owner.id === 'c2')!;
    expect(gone.owner).toEqual({ id: 'c2', state: 'gone', text: 'gone c2 (restart)' });
  });

  it('groups by emitter event and flags a trend that grows every session', () => {
    const runs = [run(reloadLeakStream(4, false))];
    const [group] = listenerGroups(runs, listenerRows(runs, null));
    expect(group).toMatchObject({ emitterName: 'manager', event: 'update', live: 12, added: 12, removed: 0, trend: [3, 6, 9, 12], grows: true });
    const fixed = [run(reloadLeakStream(4, true))];
    expect(listenerGroups(fixed, listenerRows(fixed, null))[0]).toMatchObject({ live: 3, removed: 9, grows: false });
  });
});

describe('handle rows', () => {
  const events = [
    { type: 'conn.open', seq: 1, t: 0, conn: 'c1', server: 's1', transport: 'tcp', actions: [] },
    { type: 'handle.table', seq: 2, t: 1, table: 'rooms' },
    { type: 'handle.store', seq: 3, t: 2, table: 'rooms', handle: 1, handleType: 'room', owner: 'c1' },
    { type: 'handle.store', seq: 4, t: 3, table: 'rooms', handle: 2, handleType: 'room', owner: 'c1' },
    { type: 'handle.drop', seq: 5, t: 4, table: 'rooms', handle: 1, ok: true },
    { type: 'handle.retrieve', seq: 6, t: 5, table: 'rooms', handle: 1, ok: false },
    { type: 'handle.drop', seq: 7, t: 6, table: 'rooms', handle: 1, ok: false },
  ] as unknown as AgentEvent[];

  it('spells out use-after-drop and double drops, and counts them per table and type', () => {
    const rows = handleRows([run(events)], null);
    expect(rows.map((r) => [r.id, r.state, r.owner.text])).toEqual([
      ['rooms:1', 'dropped', 'alive c1'],
      ['rooms:2', 'live', 'alive c1'],
    ]);
    expect(rows[0]!.misuse).toMatch(/^double drop; used after drop ×2 \(#6, #7\)$/);
    expect(rows[1]!.misuse).toBe('');
    expect(handleGroups(rows)).toEqual([{ key: 'rooms/room', live: 1, dropped: 1, stale: 2, doubleDrops: 1 }]);
  });
});

describe('connection rows, app-level sessions', () => {
  it("carry the protocol the agent recognised, and mark an open session its client abandoned", () => {
    const analysis = createAnalysis();
    for (const e of reloadLeakStream(2, false)) analysis.apply(e.type === 'conn.open' ? ({ ...e, protocol: 'socket.io' } as AgentEvent) : e);
    // Past the abandon grace: c1's client moved on to c2 and never spoke again.
    analysis.advance(analysis.model.now + 5000);
    const rows = connectionRows([{ run: 1, startedAt: START, model: analysis.model }], null);
    expect(rows.map((r) => [r.id, r.protocol, r.state, r.abandoned])).toEqual([
      ['c1', 'socket.io', 'open', true],
      ['c2', 'socket.io', 'open', false],
    ]);
    const ended = connectionRows([{ run: 1, startedAt: START, endedAt: START + 10, model: analysis.model }], null)[0]!;
    expect(ended).toMatchObject({ state: 'gone', abandoned: false });
  });
});
