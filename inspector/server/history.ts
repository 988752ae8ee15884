import type { AgentEvent, AgentMessage, GapMessage, HelloMessage } from '../../shared/protocol.js';
import type { GrowingLog } from '../../shared/node/protocol-server/pump.js';
import type { StreamReader } from '../../shared/node/protocol-server/stream.js';
import { LineStore, type ShiftedLine } from './line-store.js';

/** One process lifetime of a target: its hello and what it sent since. */
export interface HubRun {
  hello: HelloMessage;
  /** Ordinal among the target's runs, from 1. */
  readonly n: number;
  /** Position of the run's first line: its lines run up to the next run's start. */
  readonly start: number;
  /** What its hello costs. */
  helloBytes: number;
  /** Events trimmed from the front of this run to respect the bound. */
  trimmed?: { from: number; to: number; count: number };
  /** Highest seq received (events or gaps): where a resume continues. */
  lastSeq: number;
  /** Latest agent time seen, for the `now` of replayed batches. */
  lastNow: number;
}

/** An event as kept: its seq and its JSON (what a recording writes). */
export interface KeptEvent {
  seq: number;
  json: string;
}

export interface HistoryBounds {
  /** Lines kept at most (hellos, events and gaps). */
  maxLines: number;
  /** Bytes kept at most: the events' JSON, a few numbers a line, and hellos. */
  maxBytes: number;
}

/**
 * Everything a hub received from one target, across restarts, bounded by
 * lines (hellos, events and gaps) and by bytes. The oldest lines go first;
 * what a run loses is replayed as one `evicted` gap, so nothing vanishes
 * silently. Events are kept as their JSON outside the JS heap (LineStore),
 * so the bytes counted are the bytes held. Peers read it through
 * {@link HistoryReader}s, by position, as a protocol session reads an
 * agent's ring.
 */
export class TargetHistory {
  private readonly lines = new LineStore();
  private readonly runs: HubRun[] = [];
  private readonly appendListeners = new Set<() => void>();
  private helloBytes = 0;
  private runCounter = 0;
  /** Told how many bytes were added (or, negative, freed), for a budget across targets. */
  onBytes: (delta: number) => void = () => {};

  /** The history as the pump sees it: its newest position, and its appends. */
  readonly positions: GrowingLog;
  readonly maxLines: number;
  readonly maxBytes: number;

  constructor(bounds: Partial<HistoryBounds> = {}) {
    this.maxLines = bounds.maxLines ?? 200_000;
    this.maxBytes = bounds.maxBytes ?? Infinity;
    if (!Number.isInteger(this.maxLines) || this.maxLines < 2) throw new RangeError('maxLines must be an integer >= 2');
    const { lines, appendListeners } = this;
    this.positions = {
      get lastSeq() {
        return lines.end;
      },
      onAppend(listener) {
        appendListeners.add(listener);
        return () => appendListeners.delete(listener);
      },
    };
  }

  get current(): HubRun | undefined {
    return this.runs[this.runs.length - 1];
  }

  /** Number of runs (hellos) still held. */
  get runCount(): number {
    return this.runs.length;
  }

  /** Lines held: hellos, events and gaps. */
  get size(): number {
    return this.lines.end - this.lines.start + this.runs.length;
  }

  /** Bytes held. */
  get bytes(): number {
    return this.lines.bytes + this.helloBytes;
  }

  startRun(hello: HelloMessage): void {
    const before = this.bytes;
    const helloBytes = Buffer.byteLength(JSON.stringify(hello));
    this.runs.push({ hello, n: ++this.runCounter, start: this.lines.end, helloBytes, lastSeq: 0, lastNow: hello.now });
    this.helloBytes += helloBytes;
    this.grew(before);
  }

  /** The same process said hello again (it reconnected): keep its newest description. */
  refreshHello(hello: HelloMessage): void {
    const run = this.current;
    if (!run) return;
    const before = this.bytes;
    const helloBytes = Buffer.byteLength(JSON.stringify(hello));
    this.helloBytes += helloBytes - run.helloBytes;
    run.hello = hello;
    run.helloBytes = helloBytes;
    run.lastNow = Math.max(run.lastNow, hello.now);
    this.onBytes(this.bytes - before);
  }

