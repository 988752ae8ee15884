import type { ListenerRemoval, Owner, Stack } from '../../shared/protocol.js';
import type { ProbeContext } from './context.js';

export interface ListenerRecord {
  readonly id: string;
  readonly event: string;
  readonly owner: Owner;
  /** False once its removal was published. */
  live: boolean;
}

/** Publishes one watched emitter's listener additions and removals and keeps ownership counts. */
export class ListenerBook {
  constructor(
    private readonly ctx: ProbeContext,
    readonly emitter: string,
  ) {}

  add(event: string, once: boolean, origin: { preexisting: true } | { owner: Owner; stack: Stack | undefined }): ListenerRecord {
    const record: ListenerRecord = {
      id: this.ctx.nextId('l'),
      event,
      owner: 'preexisting' in origin ? null : origin.owner,
      live: true,
    };
    this.ctx.ledger.acquire(record.owner, 'listeners');
    this.ctx.sink.publish({
      type: 'listener.add',
      listener: record.id,
      emitter: this.emitter,
      event,
      owner: record.owner,
      once,
      ...('preexisting' in origin ? { preexisting: true } : origin.stack !== undefined && { stack: origin.stack }),
    });
    if (record.owner === null && !('preexisting' in origin)) this.ctx.gaps.unowned(record.id);
    return record;
  }

  remove(record: ListenerRecord, how: ListenerRemoval): void {
    if (!record.live) return;
    record.live = false;
    this.ctx.ledger.release(record.owner, 'listeners', how !== 'unwatch');
    this.ctx.sink.publish({ type: 'listener.remove', listener: record.id, emitter: this.emitter, event: record.event, how });
  }
}

/** Event names as the inspector shows them (symbols included). */
export function eventName(event: unknown): string {
  return typeof event === 'symbol' ? event.toString() : String(event);
}
