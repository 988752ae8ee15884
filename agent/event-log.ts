import { LiveState } from './live-state.js';
import type { AgentEvent, EventInput } from '../shared/protocol.js';
import { RingBuffer } from './ring-buffer.js';
import type { LiveHoldings } from './types.js';

export interface ReadResult {
  events: AgentEvent[];
  /** Events after `afterSeq` that the ring no longer holds. */
  gap?: { from: number; to: number; count: number };
}

/**
 * The agent's single source of events: stamps `seq` and `t`, keeps the most
 * recent ones in a ring buffer and the still-alive ones in {@link LiveState}.
 * Readers (inspector sessions) pull by cursor, so a slow
 * reader never makes the log grow.
 */
export class EventLog {
  private readonly ring: RingBuffer<AgentEvent>;
  private readonly live = new LiveState();
  private seq = 0;
  private appendListeners: Array<() => void> = [];

  constructor(
    capacity: number,
    readonly now: () => number,
  ) {
    this.ring = new RingBuffer(capacity);
  }

  get capacity(): number {
    return this.ring.capacity;
  }

  get lastSeq(): number {
    return this.seq;
  }

  /** Seq of the oldest event still in the ring (lastSeq + 1 when empty). */
  get oldestSeq(): number {
    return this.seq - this.ring.size + 1;
  }

  /** The probes' listeners and handles: the snapshot includes them (they are not kept twice). */
  holdWith(holdings: LiveHoldings): void {
    this.live.holdWith(holdings);
  }

  /** Number of retained "still alive" events (for memory accounting). */
  get liveSize(): number {
    return this.live.size;
  }

  /**
   * Stamps and stores an event. Takes ownership of `input` (every publisher
   * builds a fresh object): stamping in place saves a copy per event on the
   * host's hot path. A hot publisher builds it with `seq: 0, t: 0` already,
   * so stamping does not change the object's shape (no extra allocation).
   */
  publish(input: EventInput): number {
    const event = input as unknown as AgentEvent;
    event.seq = ++this.seq;
    event.t = this.now();
    this.ring.push(event);
    this.live.apply(event);
    const listeners = this.appendListeners;
    for (let i = 0; i < listeners.length; i++) listeners[i]!();
    return event.seq;
  }

  /** Called after every append; keep it cheap (schedule, don't work). */
  onAppend(fn: () => void): () => void {
    this.appendListeners = [...this.appendListeners, fn];
    return () => {
      this.appendListeners = this.appendListeners.filter((listener) => listener !== fn);
    };
  }

  /** Up to `max` events after `afterSeq`, plus the gap if some were evicted. */
  read(afterSeq: number, max: number): ReadResult {
    const oldest = this.oldestSeq;
    const from = Math.max(afterSeq + 1, oldest);
    const events = this.ring.slice(from - oldest, max);
    if (afterSeq + 1 >= oldest) return { events };
    const to = oldest - 1;
    return { events, gap: { from: afterSeq + 1, to, count: to - afterSeq } };
  }

  /** What an inspector needs before the ring: still-alive events older than it. */
  snapshot(): AgentEvent[] {
    return this.live.before(this.oldestSeq);
  }

  clear(): void {
    this.ring.clear();
    this.live.clear();
    this.appendListeners = [];
  }
}
