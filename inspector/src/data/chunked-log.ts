import type { AgentEvent } from '../../../shared/protocol.js';
import { sliceText, type BatchText } from './batch-text.js';

const CHUNK = 16_384;

interface Chunk {
  runs: Uint16Array;
  /** Absolute epoch ms of each event. */
  times: Float64Array;
  /** Events received as objects (a live stream), by position; empty for raw rows. */
  events: AgentEvent[];
  /** Raw rows: each one's text (an index into the log's `texts`), start and end. */
  textOf: Uint32Array | undefined;
  spans: Uint32Array | undefined;
}

/**
 * Every event received, append-only, in fixed-size chunks: appending a
 * million events never copies a big array, and no event ever becomes React
 * state. Each event remembers its run (restarts) and absolute time. A live
 * stream's events are kept as they arrived; an opened recording's are kept
 * as text and parsed when read (the views read the few rows they show), so
 * a big file does not keep a million objects alive.
 */
export class ChunkedLog {
  private readonly chunks: Chunk[] = [];
  /** Texts that raw rows are in (batches of a recording's lines). */
  private readonly texts: BatchText[] = [];
  private count = 0;

  get length(): number {
    return this.count;
  }

  push(run: number, startedAt: number, e: AgentEvent): void {
    const chunk = this.next(run, startedAt + e.t);
    chunk.events[this.count++ % CHUNK] = e;
  }

  /** Keeps a text that raw rows will point into; returns its id for {@link pushRaw}. */
  addText(text: BatchText): number {
    return this.texts.push(text) - 1;
  }

  /** An event kept as text: `start`..`end` of text `textId`, at absolute time `time`. */
  pushRaw(run: number, time: number, textId: number, start: number, end: number): void {
    const chunk = this.next(run, time);
    const at = this.count++ % CHUNK;
    (chunk.textOf ??= new Uint32Array(CHUNK))[at] = textId;
    const spans = (chunk.spans ??= new Uint32Array(2 * CHUNK));
    spans[2 * at] = start;
    spans[2 * at + 1] = end;
  }

  at(i: number): AgentEvent {
    const chunk = this.chunks[Math.floor(i / CHUNK)]!;
    const at = i % CHUNK;
    return chunk.events[at] ?? (JSON.parse(this.rawText(chunk, at)) as AgentEvent);
  }

  /** The text of event i as it was read, or undefined for an event received as an object. */
  rawAt(i: number): string | undefined {
    const chunk = this.chunks[Math.floor(i / CHUNK)]!;
    const at = i % CHUNK;
    return chunk.events[at] ? undefined : this.rawText(chunk, at);
  }

  runAt(i: number): number {
    return this.chunks[Math.floor(i / CHUNK)]!.runs[i % CHUNK]!;
  }

  /** Absolute epoch ms of event i. */
  timeAt(i: number): number {
    return this.chunks[Math.floor(i / CHUNK)]!.times[i % CHUNK]!;
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

  /** The chunk the next event goes to, with its run and time set. */
  private next(run: number, time: number): Chunk {
    const at = this.count % CHUNK;
    if (at === 0) this.chunks.push({ runs: new Uint16Array(CHUNK), times: new Float64Array(CHUNK), events: [], textOf: undefined, spans: undefined });
    const chunk = this.chunks[this.chunks.length - 1]!;
    chunk.runs[at] = run;
    chunk.times[at] = time;
    return chunk;
  }

  private rawText(chunk: Chunk, at: number): string {
    return sliceText(this.texts[chunk.textOf![at]!]!, chunk.spans![2 * at]!, chunk.spans![2 * at + 1]!);
  }
}
