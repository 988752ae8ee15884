import { AsyncLocalStorage } from 'node:async_hooks';
import type { Stack } from '../protocol.js';
import type { EventSink, ProbeOptions } from '../types.js';
import { OwnershipLedger } from './ownership.js';
import { createStackCapture } from './stack.js';

/** Everything the probe parts share: where events go, who owns the running work, id counters. */
export class ProbeContext {
  /** The connection whose event dispatch (or `runAs`) is running, if any. */
  readonly als = new AsyncLocalStorage<string>();
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

  owner(): string | null {
    return this.als.getStore() ?? null;
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
