import type { ListenerAddEvent, ListenerRemoval, ListenerRemoveEvent, Owner, Stack } from '../../shared/protocol.js';
import type { ProbeContext } from './context.js';

export interface ListenerRecord {
  readonly id: string;
  readonly event: string;
  readonly owner: Owner;
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

  add(event: string, once: boolean, origin: { preexisting: true } | { owner: Owner; stack: Stack | undefined }): ListenerRecord {
    const owner = 'preexisting' in origin ? null : origin.owner;
    const added: ListenerAddEvent = { type: 'listener.add', listener: this.ctx.nextListenerId(), emitter: this.emitter, event, owner, once, seq: 0, t: 0 };
    if ('preexisting' in origin) added.preexisting = true;
    else if (origin.stack !== undefined) added.stack = origin.stack;
    const record: ListenerRecord = { id: added.listener, event, owner, added, live: true };
    if (owner !== null) this.ctx.ledger.acquire(owner, 'listeners');
    this.ctx.sink.publish(added);
    if (record.owner === null && !('preexisting' in origin)) this.ctx.gaps.unowned(record.id);
    return record;
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
    if (record.owner !== null) this.ctx.ledger.release(record.owner, 'listeners', how !== 'unwatch');
    const published: ListenerRemoveEvent = { type: 'listener.remove', listener: record.id, emitter: this.emitter, event: record.event, how, seq: 0, t: 0 };
    this.ctx.sink.publish(published);
  }
}

/** Event names as the inspector shows them (symbols included). */
export function eventName(event: unknown): string {
  return typeof event === 'symbol' ? event.toString() : String(event);
}
