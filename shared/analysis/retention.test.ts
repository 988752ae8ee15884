import { describe, expect, it } from 'vitest';
import type { AgentEvent, EventInput } from '../protocol.js';
import { createAnalysis } from './index.js';
import { StreamBuilder } from './fixtures/stream-builder.js';

describe('memory bounds', () => {
  it('100k connection open/close pairs (with a listener and a handle each) keep at most retainDead of each kind', () => {
    const a = createAnalysis({ retainDead: 500, seriesLimit: 300 });
    let seq = 0;
    const push = (e: EventInput) => a.apply({ ...e, seq: ++seq, t: seq } as AgentEvent);
    push({ type: 'emitter.watch', emitter: 'e1', name: 'manager', kind: 'EventEmitter' });
    for (let i = 0; i < 100_000; i++) {
      const conn = `c${i}`;
      push({ type: 'conn.open', conn, server: 's1', transport: 'tcp', actions: [] });
      push({ type: 'listener.add', listener: `l${i}`, emitter: 'e1', event: 'message', owner: conn, once: false });
      push({ type: 'handle.store', table: 'rooms', handle: i, handleType: 'room', owner: conn });
      push({ type: 'listener.remove', listener: `l${i}`, emitter: 'e1', event: 'message', how: 'remove' });
      push({ type: 'handle.drop', table: 'rooms', handle: i, ok: true, owner: conn });
      push({ type: 'conn.close', conn, cause: 'local-end' });
    }
    const lastCountChange = seq;
    for (let i = 0; i < 10_000; i++) {
      push({ type: 'action.start', action: `a${i}`, conn: null, name: 'reset', source: 'code', timeout: 100 });
      push({
        type: 'action.settle',
        action: `a${i}`,
        conn: null,
        name: 'reset',
        result: { verdict: 'clean', duration: 1, listenersRemoved: 0, handlesDropped: 0 },
      });
    }
    const m = a.model;
    expect(m.connections.length).toBeLessThanOrEqual(500);
    expect(m.listeners.length).toBeLessThanOrEqual(500);
    expect(m.handles.length).toBeLessThanOrEqual(500);
    expect(m.actions.length).toBeLessThanOrEqual(500);
    expect(m.sessions.length).toBeLessThanOrEqual(500);
    expect(m.series.length).toBeLessThanOrEqual(300);
    expect(m.pruned).toEqual({ connections: 99_500, listeners: 99_500, handles: 99_500, actions: 9_500 });
    // The newest are kept, and each connection still points at its own session.
    expect(m.connections[m.connections.length - 1]!.id).toBe('c99999');
    for (const c of m.connections) expect(m.sessions[c.session]!.conn).toBe(c.id);
    expect(m.series[m.series.length - 1]).toMatchObject({ seq: lastCountChange, connections: 0, listeners: { manager: 0 } });
    expect(a.findings({ includeResolved: true })).toEqual([]);
  });

  it('never prunes what an open finding references', () => {
    const s = new StreamBuilder();
    s.watch('e1', 'manager');
    s.open('leaky');
    s.add('orphan', 'e1', 'message', 'leaky');
    s.close('leaky');
    s.wait(2000);
    for (let i = 0; i < 50; i++) {
      s.open(`c${i}`);
      s.add(`l${i}`, 'e1', 'message', `c${i}`);
      s.remove(`l${i}`, 'e1', 'message');
      s.close(`c${i}`);
    }
    const a = s.analyze({ retainDead: 5 });
    expect(a.findings().map((f) => f.id)).toEqual(['orphan-listener:orphan']);
    expect(a.model.connections.map((c) => c.id)).toContain('leaky');
    expect(a.model.listeners.map((l) => l.id)).toContain('orphan');
    expect(a.model.connections.filter((c) => c.state === 'closed').length).toBeLessThanOrEqual(6);
  });

  it('keeps a closed connection while it still owns live listeners, then lets it go', () => {
    const s = new StreamBuilder();
    s.watch('e1', 'manager');
    s.open('owner');
    s.add('kept', 'e1', 'message', 'owner');
    s.close('owner');
    for (let i = 0; i < 20; i++) {
      s.open(`c${i}`);
      s.close(`c${i}`);
    }
    expect(s.analyze({ retainDead: 3, orphanGrace: 1_000_000 }).model.connections.map((c) => c.id)).toContain('owner');
    s.remove('kept', 'e1', 'message');
    for (let i = 20; i < 40; i++) {
      s.open(`c${i}`);
      s.close(`c${i}`);
    }
    expect(s.analyze({ retainDead: 3, orphanGrace: 1_000_000 }).model.connections.map((c) => c.id)).not.toContain('owner');
  });
});
