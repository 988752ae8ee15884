import type { AgentEvent } from '../shared/protocol.js';

/** Values kept per event: its type and up to five fields (or the event itself). */
const STRIDE = 6;

/**
 * The last `capacity` events, the oldest overwritten first. The events the
 * probes publish on the app's hottest calls (a handle stored or dropped, a
 * listener added or removed, with no stack or optional field) are kept as
 * their field values in two flat arrays and built back into objects only
 * when read: keeping the last 10,000 event objects reachable made the
 * garbage collector about a tenth of those calls' cost. Any other event is
 * kept as it is. The arrays grow with use, up to `capacity` events.
 */
export class EventRing {
  /** Each event's `t` (a plain array of numbers keeps them unboxed). */
  private readonly times: number[] = [];
  /** STRIDE values per event: its type then its fields, or the event itself then nothing. */
  private readonly fields: unknown[] = [];
  private start = 0;
  private length = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError('capacity must be a positive integer');
  }

  get size(): number {
    return this.length;
  }

  /** Appends, overwriting the oldest event when full. */
  push(e: AgentEvent): void {
    let slot: number;
    if (this.length < this.capacity) slot = this.length++;
    else {
      slot = this.start;
      this.start = slot + 1 === this.capacity ? 0 : slot + 1;
    }
    this.times[slot] = e.t;
    const at = slot * STRIDE;
    switch (e.type) {
      case 'handle.store':
        if (e.parent === undefined && e.stack === undefined) return this.put(at, e.type, e.table, e.handle, e.handleType, e.owner, undefined);
        break;
      case 'handle.drop':
        if (e.cascadeFrom === undefined && e.stack === undefined) return this.put(at, e.type, e.table, e.handle, e.ok, e.owner, undefined);
        break;
      case 'listener.add':
        if (e.preexisting === undefined && e.stack === undefined) return this.put(at, e.type, e.listener, e.emitter, e.event, e.owner, e.once);
        break;
      case 'listener.remove':
        return this.put(at, e.type, e.listener, e.emitter, e.event, e.how, undefined);
      default:
        break;
    }
    this.put(at, e, undefined, undefined, undefined, undefined, undefined);
  }

  /** Events from logical index `from` (0: the oldest held), at most `max`; the one at `from` has seq `fromSeq`. */
  slice(from: number, max: number, fromSeq: number): AgentEvent[] {
    const out: AgentEvent[] = [];
    const first = Math.max(0, from);
    const end = Math.min(this.length, from + max);
    for (let i = first; i < end; i++) out.push(this.event((this.start + i) % this.capacity, fromSeq + i - from));
    return out;
  }

  clear(): void {
    this.times.length = 0;
    this.fields.length = 0;
    this.start = 0;
    this.length = 0;
  }

  /** Writes one slot's values in order: while the ring fills, each write appends (the array stays packed). */
  private put(at: number, a: unknown, b: unknown, c: unknown, d: unknown, e: unknown, f: unknown): void {
    const fields = this.fields;
    fields[at] = a;
    fields[at + 1] = b;
    fields[at + 2] = c;
    fields[at + 3] = d;
    fields[at + 4] = e;
    fields[at + 5] = f;
  }

  /** The event in `slot`, as published: same fields in the same order. */
  private event(slot: number, seq: number): AgentEvent {
    const v = this.fields;
    const at = slot * STRIDE;
    const head = v[at];
    const t = this.times[slot]!;
    switch (head) {
      case 'handle.store':
        return { type: head, table: v[at + 1], handle: v[at + 2], handleType: v[at + 3], owner: v[at + 4], seq, t } as AgentEvent;
      case 'handle.drop':
        return { type: head, table: v[at + 1], handle: v[at + 2], ok: v[at + 3], owner: v[at + 4], seq, t } as AgentEvent;
      case 'listener.add':
        return { type: head, listener: v[at + 1], emitter: v[at + 2], event: v[at + 3], owner: v[at + 4], once: v[at + 5], seq, t } as AgentEvent;
      case 'listener.remove':
        return { type: head, listener: v[at + 1], emitter: v[at + 2], event: v[at + 3], how: v[at + 4], seq, t } as AgentEvent;
      default:
        return head as AgentEvent;
    }
  }
}
