/** What a grace period is waiting for; checked again when it expires. */
export interface Deadline {
  t: number;
  kind: 'owner-listeners' | 'owner-handles' | 'listener' | 'handle' | 'half-open' | 'abandon' | 'lapse';
  /** Connection, listener or handle id. */
  id: string;
  /** Insertion order: breaks ties so expiry order never depends on the heap. */
  order: number;
}

/** Min-heap of deadlines by (t, insertion order). */
export class DeadlineQueue {
  private readonly heap: Deadline[] = [];
  private counter = 0;
  private latest: number | undefined;

  add(t: number, kind: Deadline['kind'], id: string): void {
    if (this.latest === undefined || t > this.latest) this.latest = t;
    const heap = this.heap;
    heap.push({ t, kind, id, order: this.counter++ });
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(heap[i]!, heap[parent]!)) break;
      [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
      i = parent;
    }
  }

  /** Time of the earliest deadline, if any. */
  get next(): number | undefined {
    return this.heap[0]?.t;
  }

  /** Time of the latest deadline still queued, if any. */
  get last(): number | undefined {
    return this.heap.length > 0 ? this.latest : undefined;
  }

  /** The earliest deadline at or before `now`, removed from the queue. */
  popDue(now: number): Deadline | undefined {
    const heap = this.heap;
    const top = heap[0];
    if (top === undefined || top.t > now) return undefined;
    const last = heap.pop()!;
    if (heap.length > 0) {
      heap[0] = last;
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        const right = left + 1;
        let smallest = i;
        if (left < heap.length && before(heap[left]!, heap[smallest]!)) smallest = left;
        if (right < heap.length && before(heap[right]!, heap[smallest]!)) smallest = right;
        if (smallest === i) break;
        [heap[i], heap[smallest]] = [heap[smallest]!, heap[i]!];
        i = smallest;
      }
    }
    return top;
  }
}

function before(a: Deadline, b: Deadline): boolean {
  return a.t < b.t || (a.t === b.t && a.order < b.order);
}
