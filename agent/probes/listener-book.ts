import type { ListenerAddEvent, ListenerRemoval, ListenerRemoveEvent, Owner, Stack } from '../../shared/protocol.js';
import type { ProbeContext } from './context.js';

/**
 * A listener as the book tracks it. The watches' own entries are the
 * records (one object per listener on the hot path, not two); its id, event
 * name and owner are read from `added`.
 */
export interface ListenerRecord {
  /** Its published `listener.add`: a late inspector's snapshot carries it while it is attached. */
  readonly added: ListenerAddEvent;
  /** False once its removal was published. */
  live: boolean;
}

/** A watched emitter or EventTarget: how to stop watching it, and the listeners it holds now. */
export interface Watch {
  unwatch(): void;
  attached(): ListenerRecord[];
}

/** Publishes one watched emitter's listener additions and removals and keeps ownership counts. */
export class ListenerBook {
  private trackLost = false;

  constructor(
    private readonly ctx: ProbeContext,
    readonly emitter: string,
  ) {}

  /** Publishes a listener added while watching; its record keeps the returned event. */
  add(event: string, once: boolean, owner: Owner, stack: Stack | undefined): ListenerAddEvent {
    const added: ListenerAddEvent = { type: 'listener.add', listener: this.ctx.nextListenerId(), emitter: this.emitter, event, owner, once, seq: 0, t: 0 };
    if (stack !== undefined) added.stack = stack;
    if (owner !== null) this.ctx.ledger.acquire(owner, 'listeners');
    this.ctx.sink.publish(added);
    if (owner === null) this.ctx.gaps.unowned(added.listener);
    return added;
  }

  /** Publishes a listener found attached when watching started (owner and stack unknown). */
  addPreexisting(event: string, once: boolean): ListenerAddEvent {
    const added: ListenerAddEvent = { type: 'listener.add', listener: this.ctx.nextListenerId(), emitter: this.emitter, event, owner: null, once, seq: 0, t: 0 };
    added.preexisting = true;
    this.ctx.sink.publish(added);
    return added;
  }

  /** The app replaced a patched method: says so, once per emitter. */
  lostTrack(method: string): void {
    if (this.trackLost) return;
    this.trackLost = true;
    this.ctx.sink.publish({
      type: 'emitter.lost-track',
      emitter: this.emitter,
      reason: `${method}() was replaced after watching started; calls through it are not seen`,
    });
  }

  remove(record: ListenerRecord, how: ListenerRemoval): void {
    if (!record.live) return;
    record.live = false;
    const { listener, event, owner } = record.added;
    if (owner !== null) this.ctx.ledger.release(owner, 'listeners', how !== 'unwatch');
    const published: ListenerRemoveEvent = { type: 'listener.remove', listener, emitter: this.emitter, event, how, seq: 0, t: 0 };
    this.ctx.sink.publish(published);
  }
}

/** Event names as the inspector shows them (symbols included). */
export function eventName(event: unknown): string {
  return typeof event === 'symbol' ? event.toString() : String(event);
}
