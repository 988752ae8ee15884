import type { ListenerAddEvent } from '../../shared/protocol.js';
import type { WatchOptions } from '../types.js';
import type { ProbeContext } from './context.js';
import { watchEventEmitter } from './emitter-watch.js';
import { watchEventTarget } from './event-target-watch.js';
import type { Watch } from './listener-book.js';

/** `watchEmitter`: picks the EventEmitter or EventTarget strategy and remembers what is watched. */
export class ListenerProbe {
  private readonly watched = new WeakMap<object, () => void>();
  /** Everything still watched, by its unwatch function, for close() and the snapshot. */
  private readonly active = new Map<() => void, Watch>();

  constructor(private readonly ctx: ProbeContext) {}

  watch(target: object, options: WatchOptions): () => void {
    const noop = (): void => {};
    if (!this.ctx.active || typeof target !== 'object' || target === null) return noop;
    const known = this.watched.get(target);
    if (known) return known;
    const t = target as Record<string, unknown>;
    const name = typeof options?.name === 'string' ? options.name : 'emitter';
    let watch: Watch | undefined;
    this.ctx.guard('watching an emitter failed', () => {
      if (typeof t.on === 'function' && typeof t.rawListeners === 'function' && typeof t.eventNames === 'function') {
        watch = watchEventEmitter(this.ctx, target, name);
      } else if (typeof t.addEventListener === 'function' && typeof t.removeEventListener === 'function') {
        watch = watchEventTarget(this.ctx, target, name);
      }
    });
    if (!watch) {
      this.ctx.warnOnce(`watchEmitter("${name}"): not an EventEmitter or EventTarget; ignored`);
      return noop;
    }
    const inner = watch;
    const unwatch = (): void => {
      if (!this.active.delete(unwatch)) return;
      this.watched.delete(target);
      inner.unwatch();
    };
    this.watched.set(target, unwatch);
    this.active.set(unwatch, inner);
    return unwatch;
  }

  /** The `listener.add` of every listener still attached to a watched emitter. */
  attached(): ListenerAddEvent[] {
    const out: ListenerAddEvent[] = [];
    for (const watch of this.active.values()) for (const record of watch.attached()) out.push(record.added);
    return out;
  }

  /** Restores every patched method (publishing the unwatch events). */
  close(): void {
    for (const unwatch of [...this.active.keys()]) unwatch();
  }
}
