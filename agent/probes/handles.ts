import { HandleError } from '../errors.js';
import type { HandleDropEvent, HandleId, HandleStoreEvent, Owner } from '../../shared/protocol.js';
import type { ForeignHandleId, ForeignStoreOptions, HandleMirror, HandleTable, StoreOptions } from '../types.js';
import type { ProbeContext } from './context.js';
import { SteadyMap } from './steady-map.js';

interface LiveHandle<T> {
  value: T;
  owner: Owner;
  /** Its published `handle.store`: a late inspector's snapshot carries it while it is stored. */
  stored?: HandleStoreEvent;
  parent?: HandleId;
  /** Live children, in store order: dropped before their parent. */
  children?: Set<number>;
}

/**
 * A production-style handle table: integer ids from 1, never reused; a
 * missing id is a typed {@link HandleError}, never an abort. Every operation
 * is an event with the running connection as owner; stacks are captured for
 * everything except a successful retrieve, the hot path.
 */
class TrackedHandleTable<T> implements HandleTable<T> {
  private readonly live = new SteadyMap<number, LiveHandle<T>>();
  private nextId = 1;

  constructor(
    private readonly ctx: ProbeContext,
    readonly name: string,
  ) {
    ctx.sink.publish({ type: 'handle.table', table: name, mirror: false });
  }

  get size(): number {
    return this.live.size;
  }

  has(id: HandleId): boolean {
    return typeof id === 'number' && this.live.has(id);
  }

  store(value: T, options?: StoreOptions): HandleId {
    const id = this.nextId++;
    const owner = this.ctx.owner();
    const parent = options?.parent;
    const entry: LiveHandle<T> = { value, owner };
    if (parent !== undefined) entry.parent = parent;
    this.live.set(id, entry);
    if (typeof parent === 'number') {
      const parentEntry = this.live.get(parent);
      if (parentEntry) (parentEntry.children ??= new Set()).add(id);
    }
    try {
      entry.stored = publishStore(this.ctx, this.name, id, options, owner);
    } catch (err) {
      this.ctx.warnOnce('publishing handle.store failed', err);
    }
    return id;
  }

  /** The `handle.store` of every handle still stored. */
  *storedEvents(): Iterable<HandleStoreEvent> {
    for (const entry of this.live.values()) if (entry.stored) yield entry.stored;
  }

  retrieve(id: HandleId): T {
    const entry = typeof id === 'number' ? this.live.get(id) : undefined;
    if (entry) {
      this.ctx.guard('publishing handle.retrieve failed', () =>
        this.ctx.sink.publish({ type: 'handle.retrieve', table: this.name, handle: id, ok: true, owner: this.ctx.owner() }),
      );
      return entry.value;
    }
    this.publishAccess('handle.retrieve', id, false);
    throw this.missingNow(id);
  }

  /** The misuse is recorded; make sure inspectors have it before the error may kill the process. */
  private missingNow(id: HandleId): HandleError {
    this.ctx.guard('flushing a misuse failed', () => this.ctx.sink.flush());
    return this.missing(id);
  }

  take(id: HandleId): T {
    const entry = typeof id === 'number' ? this.live.get(id) : undefined;
    if (!entry) {
      this.publishAccess('handle.take', id, false);
      throw this.missingNow(id);
    }
    // Ownership of the value moves to the caller; its children stay in the table.
    this.unlink(id as number, entry);
    this.publishAccess('handle.take', id, true);
    return entry.value;
  }

  drop(id: HandleId): boolean {
    const entry = typeof id === 'number' ? this.live.get(id) : undefined;
    if (!entry) {
      this.publishDrop(id, false);
      // Callers often throw on false: the double drop should reach inspectors first.
      this.ctx.guard('flushing a misuse failed', () => this.ctx.sink.flush());
      return false;
    }
    this.dropLive(id as number, entry);
    return true;
  }

  private dropLive(id: number, entry: LiveHandle<T>, cascadeFrom?: number): void {
    // A copy: dropping a child unlinks it from this set. Most handles have none.
    if (entry.children) {
      for (const child of [...entry.children]) {
        const childEntry = this.live.get(child);
        if (childEntry) this.dropLive(child, childEntry, id);
      }
    }
    this.unlink(id, entry);
    this.publishDrop(id, true, cascadeFrom);
  }

  private unlink(id: number, entry: LiveHandle<T>): void {
    this.live.delete(id);
    if (typeof entry.parent === 'number') this.live.get(entry.parent)?.children?.delete(id);
    if (entry.owner !== null) this.ctx.ledger.release(entry.owner, 'handles', true);
  }

  private publishAccess(type: 'handle.retrieve' | 'handle.take', id: HandleId, ok: boolean): void {
    this.ctx.guard(`publishing ${type} failed`, () => {
      const stack = this.ctx.captureStack();
      this.ctx.sink.publish({ type, table: this.name, handle: id, ok, owner: this.ctx.owner(), ...(stack !== undefined && { stack }) });
    });
  }

  private publishDrop(id: HandleId, ok: boolean, cascadeFrom?: number): void {
    try {
      const event: HandleDropEvent = { type: 'handle.drop', table: this.name, handle: id, ok, owner: this.ctx.owner(), seq: 0, t: 0 };
      if (cascadeFrom !== undefined) event.cascadeFrom = cascadeFrom;
      const stack = this.ctx.captureStack();
      if (stack !== undefined) event.stack = stack;
      this.ctx.sink.publish(event);
    } catch (err) {
      this.ctx.warnOnce('publishing handle.drop failed', err);
    }
  }

