/**
 * A tiny typed event emitter for code that runs in browsers and in Node
 * alike (no node:events). A listener that throws never stops the other
 * listeners or the emitting code: the error goes to `onListenerError`, which
 * each side chooses (the agent logs it, since nothing may throw into its
 * host; the inspector client rethrows it on a fresh task).
 */
type AnyListener = (...args: unknown[]) => void;

export interface EmitterHooks<Events> {
  /** A listener threw. */
  onListenerError(event: keyof Events, error: unknown): void;
  /** Something was emitted with no listener attached (e.g. an `error` nobody handles). */
  onUnheard?(event: keyof Events, args: unknown[]): void;
}

export class Emitter<Events extends { [K in keyof Events]: unknown[] }> {
  private readonly listeners = new Map<keyof Events, Set<AnyListener>>();

  constructor(private readonly hooks: EmitterHooks<Events>) {}

  /** Adds a listener; returns a function that removes it. */
  on<K extends keyof Events>(event: K, listener: (...args: Events[K]) => void): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(listener as unknown as AnyListener);
    return () => this.off(event, listener);
  }

  off<K extends keyof Events>(event: K, listener: (...args: Events[K]) => void): void {
    this.listeners.get(event)?.delete(listener as unknown as AnyListener);
  }

  protected emit<K extends keyof Events>(event: K, ...args: Events[K]): void {
    const set = this.listeners.get(event);
    if (!set || set.size === 0) {
      this.hooks.onUnheard?.(event, args);
      return;
    }
    for (const listener of [...set]) {
      try {
        listener(...(args as unknown[]));
      } catch (error) {
        this.hooks.onListenerError(event, error);
      }
    }
  }

  protected removeAllListeners(): void {
    this.listeners.clear();
  }
}
