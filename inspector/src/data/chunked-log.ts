import type { AgentEvent } from '../../../shared/protocol.js';

const CHUNK = 16_384;

/**
 * Every raw event received, append-only, in fixed-size chunks: appending a
 * million events never copies a big array, and no event ever becomes React
 * state. Each event remembers its run (restarts) and absolute time.
 */
export class ChunkedLog {
  private readonly events: AgentEvent[][] = [];
  private readonly runs: Uint16Array[] = [];
  private readonly times: Float64Array[] = [];
  private count = 0;

  get length(): number {
    return this.count;
  }

  push(run: number, startedAt: number, e: AgentEvent): void {
    const chunk = Math.floor(this.count / CHUNK);
    const at = this.count % CHUNK;
    if (at === 0) {
      this.events.push([]);
      this.runs.push(new Uint16Array(CHUNK));
      this.times.push(new Float64Array(CHUNK));
    }
    this.events[chunk]!.push(e);
    this.runs[chunk]![at] = run;
    this.times[chunk]![at] = startedAt + e.t;
    this.count++;
  }

  at(i: number): AgentEvent {
    return this.events[Math.floor(i / CHUNK)]![i % CHUNK]!;
  }

  runAt(i: number): number {
    return this.runs[Math.floor(i / CHUNK)]![i % CHUNK]!;
  }

  /** Absolute epoch ms of event i. */
  timeAt(i: number): number {
    return this.times[Math.floor(i / CHUNK)]![i % CHUNK]!;
  }

  /** Index of the event with this run and seq, or -1 (binary search within the run's contiguous block). */
  indexOf(run: number, seq: number): number {
    let lo = 0;
    let hi = this.count;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const r = this.runAt(mid);
      if (r < run || (r === run && this.at(mid).seq < seq)) lo = mid + 1;
      else hi = mid;
    }
    return lo < this.count && this.runAt(lo) === run && this.at(lo).seq === seq ? lo : -1;
  }

  /** Events of one run from index `from` on, in order. */
  *runEvents(run: number, from = 0): Generator<AgentEvent> {
    for (let i = from; i < this.count; i++) {
      const r = this.runAt(i);
      if (r > run) return;
      if (r === run) yield this.at(i);
    }
  }
}