  /** DROPPED for an id this table issued (and no longer holds), NOT_FOUND for one it never issued. */
  private missing(id: HandleId): HandleError {
    const issued = typeof id === 'number' && Number.isInteger(id) && id >= 1 && id < this.nextId;
    return new HandleError(issued ? 'HANDLE_DROPPED' : 'HANDLE_NOT_FOUND', this.name, id);
  }
}

/**
 * Reports a table that lives elsewhere (a Rust FFI table seen through its
 * callbacks). It keeps the set of live ids itself, so a drop of an id it
 * never saw stored reports `ok: false` (a double drop) unless told otherwise;
 * retrieve and take report `ok: true` unless told, because the foreign table
 * may hold ids stored before mirroring began. It does not cascade: the
 * foreign table reports each child's drop.
 */
class TrackedHandleMirror implements HandleMirror {
  /** The `handle.store` of each id stored and not yet dropped or taken. */
  private readonly live = new SteadyMap<HandleId, HandleStoreEvent>();


  constructor(
    private readonly ctx: ProbeContext,
    readonly name: string,
  ) {
    ctx.sink.publish({ type: 'handle.table', table: name, mirror: true });
  }

  stored(foreignId: ForeignHandleId, info?: ForeignStoreOptions): void {
    this.ctx.guard('mirroring handle.store failed', () => {
      const id = wireId(foreignId);
      const owner = this.ctx.owner();
      const previous = this.live.get(id);
      if (previous !== undefined) this.ctx.ledger.release(previous.owner, 'handles', false);
      this.live.set(id, publishStore(this.ctx, this.name, id, info, owner));
    });
  }

  storedEvents(): Iterable<HandleStoreEvent> {
    return this.live.values();
  }

  retrieved(foreignId: ForeignHandleId, ok = true): void {
    this.ctx.guard('mirroring handle.retrieve failed', () => {
      const id = wireId(foreignId);
      const stack = ok ? undefined : this.ctx.captureStack();
      this.ctx.sink.publish({ type: 'handle.retrieve', table: this.name, handle: id, ok, owner: this.ctx.owner(), ...(stack !== undefined && { stack }) });
    });
  }

  taken(foreignId: ForeignHandleId, ok = true): void {
    this.ctx.guard('mirroring handle.take failed', () => {
      const id = wireId(foreignId);
      if (ok) this.release(id);
      const stack = this.ctx.captureStack();
      this.ctx.sink.publish({ type: 'handle.take', table: this.name, handle: id, ok, owner: this.ctx.owner(), ...(stack !== undefined && { stack }) });
    });
  }

  dropped(foreignId: ForeignHandleId, ok?: boolean): void {
    this.ctx.guard('mirroring handle.drop failed', () => {
      const id = wireId(foreignId);
      const live = ok ?? this.live.has(id);
      if (live) this.release(id);
      const stack = this.ctx.captureStack();
      this.ctx.sink.publish({ type: 'handle.drop', table: this.name, handle: id, ok: live, owner: this.ctx.owner(), ...(stack !== undefined && { stack }) });
    });
  }

  private release(id: HandleId): void {
    const stored = this.live.get(id);
    if (stored === undefined) return;
    this.live.delete(id);
    this.ctx.ledger.release(stored.owner, 'handles', true);
  }
}

/** `handleTable(name)` and `mirrorHandles(name)`: one instance per name. */
export class HandleProbe {
  private readonly tables = new Map<string, TrackedHandleTable<unknown>>();
  private readonly mirrors = new Map<string, TrackedHandleMirror>();

  constructor(private readonly ctx: ProbeContext) {}

  table<T>(name: string): HandleTable<T> {
    let table = this.tables.get(name);
    if (!table) {
      if (this.mirrors.has(name)) this.ctx.warnOnce(`handleTable("${name}"): a mirror already uses this name; their events mix`);
      this.tables.set(name, (table = new TrackedHandleTable(this.ctx, name)));
    }
    return table as HandleTable<T>;
  }

  /** The `handle.store` of every handle still stored, in every table and mirror. */
  stored(): HandleStoreEvent[] {
    const out: HandleStoreEvent[] = [];
    for (const holder of [...this.tables.values(), ...this.mirrors.values()]) for (const e of holder.storedEvents()) out.push(e);
    return out;
  }

  mirror(name: string): HandleMirror {
    let mirror = this.mirrors.get(name);
    if (!mirror) {
      if (this.tables.has(name)) this.ctx.warnOnce(`mirrorHandles("${name}"): a table already uses this name; their events mix`);
      this.mirrors.set(name, (mirror = new TrackedHandleMirror(this.ctx, name)));
    }
    return mirror;
  }
}

/** A stored handle: counted for its owner and published, by the real table and the mirror alike. */
function publishStore(ctx: ProbeContext, table: string, handle: HandleId, options: ForeignStoreOptions | undefined, owner: Owner): HandleStoreEvent {
  if (owner !== null) ctx.ledger.acquire(owner, 'handles');
  const type = options?.type;
  const event: HandleStoreEvent = { type: 'handle.store', table, handle, handleType: typeof type === 'string' ? type : 'handle', owner, seq: 0, t: 0 };
  const parent = options?.parent;
  if (parent !== undefined) event.parent = wireId(parent);
  const stack = ctx.captureStack();
  if (stack !== undefined) event.stack = stack;
  ctx.sink.publish(event);
  if (owner === null) ctx.gaps.unowned(table, handle);
  return event;
}

/** A foreign table's id as events carry it: a BigInt (a 64-bit FFI handle) as its decimal string. */
function wireId(id: ForeignHandleId): HandleId {
  return typeof id === 'bigint' ? id.toString() : id;
}
