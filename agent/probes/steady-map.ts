/** The one key callers can never pass: it keeps the table from emptying. */
const ANCHOR = Symbol('anchor');

/**
 * A Map for the probes' hottest tables, which go from 0 to 1 entry and back
 * on every call (a handle stored and dropped per request, a listener added
 * and removed): V8 reallocates a Map's table when a delete leaves it under a
 * quarter full, and grows it again on the next set, so such a map paid two
 * allocations and rehashes per cycle (a quarter of a handle store + drop in
 * profiles). This one always holds one entry of its own, so it never empties.
 */
export class SteadyMap<K, V> {
  private readonly map = new Map<K | typeof ANCHOR, V | undefined>([[ANCHOR, undefined]]);

  get size(): number {
    return this.map.size - 1;
  }

  get(key: K): V | undefined {
    return this.map.get(key);
  }

  has(key: K): boolean {
    return this.map.has(key);
  }

  set(key: K, value: V): void {
    this.map.set(key, value);
  }

  delete(key: K): boolean {
    return this.map.delete(key);
  }

  *values(): IterableIterator<V> {
    for (const [key, value] of this.map) if (key !== ANCHOR) yield value as V;
  }

  clear(): void {
    this.map.clear();
    this.map.set(ANCHOR, undefined);
  }
}
