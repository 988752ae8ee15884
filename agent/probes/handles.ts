import { HandleError } from '../errors.js';
import type { HandleDropEvent, HandleId, HandleStoreEvent, Owner } from '../../shared/protocol.js';
import type { ForeignHandleId, ForeignStoreOptions, HandleMirror, HandleTable, StoreOptions } from '../types.js';
import type { ProbeContext } from './context.js';
import { HandleSlots } from './handle-slots.js';
import { SteadyMap } from './steady-map.js';

/**
 * A production-style handle table: integer ids from 1, never reused; a
 * missing id is a typed {@link HandleError}, never an abort. Every operation
 * is an event with the running connection as owner; stacks are captured for
 * everything except a successful retrieve, the hot path.
 */
class TrackedHandleTable<T> implements HandleTable<T> {
  private readonly live = new HandleSlots<T>();
  /** The live children of each live handle that had some, in store order: dropped before their parent. */
  private readonly children = new Map<number, Set<number>>();
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
    return typeof id === 'number' && this.live.stored(id) !== undefined;
  }

  store(value: T, options?: StoreOptions): HandleId {
    const id = this.nextId++;
    const owner = this.ctx.owner();
    const stored = storeEvent(this.name, id, options, owner);
    this.live.add(id, value, stored);
    const parent = stored.parent;
    if (typeof parent === 'number' && this.live.stored(parent) !== undefined) {
      let siblings = this.children.get(parent);
      if (!siblings) this.children.set(parent, (siblings = new Set()));
      siblings.add(id);
    }
    try {
      publishStore(this.ctx, stored);
    } catch (err) {
      this.ctx.warnOnce('publishing handle.store failed', err);
    }
    return id;
  }

  /** The `handle.store` of every handle still stored. */
  storedEvents(): Iterable<HandleStoreEvent> {
    return this.live.storedEvents();
  }

  retrieve(id: HandleId): T {
    if (typeof id === 'number' && this.live.stored(id) !== undefined) {
      this.ctx.guard('publishing handle.retrieve failed', () =>
        this.ctx.sink.publish({ type: 'handle.retrieve', table: this.name, handle: id, ok: true, owner: this.ctx.owner() }),
      );
      return this.live.value(id);
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
    const stored = typeof id === 'number' ? this.live.stored(id) : undefined;
    if (!stored) {
      this.publishAccess('handle.take', id, false);
      throw this.missingNow(id);
    }
    // Ownership of the value moves to the caller; its children stay in the table.
    const value = this.live.value(id as number);
    this.unlink(id as number, stored);
    this.publishAccess('handle.take', id, true);
    return value;
  }

  drop(id: HandleId): boolean {
    const stored = typeof id === 'number' ? this.live.stored(id) : undefined;
    if (!stored) {
      this.publishDrop(id, false);
      // Callers often throw on false: the double drop should reach inspectors first.
      this.ctx.guard('flushing a misuse failed', () => this.ctx.sink.flush());
      return false;
    }
    this.dropLive(id as number, stored);
    return true;
  }

  private dropLive(id: number, stored: HandleStoreEvent, cascadeFrom?: number): void {
    // A copy: dropping a child unlinks it from this set. Most handles have none.
    const children = this.children.get(id);
    if (children) {
      for (const child of [...children]) {
        const childStored = this.live.stored(child);
        if (childStored) this.dropLive(child, childStored, id);
      }
    }
    this.unlink(id, stored);
    this.publishDrop(id, true, cascadeFrom);
  }

  private unlink(id: number, stored: HandleStoreEvent): void {
    this.live.delete(id);
    if (this.children.size > 0) {
      this.children.delete(id);
      // An emptied set stays with its parent, for the parent's next child.
      if (typeof stored.parent === 'number') this.children.get(stored.parent)?.delete(id);
    }
    if (stored.owner !== null) this.ctx.ledger.release(stored.owner, 'handles', true);
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
      const stored = storeEvent(this.name, id, info, owner);
      this.live.set(id, stored);
      publishStore(this.ctx, stored);
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

/** The `handle.store` of a handle, before it is published. */
function storeEvent(table: string, handle: HandleId, options: ForeignStoreOptions | undefined, owner: Owner): HandleStoreEvent {
  let type: unknown;
  let parent: ForeignHandleId | undefined;
  try {
    type = options?.type;
    parent = options?.parent;
  } catch {
    // The app's own getter threw: the handle is still stored, as a plain one, and nothing reaches the app.
  }
  const event: HandleStoreEvent = { type: 'handle.store', table, handle, handleType: typeof type === 'string' ? type : 'handle', owner, seq: 0, t: 0 };
  if (parent !== undefined) event.parent = wireId(parent);
  return event;
}

/** A stored handle: counted for its owner and published, by the real table and the mirror alike. */
function publishStore(ctx: ProbeContext, event: HandleStoreEvent): void {
  if (event.owner !== null) ctx.ledger.acquire(event.owner, 'handles');
  const stack = ctx.captureStack();
  if (stack !== undefined) event.stack = stack;
  ctx.sink.publish(event);
  if (event.owner === null) ctx.gaps.unowned(event.table, event.handle);
}

/** A foreign table's id as events carry it: a BigInt (a 64-bit FFI handle) as its decimal string. */
function wireId(id: ForeignHandleId): HandleId {
  return typeof id === 'bigint' ? id.toString() : id;
}
