import { parseRow, RecordChecker, type RecordingError, type RowBatch } from '../../client/recording.js';
import type { Run, Target } from '../../client/target.js';
import type { AgentEvent, RecordingLine } from '../../../shared/protocol.js';
import type { ChunkedLog } from './chunked-log.js';
import { ioEvent, type PreparedRows } from './prepared-rows.js';

/** Where the page's time went while loading, in ms (the benchmark's breakdown). */
export interface LoadTimings {
  /** Parsing the rows the worker left as text, and checking every row. */
  parseMs: number;
  /** Validating and analysing the events, and logging their rows. */
  analysisMs: number;
}

/** The batch being ingested: its records, and for each the row it came from. */
interface Ingesting {
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
 * analyses every event) and logs the applied events as their rows' text.
 * An event object lives only while its batch is ingested, so a million
 * events are analysed without a million objects kept alive.
 */
export class RecordingLoader {
  readonly timings: LoadTimings = { parseMs: 0, analysisMs: 0 };
  private readonly checker = new RecordChecker();
  private ingesting: Ingesting | undefined;

  constructor(
    private readonly target: Target,
    private readonly log: ChunkedLog,
  ) {}

  /** True once the file broke: later batches are not wanted. */
  get broken(): boolean {
    return this.checker.done;
  }

  /** Ingests a batch, as the worker prepared it. */
  add(batch: RowBatch, prepared: PreparedRows): void {
    const started = performance.now();
    const { text, spans, lines } = batch;
    const records: RecordingLine[] = [];
    const rowOf: number[] = [];
    const count = lines.length;
    const rest = parseRest(prepared.rest, count - prepared.conn.length);
    let next = 0;
    for (let i = 0; i < count && !this.checker.done; i++) {
      const k = prepared.io[i]!;
      const value = k >= 0 ? ioEvent(prepared, k) : rest ? rest[next++] : parseRow(text, spans[2 * i]!, spans[2 * i + 1]!);
      const record = this.checker.row(value, lines[i]!, batch.unterminated && i === count - 1);
      if (!record) continue;
      records.push(record);
      rowOf.push(i);
    }
    const parsed = performance.now();
    this.timings.parseMs += parsed - started;
    this.ingesting = { records, rowOf, spans, textId: this.log.addText(text), cursor: 0 };
    try {
      this.target.ingestRecording(records);
    } finally {
      this.ingesting = undefined;
    }
    this.timings.analysisMs += performance.now() - parsed;
  }

  /**
   * Logs the rows of events the Target applied from the batch being added
   * (its `onEvents`); false when no batch is being added. Applied events are
   * the batch's records in order, less the ones it skipped.
   */
  logApplied(events: AgentEvent[], run: Run): boolean {
    const batch = this.ingesting;
    if (!batch) return false;
    const { records, rowOf, spans } = batch;
    for (const event of events) {
      while (records[batch.cursor] !== event) batch.cursor++;
      const row = rowOf[batch.cursor++]!;
      this.log.pushRaw(run.index + 1, run.startedAt + event.t, batch.textId, spans[2 * row]!, spans[2 * row + 1]!);
    }
    return true;
  }

  /** The file ended: where it broke, if it did. */
  end(): RecordingError[] {
    return this.checker.end().errors;
  }
}

/** The rows the worker joined, in one parse; undefined when some row is not JSON (then each is parsed alone, to find which). */
function parseRest(json: string, count: number): unknown[] | undefined {
  try {
    const values = JSON.parse(json) as unknown;
    // One value per row means every row was whole (`1,2` in a row would make two).
    return Array.isArray(values) && values.length === count ? values : undefined;
  } catch {
    return undefined;
  }
}
