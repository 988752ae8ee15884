import { AsyncLocalStorage, executionAsyncId } from 'node:async_hooks';
import type { Stack } from '../../shared/protocol.js';
import type { EventSink, ProbeOptions } from '../types.js';
import { AttributionGaps } from './attribution-gaps.js';
import { OwnershipLedger } from './ownership.js';
import { createStackCapture } from './stack.js';

/** Where AsyncLocalStorage keeps a resource's store, when it keeps it on the resource (Node 16–22; not with AsyncContextFrame). */
type ResourceStores = AsyncLocalStorage<string> & { kResourceStore?: unknown };

/** Everything the probe parts share: where events go, who owns the running work, id counters. */
export class ProbeContext {
  /** With `attribution: 'async'`: the connection whose work is running, across awaits and timers. */
  private readonly als = new AsyncLocalStorage<string>();
  private readonly followsAsync: boolean;
  /** The symbol under which `als` keeps a resource's store, when this Node keeps it on the resource. */
  private readonly resourceStore: symbol | undefined;
  /**
   * Connections by the async id of their own I/O handle: a callback of that
   * handle (a read, its close) runs as that connection's work. Used with
   * `'sync'`, and with `'async'` where stores cannot be put on the handle.
   */
  private readonly handleOwners = new Map<number, string>();
  /**
   * The owner found for the async execution running now, by its async id:
   * looking the store up on the running resource costs more than the rest of
   * a probe's work, and within one execution only `runOwned` and `ownHandle`
   * change it (both forget this).
   */
  private readonly ownerCache = { asyncId: -1, owner: null as string | null };
  /** With `attribution: 'sync'`: the owner `runAs` (or a server's 'connection' dispatch) set, if any (null: nobody). */
  private syncOwner: string | null | undefined = undefined;
  /** With `attribution: 'sync'`: the connection whose work last had an owner (attribution-gaps.ts). */
  lastOwner: string | null = null;
  readonly gaps = new AttributionGaps(this);
  readonly ledger = new OwnershipLedger();
  readonly captureStack: () => Stack | undefined;
  /** False after close(): wrappers left on app objects stop publishing. */
  active = true;
  private readonly counters: Record<string, number> = Object.create(null) as Record<string, number>;
  private readonly warned = new Set<string>();

  constructor(
    readonly sink: EventSink,
    readonly options: ProbeOptions,
  ) {
    this.captureStack = createStackCapture(options.stackFrames);
    this.followsAsync = options.attribution === 'async';
    const store = (this.als as ResourceStores).kResourceStore;
    this.resourceStore = this.followsAsync && typeof store === 'symbol' ? store : undefined;
    // Stores put on handles are read only once the storage is enabled (its first run).
    if (this.resourceStore) this.als.run('', () => {});
  }

  /** Listener ids issued (`l1`, `l2`…): the one id made on a hot path, so it has its own counter. */
  private listenerIds = 0;

  nextListenerId(): string {
    return `l${++this.listenerIds}`;
  }

  /** Next id with a prefix: `c1`, `c2`, `e1`… never reused within this process's probes. */
  nextId(prefix: string): string {
    const n = (this.counters[prefix] ?? 0) + 1;
    this.counters[prefix] = n;
    return prefix + n;
  }

  /** How many ids with this prefix were issued. */
  issued(prefix: string): number {
    return this.counters[prefix] ?? 0;
  }

  /** The connection the running work belongs to, if any. */
  owner(): string | null {
    if (this.resourceStore) {
      // Id 0: no async context (some native callbacks), which nothing identifies.
      const asyncId = executionAsyncId();
      const cache = this.ownerCache;
      if (asyncId === cache.asyncId && asyncId !== 0) return cache.owner;
      const store = this.als.getStore();
      cache.asyncId = asyncId;
      return (cache.owner = store === undefined || store === '' ? null : store);
    }
    if (this.followsAsync) {
      const store = this.als.getStore();
      if (store !== undefined) return store === '' ? null : store;
      return this.ownerOfRunningHandle();
    }
    const owner = this.syncOwner !== undefined ? this.syncOwner : this.ownerOfRunningHandle();
    if (owner !== null) this.lastOwner = owner;
    return owner;
  }

  /** Runs `fn` as `owner`'s work (`null`: as nobody's). */
  runOwned<R>(owner: string | null, fn: () => R): R {
    if (this.followsAsync) {
      this.ownerCache.asyncId = -1;
      try {
        return this.als.run(owner ?? '', fn);
      } finally {
        this.ownerCache.asyncId = -1;
      }
    }
    const previous = this.syncOwner;
    this.syncOwner = owner;
    if (owner !== null) this.lastOwner = owner;
    try {
      return fn();
    } finally {
      this.syncOwner = previous;
    }
  }

  /**
   * From now on, every callback of `handle` (a socket's I/O handle: its
   * reads, its close) runs as `owner`'s work, and with `'async'` so does
   * everything those callbacks start. Paid once per connection, never per
   * event: the store is put on the handle itself, where AsyncLocalStorage
   * looks it up; elsewhere the handle's async id is remembered.
   */
  ownHandle(owner: string, handle: object | null | undefined): void {
    if (!handle) return;
    if (this.resourceStore) {
      (handle as Record<symbol, unknown>)[this.resourceStore] = owner;
      this.ownerCache.asyncId = -1;
      return;
    }
    const id = asyncIdOf(handle);
    if (id !== undefined) this.handleOwners.set(id, owner);
  }

  /** The handle no longer runs anyone's work (its connection closed). */
  releaseHandle(handle: object | null | undefined): void {
    if (!handle || this.resourceStore) return;
    const id = asyncIdOf(handle);
    if (id !== undefined) this.handleOwners.delete(id);
  }

  private ownerOfRunningHandle(): string | null {
    return this.handleOwners.size === 0 ? null : (this.handleOwners.get(executionAsyncId()) ?? null);
  }

  /**
   * Runs agent bookkeeping so that its failure can never reach the app:
   * the error is logged (once per `what`) and swallowed.
   */
  guard(what: string, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.warnOnce(what, err);
    }
  }

  warnOnce(what: string, detail?: unknown): void {
    if (this.warned.has(what)) return;
    this.warned.add(what);
    try {
      this.options.logger.warn(`bridgescope probes: ${what}`, detail);
    } catch {
      // A throwing logger must not break the app either.
    }
  }
}

/** An async-wrapped handle's id (`getAsyncId()`, which Node's handles have), if it has one. */
function asyncIdOf(handle: object): number | undefined {
  const getAsyncId = (handle as { getAsyncId?: unknown }).getAsyncId;
  if (typeof getAsyncId !== 'function') return undefined;
  const id: unknown = getAsyncId.call(handle);
  return typeof id === 'number' ? id : undefined;
}
