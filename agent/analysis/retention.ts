/**
 * Keeps a model array bounded: at most `limit` dead entries (closed,
 * removed, dropped, settled), forgetting the oldest dead first, never one an
 * open finding still references. Removal from the array is deferred and done
 * in one pass, so pruning stays O(1) amortised per event.
 */
export class RetainedList<T extends object> {
  /** FIFO of dead items in order of death; entries no longer in `queued` are stale. */
  private readonly fifo: T[] = [];
  private head = 0;
  private readonly queued = new Set<T>();
  /** Dead but referenced by an open finding: not prunable until released. */
  private readonly held = new Set<T>();
  /** Pruned, still in `items` until the next compaction. */
  private readonly removed = new Set<T>();

  constructor(
    /** The model array (mutated in place). */
    readonly items: T[],
    private readonly limit: number,
    private readonly isPinned: (item: T) => boolean,
    private readonly onPrune: (item: T) => void,
  ) {}

  get deadCount(): number {
    return this.queued.size + this.held.size;
  }

  add(item: T): void {
    this.items.push(item);
  }

  died(item: T): void {
    if (this.queued.has(item) || this.held.has(item)) return;
    if (this.isPinned(item)) this.held.add(item);
    else {
      this.fifo.push(item);
      this.queued.add(item);
    }
    this.prune();
  }

  /** The item is alive again (e.g. a handle id stored anew). */
  revived(item: T): void {
    this.queued.delete(item);
    this.held.delete(item);
  }

  /** An open finding stopped referencing the item: it may be pruned again. */
  released(item: T): void {
    if (!this.held.delete(item)) return;
    this.fifo.push(item);
    this.queued.add(item);
    this.prune();
  }

  /** Drops pruned items from `items` now (before anyone reads the model). */
  compact(): void {
    if (this.removed.size === 0) return;
    const items = this.items;
    let write = 0;
    for (let read = 0; read < items.length; read++) {
      const item = items[read]!;
      if (!this.removed.has(item)) items[write++] = item;
    }
    items.length = write;
    this.removed.clear();
  }

  private prune(): void {
    while (this.deadCount > this.limit && this.head < this.fifo.length) {
      const item = this.fifo[this.head++]!;
      if (!this.queued.delete(item)) continue;
      if (this.isPinned(item)) {
        this.held.add(item);
        continue;
      }
      this.removed.add(item);
      this.onPrune(item);
    }
    if (this.head > 1024 && this.head * 2 > this.fifo.length) {
      this.fifo.splice(0, this.head);
      this.head = 0;
    }
    if (this.removed.size > 1024 && this.removed.size * 2 > this.items.length) this.compact();
  }
}
