import { describe, expect, it } from 'vitest';
import { analyze, createAnalysis, DEFAULT_ANALYSIS_OPTIONS } from './index.js';
import { StreamBuilder } from './fixtures/stream-builder.js';

describe('model reducer', () => {
  it('tracks a connection through open → half-open → closing → closed with its cause and I/O', () => {
    const s = new StreamBuilder();
    const openSeq = s.open('c1', { label: 'room', client: 'app', peer: '127.0.0.1:1' });
    s.io('c1', 5, 300);
    const states: string[] = [];
    const a = createAnalysis();
    const step = () => {
      a.apply(s.events[s.events.length - 1]!);
      states.push(a.model.connections[0]!.state);
    };
    a.apply(s.events[0]!);
    step();
    s.peerEnd('c1');
    step();
    s.localEnd('c1');
    step();
    s.push({ type: 'conn.error', conn: 'c1', code: 'EPIPE', message: 'broken pipe' });
    step();
    const closeSeq = s.close('c1', 'error', 'EPIPE');
    step();
    expect(states).toEqual(['open', 'half-open', 'closing', 'closing', 'closed']);
    expect(a.model.connections[0]).toMatchObject({
      id: 'c1',
      server: 's1',
      label: 'room',
      client: 'app',
      openedSeq: openSeq,
      closedSeq: closeSeq,
      cause: 'error',
      error: 'EPIPE',
      bytesIn: 300,
      bytesOut: 300,
      lastActivity: 5,
    });
  });

  it('a local end before the peer ends goes straight to closing', () => {
    const s = new StreamBuilder();
    s.open('c1');
    s.localEnd('c1');
    s.peerEnd('c1');
    expect(s.analyze().model.connections[0]!.state).toBe('closing');
  });

  it('tracks listeners with owner, emitter name and removal; unwatch removes what is left', () => {
    const s = new StreamBuilder();
    s.watch('e1', 'manager');
    s.open('c1');
    s.add('l1', 'e1', 'message', 'c1', ['at sub (/app/a.js:1:1)']);
    s.add('l2', 'e1', 'status', null);
    const removeSeq = s.remove('l1', 'e1', 'message');
    const unwatchSeq = s.unwatch('e1');
    const a = s.analyze();
    expect(a.model.listeners).toMatchObject([
      { id: 'l1', emitterName: 'manager', owner: 'c1', removedSeq: removeSeq, how: 'remove', stack: ['at sub (/app/a.js:1:1)'] },
      { id: 'l2', emitterName: 'manager', owner: null, removedSeq: unwatchSeq, how: 'unwatch' },
    ]);
    expect(a.model.emitters).toMatchObject([{ id: 'e1', name: 'manager', unwatchedSeq: unwatchSeq }]);
    expect(a.counts().listeners).toEqual({ manager: 0 });
  });

  it('tracks handles by table:id with parents, accesses and stale accesses', () => {
    const s = new StreamBuilder();
    s.store('rooms', 1, 'room', null);
    s.store('rooms', 2, 'track', null, 1);
    s.retrieve('rooms', 1, true);
    s.retrieve('rooms', 1, true);
    const take = s.take('rooms', 2, true);
    const stale = s.retrieve('rooms', 2, false);
    const a = s.analyze();
    expect(a.model.handles).toMatchObject([
      { id: 'rooms:1', handle: 1, type: 'room', state: 'live', accesses: 2, staleAccesses: [] },
      { id: 'rooms:2', type: 'track', parent: 'rooms:1', state: 'dropped', droppedSeq: take, staleAccesses: [stale] },
    ]);
    expect(a.counts().handles).toEqual({ 'rooms/room': 1, 'rooms/track': 0 });
  });

  it('tracks actions, marks, gaps, seq and now', () => {
    const s = new StreamBuilder();
    s.open('c1');
    const start = s.act('a1', 'c1', 'close', 500);
    const settle = s.settle('a1', 'c1', 'close', { verdict: 'clean', duration: 4 });
    const mark = s.mark('cycle 1');
    const a = s.analyze();
    a.applyGap({ from: 5, to: 9, count: 5, reason: 'evicted' });
    a.apply({ type: 'mark', seq: 10, t: 99, label: 'after gap' });
    a.advance(50);
    a.advance(120);
    expect(a.model.actions).toMatchObject([{ id: 'a1', connection: 'c1', startedSeq: start, settledSeq: settle, verdict: 'clean', timeout: 500 }]);
    expect(a.model.marks.map((m) => [m.seq, m.label])).toEqual([
      [mark, 'cycle 1'],
      [10, 'after gap'],
    ]);
    expect(a.model.gaps).toEqual([{ from: 5, to: 9, count: 5, reason: 'evicted', t: 99 }]);
    expect(a.model.seq).toBe(10);
    expect(a.model.now).toBe(120);
  });

  it('version increases on every change; takeChanges hands out opened and resolved findings once', () => {
    const s = new StreamBuilder();
    s.open('c1');
    s.peerEnd('c1');
    const a = s.analyze({ halfOpenGrace: 100 });
    const before = a.version;
    a.advance(s.t + 100);
    expect(a.version).toBeGreaterThan(before);
    const changes = a.takeChanges();
    expect(changes.opened.map((f) => f.id)).toEqual(['half-open:c1']);
    expect(changes.resolved).toEqual([]);
    expect(a.takeChanges()).toEqual({ opened: [], resolved: [], updated: [] });
    a.apply({ type: 'conn.close', seq: 3, t: s.t + 200, conn: 'c1', cause: 'peer-end' });
    const later = a.takeChanges();
    expect(later.opened).toEqual([]);
    expect(later.resolved).toMatchObject([{ id: 'half-open:c1', resolvedSeq: 3 }]);
    // What was handed out does not change under the agent's feet.
    expect(changes.opened[0]!.resolvedSeq).toBeUndefined();
  });

  it('findingsVersion moves when a finding opens, changes or resolves, and only then; lastDeadline says when every grace period has run out', () => {
    const s = new StreamBuilder();
    s.watch('e1', 'bus');
    s.open('c1');
    s.add('c1/l', 'e1', 'tick', 'c1');
    const closedT = s.t + 1;
    s.close('c1');
    const a = s.analyze();
    expect(a.findingsVersion).toBe(0);
    expect(a.lastDeadline()).toBe(closedT + 1000);
    a.advance(closedT + 500);
    expect(a.findingsVersion).toBe(0);
    a.advance(closedT + 1000);
    expect(a.findingsVersion).toBe(1);
    expect(a.lastDeadline()).toBeUndefined();
    a.apply({ type: 'mark', seq: 99, t: closedT + 1001, label: 'x' });
    expect(a.findingsVersion).toBe(1);
    a.apply({ type: 'listener.remove', seq: 100, t: closedT + 1002, listener: 'c1/l', emitter: 'e1', event: 'tick', how: 'remove' });
    expect(a.findingsVersion).toBe(2);
  });

  it('a finding that recurs after resolving gets a new id', () => {
    const s = new StreamBuilder();
    s.watch('e1', 'manager');
    s.open('c1');
    s.store('t', 1, 'x', 'c1');
    s.close('c1');
    s.wait(2000);
    s.drop('t', 1, true);
    s.open('c2');
    s.store('t', 1, 'x', 'c2');
    s.close('c2');
    s.wait(2000);
    s.mark('end');
    expect(s.analyze().findings({ includeResolved: true }).map((f) => f.id)).toEqual(['orphan-handle:t:1', 'orphan-handle:t:1#2']);
  });

  it('analyze() replays a stream; defaults are the documented ones', () => {
    const s = new StreamBuilder();
    s.open('c1');
    s.peerEnd('c1');
    expect(analyze(s.events).findings).toEqual([]);
    expect(analyze(s.events, {}, s.t + 2000).findings.map((f) => f.id)).toEqual(['half-open:c1']);
    expect(DEFAULT_ANALYSIS_OPTIONS).toEqual({
      orphanGrace: 1000,
      handleGrace: 1000,
      halfOpenGrace: 2000,
      abandonGrace: 3000,
      listenerGrowthSessions: 3,
      connectionGrowthSessions: 3,
      retainDead: 5000,
      seriesLimit: 2000,
    });
  });
});
