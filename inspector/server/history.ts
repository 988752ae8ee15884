import type { AgentEvent, AgentMessage, GapMessage, HelloMessage } from '../../shared/protocol.js';
import type { GrowingLog } from '../../shared/node/protocol-server/pump.js';
import type { StreamReader } from '../../shared/node/protocol-server/stream.js';
import { Journal } from './journal.js';

/** An event as the hub keeps it: its JSON, ready to be sent again. */
export interface EventEntry {
  seq: number;
  t: number;
  json: string;
  /** What holding it costs, by the estimate of {@link jsonBytes}. */
  bytes: number;
}

type Entry = EventEntry | GapMessage;

/** What the object, its number and its slot in the journal cost besides the text. */
const ENTRY_OVERHEAD = 64;
/** A kept gap: a small object. */
const GAP_BYTES = 160;
/** Any character outside Latin-1 (surrogates included). */
const WIDE = /[\u0100-\uffff]/;

/** Bytes a string of JSON costs the heap: one per character, two once any is outside Latin-1. */
export function jsonBytes(json: string): number {
  return (WIDE.test(json) ? 2 : 1) * json.length + ENTRY_OVERHEAD;
}

export interface HistoryBounds {
  /** Lines kept at most (hellos, events and gaps). */
  maxLines: number;
  /** Bytes kept at most, by the estimate of {@link jsonBytes}. */
  maxBytes: number;
}

