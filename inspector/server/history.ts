import type { AgentEvent, AgentMessage, GapMessage, HelloMessage } from '../../shared/protocol.js';
import { BoundedQueue } from './bounded-queue.js';

/** What a target's history holds between its runs' hellos. */
export type HistoryLine = AgentEvent | GapMessage;

/** One process lifetime of a target: its hello and what it sent since. */
export interface HubRun {
  hello: HelloMessage;
  lines: BoundedQueue<HistoryLine>;
  /** Events trimmed from the front of this run to respect the bound. */
  trimmed?: { from: number; to: number; count: number };
  /** Highest seq received (events or gaps): where a resume continues. */
  lastSeq: number;
  /** Latest agent time seen, for the `now` of replayed batches. */
  lastNow: number;
}

/** Events per replayed batch frame (the agent's default batch size). */
const REPLAY_BATCH = 500;

function lastSeqOf(line: HistoryLine): number {
  return line.type === 'gap' ? line.to : line.seq;
}

/**
 * Everything a hub received from one target, across restarts, bounded by a
 * line count (hellos, events and gaps). The oldest lines go first; what a
 * run loses is replayed as one `evicted` gap, so nothing vanishes silently.
 */
export class TargetHistory {
  private readonly runs: HubRun[] = [];
  private lineCount = 0;

  constructor(readonly maxLines = 200_000) {
    if (!Number.isInteger(maxLines) || maxLines < 2) throw new RangeError('maxLines must be an integer >= 2');
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

  startRun(hello: HelloMessage): void {
    this.runs.push({ hello, lines: new BoundedQueue(), lastSeq: 0, lastNow: hello.now });
    this.lineCount++;
    this.trim();
  }

  /** The same process said hello again (it reconnected): keep its newest description. */
  refreshHello(hello: HelloMessage): void {
    const run = this.current;
    if (run) {
      run.hello = hello;
      run.lastNow = Math.max(run.lastNow, hello.now);
    }
  }

  /** Appends the events newer than the current run's last seq; returns them (duplicates dropped). */
  appendEvents(events: AgentEvent[], now: number): AgentEvent[] {
    const run = this.current;
    if (!run) return [];
    const fresh = events.filter((e) => e.seq > run.lastSeq);
    for (const event of fresh) {
      run.lines.push(event);
      run.lastSeq = event.seq;
    }
    run.lastNow = Math.max(run.lastNow, now, fresh.length ? fresh[fresh.length - 1]!.t : 0);
    this.lineCount += fresh.length;
    this.trim();
    return fresh;
  }

  /** Appends a gap unless it covers nothing new; returns whether it was kept. */
  appendGap(gap: GapMessage): boolean {
    const run = this.current;
    if (!run || gap.to <= run.lastSeq) return false;
    run.lines.push(gap);
    run.lastSeq = gap.to;
    this.lineCount++;
    this.trim();
    return true;
  }

  /**
   * The whole history as the agent protocol: each run's hello, its trimmed
   * gap, then batches and gaps. Lazy, and fixed at the moment of the call:
   * what arrives later is the caller's to relay live, so nothing is sent twice.
   */
  replayAll(): IterableIterator<AgentMessage> {
    const runs = this.runs.map((run) => ({ run, until: run.lastSeq }));
    return (function* (history: TargetHistory) {
      for (const { run, until } of runs) {
        yield run.hello;
        yield* history.replayRun(run, 0, until);
      }
    })(this);
  }

  /** The current run without its hello: all of it, or what follows `since` (a resume); fixed at the call. */
  replayCurrent(since?: number): IterableIterator<AgentMessage> {
    const run = this.current;
    return run ? this.replayRun(run, since ?? 0, run.lastSeq) : [][Symbol.iterator]();
  }

  private *replayRun(run: HubRun, since: number, until: number): IterableIterator<AgentMessage> {
    const trimmed = run.trimmed;
    if (trimmed && trimmed.to > since) {
      const from = Math.max(trimmed.from, since + 1);
      yield { type: 'gap', from, to: trimmed.to, count: Math.min(trimmed.count, trimmed.to - from + 1), reason: 'evicted' };
    }
    let batch: AgentEvent[] = [];
    const start = run.lines.lowerBound((line) => lastSeqOf(line) > since);
    for (const line of run.lines.from(start)) {
      if (lastSeqOf(line) > until) break;
      if (line.type === 'gap') {
        if (batch.length) yield { type: 'batch', events: batch, now: batch[batch.length - 1]!.t };
        batch = [];
        yield line.from > since ? line : { ...line, from: since + 1, count: Math.min(line.count, line.to - since) };
        continue;
      }
      batch.push(line);
      if (batch.length === REPLAY_BATCH) {
        yield { type: 'batch', events: batch, now: batch[batch.length - 1]!.t };
        batch = [];
      }
    }
    if (batch.length) yield { type: 'batch', events: batch, now: Math.max(run.lastNow, batch[batch.length - 1]!.t) };
  }

  private trim(): void {
    while (this.lineCount > this.maxLines) {
      const oldest = this.runs[0]!;
      const line = oldest.lines.shift();
      if (line) {
        const from = line.type === 'gap' ? line.from : line.seq;
        const count = line.type === 'gap' ? line.count : 1;
        const t = oldest.trimmed;
        oldest.trimmed = t
          ? { from: Math.min(t.from, from), to: Math.max(t.to, lastSeqOf(line)), count: t.count + count }
          : { from, to: lastSeqOf(line), count };
      } else if (this.runs.length > 1) {
        // A run with nothing left but its hello says nothing useful any more.
        this.runs.shift();
      } else {
        return;
      }
      this.lineCount--;
    }
  }
}
