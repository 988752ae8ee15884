import { AsyncLocalStorage, executionAsyncResource } from 'node:async_hooks';
import type { Stack } from '../../shared/protocol.js';
import type { EventSink, ProbeOptions } from '../types.js';
import { AttributionGaps } from './attribution-gaps.js';
import { OwnershipLedger } from './ownership.js';
import { createStackCapture } from './stack.js';

/** Everything the probe parts share: where events go, who owns the running work, id counters. */
export class ProbeContext {
  /** With `attribution: 'async'`: the connection whose work is running, across awaits and timers. */
  private readonly als = new AsyncLocalStorage<string>();
  private readonly followsAsync: boolean;
  /** With `attribution: 'sync'`: the connection whose event dispatch (or `runAs`) is on the stack. */
  private syncOwner: string | null = null;
  /** With `attribution: 'sync'`: the connection whose work ran last (attribution-gaps.ts). */
  lastOwner: string | null = null;
  readonly gaps = new AttributionGaps(this);
  readonly ledger = new OwnershipLedger();
  readonly captureStack: () => Stack | undefined;
  /** False after close(): wrappers left on app objects stop publishing. */
  active = true;
  private readonly counters = new Map<string, number>();
  private readonly warned = new Set<string>();

  constructor(
    readonly sink: EventSink,
    readonly options: ProbeOptions,
  ) {
    this.captureStack = createStackCapture(options.stackFrames);
    this.followsAsync = options.attribution === 'async';
  }

  /** Next id with a prefix: `c1`, `c2`, `e1`… never reused within this process's probes. */
  nextId(prefix: string): string {
    const n = (this.counters.get(prefix) ?? 0) + 1;
    this.counters.set(prefix, n);
    return `${prefix}${n}`;
  }

  /** How many ids with this prefix were issued. */
  issued(prefix: string): number {
    return this.counters.get(prefix) ?? 0;
  }

  /** The connection the running work belongs to, if any. */
  owner(): string | null {
    return this.followsAsync ? (this.als.getStore() ?? null) : this.syncOwner;
  }

  /** Runs `fn` as `owner`'s work (`null`: as nobody's). */
  runOwned<R>(owner: string | null, fn: () => R): R {
    if (this.followsAsync) return owner === null ? this.als.exit(fn) : this.als.run(owner, fn);
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
   * True when the running work is already attributed to `owner`. Following
   * async work, when it is unattributed and runs as the connection's own I/O
   * handle (a read, its close), the handle is marked for good: every later
   * callback of that handle is the connection's without an `als.run` per event.
   */
  attributes(owner: string, handle: unknown): boolean {
    if (!this.followsAsync) return this.syncOwner === owner;
    const store = this.als.getStore();
    if (store === owner) return true;
    if (store !== undefined || handle === undefined || executionAsyncResource() !== handle) return false;
    this.als.enterWith(owner);
    return true;
  }

  /**
   * Synchronous attribution without a closure: makes `owner` the running
   * owner and returns the one {@link leave} restores. Undefined when work is
   * followed across async boundaries (use {@link runOwned}).
   */
  enter(owner: string): string | null | undefined {
    if (this.followsAsync) return undefined;
    const previous = this.syncOwner;
    this.syncOwner = owner;
    this.lastOwner = owner;
    return previous;
  }

  leave(previous: string | null): void {
    this.syncOwner = previous;
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
