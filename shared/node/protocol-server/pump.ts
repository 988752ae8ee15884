import type { Logger } from '../../logger.js';

/** A log that only grows at its end: an agent's event log, a hub target's history. */
export interface GrowingLog {
  /** Newest position: an agent's last seq, a history's last line. */
  readonly lastSeq: number;
  /** Calls `listener` after every append; returns the function that stops it. */
  onAppend(listener: () => void): () => void;
}

/** Something that consumes the log by cursor: a protocol session. */
export interface LogReader {
  /** Unread entries it could take right now (0 when not subscribed or over its send budget). */
  readable(lastSeq: number): number;
  /** Consume what it can now. Returns true when it still has unread events it could not take (retry later). */
  flush(): boolean;
}

export interface PumpOptions {
  batchSize: number;
  flushInterval: number;
}

/**
 * Decides when readers pull from the log. An append arms one timer of
 * `flushInterval` (or, once a reader has a full batch waiting, one
 * setImmediate); with no reader attached an append costs one size check,
 * and with readers attached the readers are asked about twice per batch,
 * not on every append (an append is a probe call in the host).
 * A reader that could not take everything (over its send budget) is retried
 * on the same timer, so a stalled inspector is polled, never queued for.
 */
export class Pump {
  private readonly readers = new Set<LogReader>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private immediate: ReturnType<typeof setImmediate> | undefined;
  private flushing = false;
  /**
   * No reader can hold a full batch before the log reaches this: a reader
   * falls behind only as fast as the log grows (by one event per append in
   * an agent, by a batch in a hub's history), and only `add` and `soon` give
   * one a backlog all at once.
   */
  private quietUntil = 0;
  private readonly stopListening: () => void;

  constructor(
    private readonly log: GrowingLog,
    private readonly options: PumpOptions,
    private readonly logger: Logger,
  ) {
    this.stopListening = log.onAppend(() => this.onAppend());
  }

  add(reader: LogReader): void {
    this.readers.add(reader);
    this.quietUntil = 0;
  }

  remove(reader: LogReader): void {
    this.readers.delete(reader);
  }

  /** Flush every reader now (then retry later those that could not finish). */
  flushNow(): void {
    this.cancel();
    if (this.flushing) return;
    this.flushing = true;
    let retry = false;
    for (const reader of this.readers) {
      try {
        if (reader.flush()) retry = true;
      } catch (err) {
        this.logger.error('event flush failed', err);
      }
    }
    this.flushing = false;
    if (retry || this.anyReadable()) this.arm(this.options.flushInterval);
  }

  /** Flush on the next timer tick (a reader that could not finish now). */
  schedule(): void {
    if (!this.flushing) this.arm(this.options.flushInterval);
  }

  /** Flush on the next turn: a reader that was over its send budget has room again. */
  soon(): void {
    this.quietUntil = 0;
    if (this.immediate || this.flushing) return;
    this.immediate = setImmediate(() => this.flushNow());
    this.immediate.unref?.();
  }

  close(): void {
    this.cancel();
    this.stopListening();
    this.readers.clear();
  }

  private onAppend(): void {
    if (this.readers.size === 0 || this.immediate || this.flushing) return;
    const lastSeq = this.log.lastSeq;
    if (lastSeq >= this.quietUntil) {
      const { batchSize } = this.options;
      let most = 0;
      for (const reader of this.readers) most = Math.max(most, reader.readable(lastSeq));
      if (most >= batchSize) {
        this.immediate = setImmediate(() => this.flushNow());
        this.immediate.unref?.();
        return;
      }
      this.quietUntil = lastSeq + batchSize - most;
    }
    if (!this.timer) this.arm(this.options.flushInterval);
  }

  private anyReadable(): boolean {
    const lastSeq = this.log.lastSeq;
    for (const reader of this.readers) if (reader.readable(lastSeq) > 0) return true;
    return false;
  }

  private arm(delay: number): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flushNow();
    }, delay);
    this.timer.unref();
  }

  private cancel(): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.immediate) clearImmediate(this.immediate);
    this.timer = undefined;
    this.immediate = undefined;
  }
}
