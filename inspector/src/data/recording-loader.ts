import { parseRow, RecordChecker, type RecordingError } from '../../client/recording.js';
import type { Run, Target } from '../../client/target.js';
import type { AgentEvent, RecordingLine } from '../../../shared/protocol.js';
import { decodeLines, type BatchText } from './batch-text.js';
import type { ChunkedLog } from './chunked-log.js';
import { ObjectColumnsReader, UNREAD } from './object-columns.js';
import { ioEvent } from './prepared-rows.js';
import type { WireBatch } from './recording-reader.js';

/** Where the page's time went while loading, in ms (the benchmark's breakdown). */
export interface LoadTimings {
  /** Waiting for the worker's first batch. */
  firstMs: number;
  /** Waiting for the worker's next batch, after the first. */
  waitMs: number;
  /** Parsing what the worker did not prepare, and checking every row. */
  parseMs: number;
  /** Validating and analysing the events, and logging their rows. */
  analysisMs: number;
}

/** Records handed to the Target at a time: few objects are alive at once, so they die young. */
const SLICE = 1024;

/** The records of the slice being ingested, and for each the row it came from. */
interface Slice {
  records: RecordingLine[];
  rowOf: number[];
  spans: Uint32Array;
  textId: number;
  /** Position in `records` of the next applied event to look for. */
  cursor: number;
}

/**
 * Feeds an opened recording to a Target batch by batch, as the worker reads
 * it: checks each row, hands the records to the Target (which validates and
 * analyses every event) a slice at a time, and logs the applied events as
 * their rows of the file. An event object lives only while its slice is
 * ingested, so a million events are analysed without a million objects
 * kept alive.
 */
export class RecordingLoader {
  readonly timings: LoadTimings = { firstMs: 0, waitMs: 0, parseMs: 0, analysisMs: 0 };
  private readonly checker = new RecordChecker();
  private ingesting: Slice | undefined;
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

  /** Ingests a batch as the worker sent it: its rows prepared, or all to parse here. */
  add({ bytes, rows, prepared }: WireBatch): void {
    let clock = performance.now();
    this.timings[this.batches++ === 0 ? 'firstMs' : 'waitMs'] += clock - this.idleSince;
    const lap = (phase: 'parseMs' | 'analysisMs') => {
      const now = performance.now();
      this.timings[phase] += now - clock;
      clock = now;
    };
    const { spans, lines, unterminated } = rows;
    const text: BatchText = rows.ascii ? bytes : decodeLines(bytes);
    const textId = this.log.addText(text);
    const others = prepared && new ObjectColumnsReader(prepared.others);
    // Rows the worker did not parse are parsed from the batch's text, decoded once.
    let decoded = typeof text === 'string' ? text : undefined;
    const count = lines.length;
    let slice: Slice = { records: [], rowOf: [], spans, textId, cursor: 0 };
    for (let i = 0; i < count && !this.checker.done; i++) {
      const k = prepared ? prepared.io[i]! : -1;
      let value = k >= 0 ? ioEvent(prepared!, k) : others ? others.next() : UNREAD;
      if (value === UNREAD) value = parseRow((decoded ??= decodeLines(bytes)).slice(spans[2 * i], spans[2 * i + 1]));
      const record = this.checker.row(value, lines[i]!, unterminated && i === count - 1);
      if (!record) continue;
      slice.records.push(record);
      slice.rowOf.push(i);
      if (slice.records.length < SLICE) continue;
      lap('parseMs');
      this.ingest(slice);
      lap('analysisMs');
      slice = { records: [], rowOf: [], spans, textId, cursor: 0 };
    }
    lap('parseMs');
    this.ingest(slice);
    lap('analysisMs');
    this.idleSince = clock;
  }

  /**
   * Logs the rows of events the Target applied from the slice being
   * ingested (its `onEvents`); false when none is. Applied events are the
   * slice's records in order, less the ones it skipped.
   */
  logApplied(events: AgentEvent[], run: Run): boolean {
    const slice = this.ingesting;
    if (!slice) return false;
    const { records, rowOf, spans } = slice;
    for (const event of events) {
      while (records[slice.cursor] !== event) slice.cursor++;
      const row = rowOf[slice.cursor++]!;
      this.log.pushRaw(run.index + 1, run.startedAt + event.t, slice.textId, spans[2 * row]!, spans[2 * row + 1]!);
    }
    return true;
  }

  /** The file ended: where it broke, if it did. */
  end(): RecordingError[] {
    return this.checker.end().errors;
  }

  private ingest(slice: Slice): void {
    if (slice.records.length === 0) return;
    this.ingesting = slice;
    try {
      this.target.ingestRecording(slice.records);
    } finally {
      this.ingesting = undefined;
    }
  }
}
