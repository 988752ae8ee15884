/**
 * Items at absolute positions: pushed at the end, dropped from the front,
 * positions never reused. Readers keep a position instead of a reference,
 * so what was dropped while they waited is known exactly: everything before
 * `start`. O(1) amortised push and shift.
 */
export class Journal<T> {
  private items: T[] = [];
  private head = 0;
  /** Position of `items[head]`. */
  private first = 0;

  /** Position of the oldest item still held (== `end` when empty). */
  get start(): number {
    return this.first;
  }

  /** Position the next pushed item gets: how many were ever pushed. */
  get end(): number {
    return this.first + this.items.length - this.head;
  }

  get length(): number {
    return this.items.length - this.head;
  }

  push(item: T): void {
    this.items.push(item);
  }

  /** The oldest item, or undefined when empty. */
  peek(): T | undefined {
    return this.head < this.items.length ? this.items[this.head] : undefined;
  }

  shift(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const item = this.items[this.head];
    this.items[this.head++] = undefined as T;
    this.first++;
    // Compact once the dead prefix dominates, so memory follows the live length.
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }

  /** The item at `position`, or undefined when it was dropped or not pushed yet. */
  at(position: number): T | undefined {
    if (position < this.first || position >= this.end) return undefined;
    return this.items[this.head + position - this.first];
  }

  /**
   * First position in [from, to) whose item satisfies `pred` (items in that
   * range must be ordered by it), or `to`.
   */
  lowerBound(from: number, to: number, pred: (item: T) => boolean): number {
    let lo = Math.max(from, this.first);
    let hi = Math.min(to, this.end);
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (pred(this.items[this.head + mid - this.first] as T)) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }
}
