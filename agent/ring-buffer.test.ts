import { describe, expect, it } from 'vitest';
import type { AgentEvent } from '../shared/protocol.js';
import { EventRing } from './ring-buffer.js';

/** One event of each kind the ring keeps as columns, with and without an optional field, and one it keeps as it is. */
const EVENTS: AgentEvent[] = [
  { type: 'handle.store', table: 'rooms', handle: 1, handleType: 'room', owner: 'c1', seq: 1, t: 0.5 },
  { type: 'handle.store', table: 'rooms', handle: 2, handleType: 'room', owner: null, seq: 2, t: 0.75, parent: 1, stack: ['at a (f.js:1:1)'] },
  { type: 'handle.drop', table: 'rooms', handle: 2, ok: true, owner: null, seq: 3, t: 1, cascadeFrom: 1 },
  { type: 'handle.drop', table: 'rooms', handle: '18446744073709551615', ok: false, owner: 'c1', seq: 4, t: 1.001 },
  { type: 'listener.add', listener: 'l1', emitter: 'e1', event: 'data', owner: 'c2', once: true, seq: 5, t: 2 },
  { type: 'listener.add', listener: 'l2', emitter: 'e1', event: 'data', owner: null, once: false, seq: 6, t: 2.5, preexisting: true },
  { type: 'listener.remove', listener: 'l1', emitter: 'e1', event: 'data', how: 'once-fired', seq: 7, t: 3 },
  { type: 'mark', label: 'here', seq: 8, t: 4 },
];

describe('EventRing', () => {
  it('gives back every event with the same fields in the same order, the newest `capacity` of them', () => {
    const ring = new EventRing(5);
    for (const e of EVENTS) ring.push(structuredClone(e));
    const kept = ring.slice(0, 10, 4);
    expect(kept).toEqual(EVENTS.slice(3));
    expect(kept.map((e) => JSON.stringify(e))).toEqual(EVENTS.slice(3).map((e) => JSON.stringify(e)));
    expect(ring.slice(3, 1, 7)).toEqual([EVENTS[6]]);
    expect(ring.size).toBe(5);
  });

  it('before it is full, and after clear', () => {
    const ring = new EventRing(100);
    for (const e of EVENTS.slice(0, 3)) ring.push(structuredClone(e));
    expect(ring.slice(1, 10, 2).map((e) => JSON.stringify(e))).toEqual(EVENTS.slice(1, 3).map((e) => JSON.stringify(e)));
    ring.clear();
    expect([ring.size, ring.slice(0, 10, 1)]).toEqual([0, []]);
  });

  it('refuses a capacity that is not a positive integer', () => {
    expect(() => new EventRing(0)).toThrow(RangeError);
  });
});
