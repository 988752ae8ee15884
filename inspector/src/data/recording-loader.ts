import { parseRow, RecordChecker, type RecordingError } from '../../client/recording.js';
import type { Target } from '../../client/target.js';
import { decodeLines, type BatchText } from './batch-text.js';
import type { ChunkedLog } from './chunked-log.js';
import { PreparedValues, UNREAD } from './prepared-rows.js';
import type { WireBatch } from './recording-reader.js';

/** Where the page's time went while loading, in ms (the benchmark's breakdown). */
export interface LoadTimings {
  /** Waiting for the worker's first batch. */
  firstMs: number;
  /** Waiting for the worker's next batch, after the first. */
  waitMs: number;
  /** Ingesting: parsing what the worker did not, checking every row, validating and analysing the events, logging their rows. */
  ingestMs: number;
}

/**
 * Feeds an opened recording to a Target batch by batch, as the worker reads
 * it: checks each row, replays it into the Target (which validates and
 * analyses every event) and logs an applied event as its row of the file.
 * Each event object is dropped as soon as it is applied, so a million events
 * are analysed without a million objects kept alive.
 */
export class RecordingLoader {
  readonly timings: LoadTimings = { firstMs: 0, waitMs: 0, ingestMs: 0 };
  private readonly checker = new RecordChecker();
  private batches = 0;
  /** When the page last finished a batch (or began). */
  private idleSince = performance.now();

  constructor(
    private readonly target: Target,
    private readonly log: ChunkedLog,
  ) {}

  /** True once the file broke: later batches are not wanted. */
  get broken(): boolean {
    return this.checker.done;
  }

  /** Ingests a batch as the worker sent it: its rows parsed there, or all to parse here. */
  add({ bytes, rows, prepared }: WireBatch): void {
    const started = performance.now();
    this.timings[this.batches++ === 0 ? 'firstMs' : 'waitMs'] += started - this.idleSince;
    const { spans, lines, unterminated } = rows;
    const text: BatchText = rows.ascii ? bytes : decodeLines(bytes);
    const textId = this.log.addText(text);
    const values = new PreparedValues(prepared);
    // A row the worker could not read is parsed alone, from the batch's text decoded once.
    let decoded = typeof text === 'string' ? text : undefined;
    const count = lines.length;
    for (let i = 0; i < count && !this.checker.done; i++) {
      const start = spans[2 * i]!;
      const end = spans[2 * i + 1]!;
      let value = values.at(i);
      if (value === UNREAD) value = parseRow((decoded ??= decodeLines(bytes)).slice(start, end));
      const record = this.checker.row(value, lines[i]!, unterminated && i === count - 1);
      if (!record) continue;
      const run = this.target.replay(record);
      if (run) this.log.pushRaw(run.index + 1, run.startedAt + (record as { t: number }).t, textId, start, end);
    }
    this.idleSince = performance.now();
    this.timings.ingestMs += this.idleSince - started;
  }

  /** The file ended: where it broke, if it did. */
  end(): RecordingError[] {
    return this.checker.end().errors;
  }
}
