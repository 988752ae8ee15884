/** FIFO with O(1) amortised shift, for histories trimmed from the front. */
export class BoundedQueue<T> {
  private items: T[] = [];
  private head = 0;
  /** Items ever shifted out: lets iterators survive compaction. */
  private shifted = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  push(item: T): void {
    this.items.push(item);
  }

  shift(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const item = this.items[this.head];
    this.items[this.head++] = undefined as T;
    this.shifted++;
    // Compact once the dead prefix dominates, so memory follows the live length.
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }

  /**
   * Items in order from logical index `from`. Safe to hold across pushes and
   * shifts: items shifted out meanwhile are skipped, none is repeated.
   */
  *from(from = 0): IterableIterator<T> {
    let absolute = this.shifted + Math.max(0, from);
    for (;;) {
      absolute = Math.max(absolute, this.shifted);
      const index = this.head + (absolute - this.shifted);
      if (index >= this.items.length) return;
      yield this.items[index] as T;
      absolute++;
    }
  }

  /** Logical index of the first item for which `pred` is true (items must be ordered by it), or length. */
  lowerBound(pred: (item: T) => boolean): number {
    let lo = this.head;
    let hi = this.items.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (pred(this.items[mid] as T)) hi = mid;
      else lo = mid + 1;
    }
    return lo - this.head;
  }
}
