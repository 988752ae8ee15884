/**
 * Where a retained entity is: alive, dead and prunable (`queued`), dead but
 * referenced by an open finding (`held`), or pruned (`removed`, still in the
 * model array until the next compaction).
 */
export type Retention = 'alive' | 'queued' | 'held' | 'removed';

/** An internal record that carries its model object and where it is in retention. */
export interface Retained<T> {
  readonly model: T;
  retention: Retention;
}

/**
 * Keeps a model array bounded: at most `limit` dead entries (closed,
 * removed, dropped, settled), forgetting the oldest dead first, never one an
 * open finding still references. Each record carries its own state, so a
 * death or a prune costs no set lookups; removal from the array is deferred
 * and done in one pass, so pruning stays O(1) amortised per event.
 */
export class RetainedList<T extends object, R extends Retained<T>> {
  /** The records behind `items`, index for index (pruned ones until the next compaction). */
  readonly records: R[] = [];
  /** Dead records in order of death; entries no longer `queued` are stale. */
  private readonly fifo: R[] = [];
  private head = 0;
  /** Records `queued` or `held`. */
  private dead = 0;
  /** Records `removed` but still in `items`. */
  private removed = 0;

  constructor(
    /** The model array (mutated in place). */
    readonly items: T[],
    private readonly limit: number,
    private readonly isPinned: (record: R) => boolean,
    private readonly onPrune: (record: R) => void,
  ) {}

  add(record: R): void {
    this.items.push(record.model);
    this.records.push(record);
  }

  died(record: R): void {
    if (record.retention !== 'alive') return;
    record.retention = 'queued';
    this.dead++;
    this.fifo.push(record);
    this.prune();
  }

  /** The record is alive again (e.g. a handle id stored anew). */
  revived(record: R): void {
    if (record.retention === 'queued' || record.retention === 'held') this.dead--;
    if (record.retention !== 'removed') record.retention = 'alive';
  }

  /** An open finding stopped referencing the record: it may be pruned again. */
  released(record: R): void {
    if (record.retention !== 'held') return;
    record.retention = 'queued';
    this.fifo.push(record);
    this.prune();
  }

  /** Drops pruned records from `items` now (before anyone reads the model). */
  compact(): void {
    if (this.removed === 0) return;
    const { items, records } = this;
    let write = 0;
    for (let read = 0; read < records.length; read++) {
      const record = records[read]!;
      if (record.retention === 'removed') continue;
      records[write] = record;
      items[write++] = record.model;
    }
    items.length = write;
    records.length = write;
    this.removed = 0;
  }

  private prune(): void {
    while (this.dead > this.limit && this.head < this.fifo.length) {
      const record = this.fifo[this.head++]!;
      if (record.retention !== 'queued') continue;
      // Pinned when it died or since: kept until its finding lets go.
      if (this.isPinned(record)) {
        record.retention = 'held';
        continue;
      }
      record.retention = 'removed';
      this.dead--;
      this.removed++;
      this.onPrune(record);
    }
    if (this.head > 1024 && this.head * 2 > this.fifo.length) {
      this.fifo.splice(0, this.head);
      this.head = 0;
    }
    if (this.removed > 1024 && this.removed * 2 > this.items.length) this.compact();
  }
}
