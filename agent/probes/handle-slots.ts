import type { HandleStoreEvent } from '../../shared/protocol.js';

/** Slots a table starts with. */
const FIRST_WINDOW = 16;
/** Most slots a table grows to; older handles still stored past that move to a Map. */
const MAX_WINDOW = 4096;

/** A handle that outlived its slot. */
interface Overflowed<T> {
  value: T;
  stored: HandleStoreEvent;
}

/**
 * The stored handles of a table whose ids count up from 1 and are never
 * reused, with nothing allocated per store or drop: each handle sits in the
 * slot `id % window` of two arrays (its value, and its published
 * `handle.store`, which also gives its id, owner and parent). A handle still
 * stored when its slot comes round again makes the window grow while at
 * least half of it is in use; otherwise (a long-lived handle among
 * short-lived ones) it moves to a Map. A Map keyed by ever-new ids, as
 * before, reallocated its table every few stores.
 */
export class HandleSlots<T> {
  private values: Array<T | undefined> = new Array<T | undefined>(FIRST_WINDOW);
  private events: Array<HandleStoreEvent | undefined> = new Array<HandleStoreEvent | undefined>(FIRST_WINDOW);
  private mask = FIRST_WINDOW - 1;
  /** Handles in the slots. */
  private held = 0;
  private readonly overflow = new Map<number, Overflowed<T>>();

  get size(): number {
    return this.held + this.overflow.size;
  }

  /** `id` must be greater than every id added before. */
  add(id: number, value: T, stored: HandleStoreEvent): void {
    let at = id & this.mask;
    for (let older = this.events[at]; older !== undefined; older = this.events[at]) {
      if (2 * this.held > this.mask && this.mask + 1 < MAX_WINDOW) this.grow();
      else {
        this.overflow.set(older.handle as number, { value: this.values[at] as T, stored: older });
        this.events[at] = this.values[at] = undefined;
        this.held--;
      }
      at = id & this.mask;
    }
    this.values[at] = value;
    this.events[at] = stored;
    this.held++;
  }

  /** The `handle.store` of `id`, if it is stored. */
  stored(id: number): HandleStoreEvent | undefined {
    const stored = this.events[id & this.mask];
    if (stored !== undefined && stored.handle === id) return stored;
    return this.overflow.size === 0 ? undefined : this.overflow.get(id)?.stored;
  }

  /** The value of `id`, which must be stored. */
  value(id: number): T {
    const at = id & this.mask;
    return this.events[at]?.handle === id ? (this.values[at] as T) : this.overflow.get(id)!.value;
  }

  delete(id: number): void {
    const at = id & this.mask;
    if (this.events[at]?.handle !== id) {
      this.overflow.delete(id);
      return;
    }
    this.events[at] = this.values[at] = undefined;
    this.held--;
  }

  /** The `handle.store` of every stored handle. */
  *storedEvents(): IterableIterator<HandleStoreEvent> {
    for (const { stored } of this.overflow.values()) yield stored;
    for (const stored of this.events) if (stored !== undefined) yield stored;
  }

  private grow(): void {
    const { values, events } = this;
    this.mask = 2 * this.mask + 1;
    this.values = new Array<T | undefined>(this.mask + 1);
    this.events = new Array<HandleStoreEvent | undefined>(this.mask + 1);
    for (let i = 0; i < events.length; i++) {
      const stored = events[i];
      if (stored === undefined) continue;
      const at = (stored.handle as number) & this.mask;
      this.values[at] = values[i];
      this.events[at] = stored;
    }
  }
}