  /** Appends the events newer than the current run's last seq; returns them as kept (duplicates dropped). */
  appendEvents(events: AgentEvent[], now: number): KeptEvent[] {
    const run = this.current;
    if (!run) return [];
    const before = this.bytes;
    const fresh: KeptEvent[] = [];
    for (const event of events) {
      if (event.seq <= run.lastSeq) continue;
      const json = JSON.stringify(event);
      this.lines.pushEvent(event.seq, event.t, json);
      fresh.push({ seq: event.seq, json });
      run.lastSeq = event.seq;
    }
    run.lastNow = Math.max(run.lastNow, now, events.length ? events[events.length - 1]!.t : 0);
    if (fresh.length > 0) this.grew(before);
    return fresh;
  }

  /** Appends a gap unless it covers nothing new; returns whether it was kept. */
  appendGap(gap: GapMessage): boolean {
    const run = this.current;
    if (!run || gap.to <= run.lastSeq) return false;
    const before = this.bytes;
    this.lines.pushGap(gap);
    run.lastSeq = gap.to;
    this.grew(before);
    return true;
  }

  /** Trims the oldest lines until at most `bytes` are held (a budget across targets asks). */
  shrinkTo(bytes: number): void {
    const before = this.bytes;
    this.trim(bytes);
    this.onBytes(this.bytes - before);
  }

  /** Every run from the oldest held: each one's hello, its trimmed gap, then its events and gaps — and whatever follows live. */
  readAll(): StreamReader {
    return new HistoryReader(this, this.lines, this.lines.start, undefined, 0);
  }

  /**
   * The current run without its hello (the peer has it): all of it, or what
   * follows `since` (a resume) — and whatever follows live, new runs included.
   */
  readCurrent(since?: number): StreamReader {
    const run = this.current;
    if (!run) return new HistoryReader(this, this.lines, this.lines.end, undefined, 0);
    const after = since ?? 0;
    return new HistoryReader(this, this.lines, this.lines.firstAfter(run.start, this.lines.end, after), run, after);
  }

  /** @internal for readers: the first run after `n` that begins at or before `position`. */
  nextRun(n: number, position: number): HubRun | undefined {
    for (const run of this.runs) if (run.n > n) return run.start <= position ? run : undefined;
    return undefined;
  }

  /** @internal for readers: where run `run`'s lines end (the next run's start, or the end). */
  endOf(run: HubRun): number {
    const next = this.runs.find((r) => r.n > run.n);
    return next ? next.start : this.lines.end;
  }

  private grew(before: number): void {
    this.trim(this.maxBytes);
    this.onBytes(this.bytes - before);
    for (const listener of this.appendListeners) listener();
  }

  private trim(maxBytes: number): void {
    while (this.size > this.maxLines || this.bytes > maxBytes) {
      const oldest = this.runs[0]!;
      const next = this.runs[1];
      const line = next === undefined || next.start > this.lines.start ? this.lines.shift() : undefined;
      if (line) trimmedFrom(oldest, line);
      else if (next) {
        // A run with nothing left but its hello says nothing useful any more.
        this.runs.shift();
        this.helloBytes -= oldest.helloBytes;
      } else {
        return;
      }
    }
  }
}

/** Notes in `run` what leaving the history took from it. */
function trimmedFrom(run: HubRun, line: ShiftedLine): void {
  const [from, to, count] = 'gap' in line ? [line.gap.from, line.gap.to, line.gap.count] : [line.seq, line.seq, 1];
  const t = run.trimmed;
  run.trimmed = t ? { from: Math.min(t.from, from), to: Math.max(t.to, to), count: t.count + count } : { from, to, count };
}

/** Events per replayed batch frame at most (the agent's default batch size). */
export const REPLAY_BATCH = 500;
/** A batch frame stops growing past this many bytes of event JSON, so large events do not make huge frames. */
const BATCH_BYTES = 1 << 20;

/**
 * One peer's cursor into a target's history. It greets every run it enters
 * with that run's hello, reports what the bound trimmed before it got there
 * as an `evicted` gap and what was trimmed while it lagged as a
 * `slow-consumer` gap, and sends events as batches of their stored JSON.
 */
