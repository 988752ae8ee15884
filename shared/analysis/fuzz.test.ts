import { describe, expect, it } from 'vitest';
import type { AgentEvent, EventInput } from '../protocol.js';
import { createAnalysis } from './index.js';

/** Deterministic PRNG (mulberry32) so a failure reproduces. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let x = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

/** Random but well-formed events over a small id space, so they collide in every order. */
function randomEvent(next: () => number): EventInput {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  const conn = `c${Math.floor(next() * 20)}`;
  const owner = next() < 0.2 ? null : conn;
  const emitter = pick(['e1', 'e2', 'e3']);
  const event = pick(['message', 'status', 'close']);
  const listener = `l${Math.floor(next() * 60)}`;
  const table = pick(['rooms', 'tracks']);
  const handle = next() < 0.5 ? Math.floor(next() * 30) : `h${Math.floor(next() * 30)}`;
  const action = `a${Math.floor(next() * 10)}`;
  const ok = next() < 0.6;
  switch (Math.floor(next() * 21)) {
    case 0:
      return { type: 'conn.open', conn, server: pick(['s1', 's2', null]), transport: 'tcp', actions: [], ...(next() < 0.3 ? { client: pick(['A', 'B']) } : {}) };
    case 1:
      return { type: 'conn.peer-end', conn };
    case 2:
      return { type: 'conn.local-end', conn };
    case 3:
      return { type: 'conn.close', conn, cause: pick(['peer-end', 'local-end', 'destroy', 'error'] as const) };
    case 4:
      return { type: 'conn.error', conn, code: 'EPIPE', message: 'broken pipe' };
    case 5:
      return { type: 'conn.io', conn, bytesIn: 1, bytesOut: 2, msgsIn: 1, msgsOut: 1, lastActivity: next() * 1000 };
    case 6:
      return { type: 'conn.write-after-close', conn, state: pick(['closed', 'peer-ended', 'local-ended'] as const) };
    case 7:
      return { type: 'emitter.watch', emitter, name: `name-${emitter}`, kind: 'EventEmitter' };
    case 8:
      return { type: 'emitter.unwatch', emitter };
    case 9:
      return { type: 'emitter.lost-track', emitter, reason: 'removeAllListeners' };
    case 10:
    case 11:
      return { type: 'listener.add', listener, emitter, event, owner, once: next() < 0.5 };
    case 12:
      return { type: 'listener.remove', listener, emitter, event, how: pick(['remove', 'remove-all', 'once-fired', 'abort', 'unwatch'] as const) };
    case 13:
      return { type: 'handle.store', table, handle, handleType: pick(['room', 'track']), owner, ...(next() < 0.3 ? { parent: 1 } : {}) };
    case 14:
      return { type: 'handle.retrieve', table, handle, ok, owner };
    case 15:
      return { type: 'handle.take', table, handle, ok, owner };
    case 16:
      return { type: 'handle.drop', table, handle, ok, owner };
    case 17:
      return { type: 'action.start', action, conn, name: 'disconnect', source: 'inspector', timeout: 100 };
    case 18:
      return {
        type: 'action.settle',
        action,
        conn,
        name: 'disconnect',
        result: { verdict: pick(['clean', 'stuck', 'failed'] as const), duration: 100, listenersRemoved: 0, handlesDropped: 0 },
      };
    case 19:
      return { type: 'mark', label: 'm' };
    default:
      return { type: 'mark', label: 'last' };
  }
}

describe('robustness', () => {
  it('100k random well-formed events never throw, and the model stays consistent', () => {
    const next = random(42);
    const a = createAnalysis({ retainDead: 50, orphanGrace: 20, handleGrace: 20, halfOpenGrace: 30 });
    let t = 0;
    for (let seq = 1; seq <= 100_000; seq++) {
      t += Math.floor(next() * 5);
      if (next() < 0.01) a.applyGap({ from: seq, to: seq, count: 1, reason: 'slow-consumer' });
      if (next() < 0.05) a.advance(t);
      a.apply({ ...randomEvent(next), seq, t } as AgentEvent);
    }
    a.advance(t + 1000);
    const m = a.model;
    expect(m.seq).toBe(100_000);
    // Counts agree with the entities the model holds as alive.
    const open = m.connections.filter((c) => c.state !== 'closed').length;
    expect(a.counts().connections).toBe(open);
    const live = m.listeners.filter((l) => l.removedSeq === undefined).length;
    expect(Object.values(a.counts().listeners).reduce((x, y) => x + y, 0)).toBe(live);
    for (const c of m.connections) expect(m.sessions[c.session]?.conn).toBe(c.id);
    // Finding ids stay unique even when conditions recur.
    const ids = a.findings({ includeResolved: true }).map((f) => f.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBeGreaterThan(0);
  });

  it('ignores unknown event types (the finding events of earlier agents among them) and duplicates', () => {
    const a = createAnalysis();
    a.apply({ type: 'conn.open', seq: 1, t: 1, conn: 'c1', server: 's1', transport: 'tcp', actions: [] });
    const version = a.version;
    a.apply({ type: 'conn.open', seq: 1, t: 1, conn: 'c1', server: 's1', transport: 'tcp', actions: [] });
    expect(a.version).toBe(version);
    a.apply({ type: 'something.new', seq: 2, t: 2 } as unknown as AgentEvent);
    a.apply({ type: 'finding.resolve', seq: 3, t: 3, id: 'orphan-listener:x', resolvedSeq: 3 } as unknown as AgentEvent);
    a.apply({ type: 'conn.close', seq: 4, t: 4, conn: 'unknown', cause: 'peer-end' });
    expect(a.model.connections).toHaveLength(1);
    expect(a.model.sessions).toHaveLength(1);
    expect(a.model.seq).toBe(4);
  });
});
