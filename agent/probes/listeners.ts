import type { WatchOptions } from '../types.js';
import type { ProbeContext } from './context.js';
import { watchEventEmitter } from './emitter-watch.js';
import { watchEventTarget } from './event-target-watch.js';

/** `watchEmitter`: picks the EventEmitter or EventTarget strategy and remembers what is watched. */
export class ListenerProbe {
  private readonly watched = new WeakMap<object, () => void>();
  /** Unwatch functions of everything still watched, for close(). */
  private readonly active = new Set<() => void>();

  constructor(private readonly ctx: ProbeContext) {}

  watch(target: object, options: WatchOptions): () => void {
    const noop = (): void => {};
    if (!this.ctx.active || typeof target !== 'object' || target === null) return noop;
    const known = this.watched.get(target);
    if (known) return known;
    const t = target as Record<string, unknown>;
    const name = typeof options?.name === 'string' ? options.name : 'emitter';
    let stop: (() => void) | undefined;
    this.ctx.guard('watching an emitter failed', () => {
      if (typeof t.on === 'function' && typeof t.rawListeners === 'function' && typeof t.eventNames === 'function') {
        stop = watchEventEmitter(this.ctx, target, name);
      } else if (typeof t.addEventListener === 'function' && typeof t.removeEventListener === 'function') {
        stop = watchEventTarget(this.ctx, target, name);
      }
    });
    if (!stop) {
      this.ctx.warnOnce(`watchEmitter("${name}"): not an EventEmitter or EventTarget; ignored`);
      return noop;
    }
    const inner = stop;
    const unwatch = (): void => {
      if (!this.active.delete(unwatch)) return;
      this.watched.delete(target);
      inner();
    };
    this.watched.set(target, unwatch);
    this.active.add(unwatch);
    return unwatch;
  }

  /** Restores every patched method (publishing the unwatch events). */
  close(): void {
    for (const unwatch of [...this.active]) unwatch();
  }
}