class HistoryReader implements StreamReader {
  private readonly queued: AgentMessage[] = [];
  /** Lines it had not read were trimmed: gaps until it reads again are `slow-consumer`. */
  private overtaken = false;

  constructor(
    private readonly history: TargetHistory,
    private readonly lines: LineStore,
    /** Next position to read. */
    private at: number,
    /** The run whose hello the peer has. */
    private run: HubRun | undefined,
    /** The last seq of that run the peer got (or was told it will never get). */
    private lastSeq: number,
  ) {}

  get position(): number {
    return this.at;
  }

  caughtUp(): boolean {
    if (this.queued.length > 0) return false;
    if (this.at < this.lines.end) return false;
    if (this.history.nextRun(this.run?.n ?? 0, this.at)) return false;
    const trimmed = this.run?.trimmed;
    return !(trimmed && trimmed.to > this.lastSeq);
  }

  next(maxEvents: number): AgentMessage | Buffer | undefined {
    const queued = this.queued.shift();
    if (queued !== undefined) return queued;
    if (this.at < this.lines.start) {
      // What this peer had not read yet was trimmed away while it lagged.
      this.at = this.lines.start;
      this.overtaken = true;
    }
    const entering = this.history.nextRun(this.run?.n ?? 0, this.at);
    if (entering) {
      const left = this.run;
      const leftAt = this.lastSeq;
      this.run = entering;
      this.lastSeq = 0;
      // What the run it leaves still owes it (trimmed before or while it read) is gone for good.
      if (left && left.lastSeq > leftAt) {
        this.queued.push(entering.hello);
        return this.lost(left.lastSeq, left.trimmed, leftAt);
      }
      return entering.hello;
    }
    const run = this.run;
    if (!run) return undefined;
    const trimmed = run.trimmed;
    if (trimmed && trimmed.to > this.lastSeq) {
      const gap = this.lost(trimmed.to, trimmed, this.lastSeq);
      this.lastSeq = trimmed.to;
      return gap;
    }
    return this.read(run, maxEvents);
  }

  /** Events and gaps of `run` from the current position, up to `maxEvents` events. */
  private read(run: HubRun, maxEvents: number): AgentMessage | Buffer | undefined {
    const { lines } = this;
    const end = this.history.endOf(run);
    if (this.at >= end || this.at >= lines.end) return undefined;
    // Reading again: it has caught up with what the bound left.
    this.overtaken = false;
    const gap = lines.gapAt(this.at);
    if (gap) {
      this.at++;
      const from = Math.max(gap.from, this.lastSeq + 1);
      this.lastSeq = gap.to;
      return from === gap.from ? gap : { ...gap, from, count: Math.min(gap.count, gap.to - from + 1) };
    }
    const from = this.at;
    let bytes = 0;
    while (this.at < end && this.at - from < maxEvents && bytes < BATCH_BYTES && !lines.gapAt(this.at)) {
      bytes += lines.eventLength(this.at);
      this.at++;
    }
    const last = this.at - 1;
    this.lastSeq = lines.seqAt(last);
    // `now` promises "nothing older is still coming": only a batch that ends the run so far carries its clock.
    const now = this.at >= end ? Math.max(run.lastNow, lines.timeAt(last)) : lines.timeAt(last);
    const events = lines.eventBytes(from, this.at);
    // Each event's text ends with a comma: the last one's is cut.
    const tail = events[events.length - 1]!;
    events[events.length - 1] = tail.subarray(0, tail.length - 1);
    return Buffer.concat([BATCH_HEAD, ...events, Buffer.from(`],"now":${JSON.stringify(now)}}`)]);
  }

  /** A gap for seqs after `after` up to `to` that this peer will never get. */
  private lost(to: number, trimmed: { from: number; count: number } | undefined, after: number): GapMessage {
    const from = Math.max(trimmed?.from ?? 0, after + 1);
    const count = trimmed ? Math.min(trimmed.count, to - from + 1) : to - from + 1;
    return { type: 'gap', from, to, count, reason: this.overtaken ? 'slow-consumer' : 'evicted' };
  }
}

const BATCH_HEAD = Buffer.from('{"type":"batch","events":[');