/** One process lifetime of a target: its hello and what it sent since. */
export interface HubRun {
  hello: HelloMessage;
  /** Ordinal among the target's runs, from 1. */
  readonly n: number;
  /** Journal position of the run's first entry: its entries run up to the next run's start. */
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

const isGap = (entry: Entry): entry is GapMessage => 'from' in entry;
const lastSeqOf = (entry: Entry): number => (isGap(entry) ? entry.to : entry.seq);

/**
 * Everything a hub received from one target, across restarts, bounded by
 * lines (hellos, events and gaps) and by bytes. The oldest lines go first;
 * what a run loses is replayed as one `evicted` gap, so nothing vanishes
 * silently. Peers read it through {@link HistoryReader}s, by position, as a
 * protocol session reads an agent's ring.
 */
export class TargetHistory {
  private readonly entries = new Journal<Entry>();
  private readonly runs: HubRun[] = [];
  private readonly appendListeners = new Set<() => void>();
  private lineCount = 0;
  private byteCount = 0;
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
    const { entries, appendListeners } = this;
    this.positions = {
      get lastSeq() {
        return entries.end;
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

  get size(): number {
    return this.lineCount;
  }

  /** Bytes held, by the estimate of {@link jsonBytes}. */
  get bytes(): number {
    return this.byteCount;
  }

  startRun(hello: HelloMessage): void {
    const helloBytes = jsonBytes(JSON.stringify(hello));
    this.runs.push({ hello, n: ++this.runCounter, start: this.entries.end, helloBytes, lastSeq: 0, lastNow: hello.now });
    this.grow(1, helloBytes);
    this.appended();
  }

  /** The same process said hello again (it reconnected): keep its newest description. */
  refreshHello(hello: HelloMessage): void {
    const run = this.current;
    if (!run) return;
    const helloBytes = jsonBytes(JSON.stringify(hello));
    this.grow(0, helloBytes - run.helloBytes);
    run.hello = hello;
    run.helloBytes = helloBytes;
    run.lastNow = Math.max(run.lastNow, hello.now);
  }

  /** Appends the events newer than the current run's last seq; returns them as kept (duplicates dropped). */
  appendEvents(events: AgentEvent[], now: number): EventEntry[] {
    const run = this.current;
    if (!run) return [];
    const fresh: EventEntry[] = [];
    let bytes = 0;
    for (const event of events) {
      if (event.seq <= run.lastSeq) continue;
      const json = JSON.stringify(event);
      const entry = { seq: event.seq, t: event.t, json, bytes: jsonBytes(json) };
      this.entries.push(entry);
      fresh.push(entry);
      bytes += entry.bytes;
      run.lastSeq = event.seq;
    }
    run.lastNow = Math.max(run.lastNow, now, fresh.length ? fresh[fresh.length - 1]!.t : 0);
    if (fresh.length === 0) return fresh;
    this.grow(fresh.length, bytes);
    this.appended();
    return fresh;
  }

  /** Appends a gap unless it covers nothing new; returns whether it was kept. */
  appendGap(gap: GapMessage): boolean {
    const run = this.current;
    if (!run || gap.to <= run.lastSeq) return false;
    this.entries.push(gap);
    run.lastSeq = gap.to;
    this.grow(1, GAP_BYTES);
    this.appended();
    return true;
  }

  /** Trims the oldest lines until at most `bytes` are held (a budget across targets asks). */
  shrinkTo(bytes: number): void {
    this.trim(bytes);
  }

  /** Every run from the oldest held: each one's hello, its trimmed gap, then its events and gaps — and whatever follows live. */
  readAll(): StreamReader {
    return new HistoryReader(this, this.entries.start, undefined, 0);
  }

  /**
   * The current run without its hello (the peer has it): all of it, or what
   * follows `since` (a resume) — and whatever follows live, new runs included.
   */
  readCurrent(since?: number): StreamReader {
    const run = this.current;
    if (!run) return new HistoryReader(this, this.entries.end, undefined, 0);
    const after = since ?? 0;
    const position = this.entries.lowerBound(run.start, this.entries.end, (entry) => lastSeqOf(entry) > after);
    return new HistoryReader(this, position, run, after);
  }

  /** @internal for readers */
  entryAt(position: number): Entry | undefined {
    return this.entries.at(position);
  }

  /** @internal for readers: the oldest position still held, and the next one to be written. */
  get bounds(): { start: number; end: number } {
    return { start: this.entries.start, end: this.entries.end };
  }

  /** @internal for readers: the first run after `n` that begins at or before `position`. */
  nextRun(n: number, position: number): HubRun | undefined {
    for (const run of this.runs) if (run.n > n) return run.start <= position ? run : undefined;
    return undefined;
  }

  /** @internal for readers: where run `run`'s entries end (the next run's start, or the end). */
  endOf(run: HubRun): number {
    const next = this.runs.find((r) => r.n > run.n);
    return next ? next.start : this.entries.end;
  }

  private appended(): void {
    for (const listener of this.appendListeners) listener();
  }

  private grow(lines: number, bytes: number): void {
    this.lineCount += lines;
    this.byteCount += bytes;
    this.onBytes(bytes);
    this.trim(this.maxBytes);
  }

  private trim(maxBytes: number): void {
    const before = this.byteCount;
    while (this.lineCount > this.maxLines || this.byteCount > maxBytes) {
      const oldest = this.runs[0]!;
      const next = this.runs[1];
      const entry = next === undefined || next.start > this.entries.start ? this.entries.shift() : undefined;
      if (entry) {
        const gap = isGap(entry);
        const from = gap ? entry.from : entry.seq;
        const count = gap ? entry.count : 1;
        const t = oldest.trimmed;
        oldest.trimmed = t ? { from: Math.min(t.from, from), to: Math.max(t.to, lastSeqOf(entry)), count: t.count + count } : { from, to: lastSeqOf(entry), count };
        this.byteCount -= gap ? GAP_BYTES : entry.bytes;
      } else if (next) {
        // A run with nothing left but its hello says nothing useful any more.
        this.runs.shift();
        this.byteCount -= oldest.helloBytes;
      } else {
        break;
      }
      this.lineCount--;
    }
    if (this.byteCount !== before) this.onBytes(this.byteCount - before);
  }
}

/** Events per replayed batch frame at most (the agent's default batch size). */
export const REPLAY_BATCH = 500;
/** A batch frame stops growing past this many characters of event JSON, so large events do not make huge frames. */
const BATCH_CHARACTERS = 1 << 20;

/**
 * One peer's cursor into a target's history. It greets every run it enters
 * with that run's hello, reports what the bound trimmed before it got there
 * as an `evicted` gap and what was trimmed while it lagged as a
 * `slow-consumer` gap, and sends events as batches of their stored JSON.
 */
class HistoryReader implements StreamReader {
  private readonly queued: (AgentMessage | string)[] = [];
  /** Entries it had not read were trimmed: gaps until it reads again are `slow-consumer`. */
  private overtaken = false;

  constructor(
    private readonly history: TargetHistory,
    /** Next journal position to read. */
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
    const { start, end } = this.history.bounds;
    if (this.at < start || this.at < end) return false;
    if (this.history.nextRun(this.run?.n ?? 0, this.at)) return false;
    const trimmed = this.run?.trimmed;
    return !(trimmed && trimmed.to > this.lastSeq);
  }

  next(maxEvents: number): AgentMessage | string | undefined {
    const queued = this.queued.shift();
    if (queued !== undefined) return queued;
    const history = this.history;
    if (this.at < history.bounds.start) {
      // What this peer had not read yet was trimmed away while it lagged.
      this.at = history.bounds.start;
      this.overtaken = true;
    }
    const entering = history.nextRun(this.run?.n ?? 0, this.at);
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
  private read(run: HubRun, maxEvents: number): AgentMessage | string | undefined {
    const history = this.history;
    const end = history.endOf(run);
    const first = history.entryAt(this.at);
    if (this.at >= end || first === undefined) return undefined;
    // Reading again: it has caught up with what the bound left.
    this.overtaken = false;
    this.at++;
    if (isGap(first)) {
      const from = Math.max(first.from, this.lastSeq + 1);
      this.lastSeq = first.to;
      return from === first.from ? first : { ...first, from, count: Math.min(first.count, first.to - from + 1) };
    }
    const events = [first.json];
    let characters = first.json.length;
    let last = first;
    for (let entry = history.entryAt(this.at); entry && !isGap(entry) && events.length < maxEvents && characters < BATCH_CHARACTERS && this.at < end; entry = history.entryAt(this.at)) {
      events.push(entry.json);
      characters += entry.json.length;
      last = entry;
      this.at++;
    }
    this.lastSeq = last.seq;
    // `now` promises "nothing older is still coming": only a batch that ends the run so far carries its clock.
    const now = this.at >= end ? Math.max(run.lastNow, last.t) : last.t;
    return `{"type":"batch","events":[${events.join(',')}],"now":${JSON.stringify(now)}}`;
  }

  /** A gap for seqs after `after` up to `to` that this peer will never get. */
  private lost(to: number, trimmed: { from: number; count: number } | undefined, after: number): GapMessage {
    const from = Math.max(trimmed?.from ?? 0, after + 1);
    const count = trimmed ? Math.min(trimmed.count, to - from + 1) : to - from + 1;
    return { type: 'gap', from, to, count, reason: this.overtaken ? 'slow-consumer' : 'evicted' };
  }
}
