/**
 * Recordings: NDJSON, a header line then one record per line (format in
 * shared/protocol.ts). Pure: no I/O, so the browser and Node share it.
 */
import { EVENT_TYPES, PROTOCOL_VERSION, RECORDING_FORMAT, RECORDING_VERSION } from '../../shared/protocol.js';
import type { RecordingHeader, RecordingLine } from '../../shared/protocol.js';
import { isRetiredEvent } from '../../shared/validate-event.js';

export function createRecordingHeader(createdAt: number = Date.now()): RecordingHeader {
  return { format: RECORDING_FORMAT, version: RECORDING_VERSION, createdAt };
}

/** The whole recording as text: header, then one JSON per line, newline-terminated. */
export function serializeRecording(header: RecordingHeader, lines: Iterable<RecordingLine>): string {
  const out = [JSON.stringify(header)];
  for (const line of lines) out.push(JSON.stringify(line));
  return out.join('\n') + '\n';
}

/** Streams a recording out chunk by chunk (to a file, a download, a buffer). */
export class RecordingWriter {
  private lineCount = 0;

  constructor(
    private readonly write: (chunk: string) => void,
    header: RecordingHeader = createRecordingHeader(),
  ) {
    this.write(JSON.stringify(header) + '\n');
  }

  /** Records written after the header. */
  get lines(): number {
    return this.lineCount;
  }

  add(line: RecordingLine): void {
    this.write(JSON.stringify(line) + '\n');
    this.lineCount += 1;
  }
}

export interface RecordingError {
  /** 1-based line number in the file (the header is line 1). */
  line: number;
  message: string;
}

export interface ParsedRecording {
  header: RecordingHeader | undefined;
  /** Every valid record before the first error. */
  lines: RecordingLine[];
  /** At most one: parsing stops at the first broken line. */
  errors: RecordingError[];
  /** True when the whole file was read without error. */
  complete: boolean;
}


/**
 * Reads a recording. Stops at the first problem and keeps everything valid
 * before it, so a truncated or corrupted file still opens up to the damage.
 */
export function parseRecording(text: string): ParsedRecording {
  return new RecordingParser().push(text).end();
}

/**
 * Rows of a recording as text: complete lines of the file, and where each
 * non-blank row sits in them. Rows stay text until someone reads them, so a
 * reader can hand a batch to another thread as one string and the receiver
 * parses only the rows it needs.
 */
export interface RowBatch {
  /** Complete lines of the file, newlines included (the last one may lack it at the end of the file). */
  text: string;
  /** Each row's start and end offset in `text`, in pairs (line end and any `\r` before it excluded). */
  spans: Uint32Array;
  /** Each row's 0-based line in the file (blank lines are left out). */
  lines: Uint32Array;
  /** The last row had no newline after it: the file ended there. */
  unterminated: boolean;
}

/** Splits recording text, pushed in chunks of any size, into batches of non-blank rows. */
export class RowSplitter {
  /** Text pushed since the last batch, the unfinished last line included. */
  private parts: string[] = [];
  /** 0-based line of the next row. */
  private line = 0;

  push(chunk: string): this {
    if (chunk) this.parts.push(chunk);
    return this;
  }

  /** The complete rows pushed since the last call, or undefined if none. */
  take(): RowBatch | undefined {
    const text = this.parts.join('');
    const end = text.lastIndexOf('\n') + 1;
    this.parts = end < text.length ? [text.slice(end)] : [];
    return this.batch(text.slice(0, end));
  }

  /** The rows left at the end of the file, the unterminated last one included. */
  end(): RowBatch | undefined {
    const text = this.parts.join('');
    this.parts = [];
    return this.batch(text);
  }

  private batch(text: string): RowBatch | undefined {
    const { batch, nextLine } = splitRows(text, this.line);
    this.line = nextLine;
    return batch;
  }
}

/**
 * The rows of `text`, complete lines of a file whose first is line
 * `firstLine` (0-based), and the line after them.
 */
export function splitRows(text: string, firstLine: number): { batch: RowBatch | undefined; nextLine: number } {
  const spans: number[] = [];
  const lines: number[] = [];
  let line = firstLine;
  /** Where the last row's line ends, or -1 if the file ends in it. */
  let lastNewline = -1;
  for (let start = 0; start < text.length; line++) {
    const newline = text.indexOf('\n', start);
    const stop = newline < 0 ? text.length : newline;
    const end = stop > start && text.charCodeAt(stop - 1) === 13 ? stop - 1 : stop;
    if (!isBlank(text, start, end)) {
      spans.push(start, end);
      lines.push(line);
      lastNewline = newline;
    }
    start = stop + 1;
  }
  const batch = lines.length === 0 ? undefined : { text, spans: Uint32Array.from(spans), lines: Uint32Array.from(lines), unterminated: lastNewline < 0 };
  return { batch, nextLine: line };
}

/** What `parseRow` returns for a row that is not JSON (no JSON value is this symbol). */
export const NOT_JSON: unique symbol = Symbol('not JSON');

/** A row's value, or {@link NOT_JSON}. */
export function parseRow(row: string): unknown {
  try {
    return JSON.parse(row);
  } catch {
    return NOT_JSON;
  }
}

/**
 * Checks a recording's rows, batch by batch, and keeps the valid records up
 * to the first problem: the header first, then runs that each open with a
 * hello and number their events in order. Each event's own fields are
 * checked where it is ingested (the Target), which skips a malformed one
 * and the retired types without stopping the file.
 */
const EVENT_TYPE_SET: ReadonlySet<unknown> = new Set(EVENT_TYPES);

export class RecordChecker {
  private readonly result: ParsedRecording = { header: undefined, lines: [], errors: [], complete: false };
  private stopped = false;
  private inRun = false;
  private lastSeq = 0;

  /** `accept` receives each valid record as it is checked; by default they are kept in the result's `lines`. */
  constructor(private readonly accept: (record: RecordingLine) => void = (record) => this.result.lines.push(record)) {}

  /** True once the file broke (or ended): later batches are ignored. */
  get done(): boolean {
    return this.stopped;
  }

  add(batch: RowBatch): this {
    const count = batch.lines.length;
    for (let i = 0; i < count && !this.stopped; i++) {
      const record = this.row(parseRow(batch.text.slice(batch.spans[2 * i], batch.spans[2 * i + 1])), batch.lines[i]!, batch.unterminated && i === count - 1);
      if (record) this.accept(record);
    }
    return this;
  }

  end(): ParsedRecording {
    if (this.stopped) return this.result;
    if (!this.result.header) return this.fail(0, 'empty file: expected a bridgescope recording header');
    this.result.complete = true;
    this.stopped = true;
    return this.result;
  }

  private fail(index: number, message: string): ParsedRecording {
    this.result.errors.push({ line: index + 1, message: `line ${index + 1}: ${message}` });
    this.stopped = true;
    return this.result;
  }

  /**
   * Checks one row's value (a parsed row, or {@link NOT_JSON}) at its 0-based
   * line: the record when it is valid, else undefined (the header, or a
   * problem, which stops the checker). `add` hands the records to `accept`;
   * a caller with its own rows calls this directly.
   */
  row(value: unknown, line: number, unterminated: boolean): RecordingLine | undefined {
    if (this.stopped) return undefined;
    if (!this.result.header) {
      const header = checkHeader(value);
      if (typeof header === 'string') this.fail(line, header);
      else this.result.header = header;
      return undefined;
    }
    if (value === NOT_JSON) {
      this.fail(line, unterminated ? 'truncated: the file ends in the middle of a record' : 'not valid JSON');
      return undefined;
    }
    const record = value as { type?: unknown; [key: string]: unknown };
    const problem = this.check(record);
    if (problem === undefined) return value as RecordingLine;
    this.fail(line, problem);
    return undefined;
  }

  /** What is wrong with one record, or undefined. Tracks runs and seq order. */
  private check(record: { type?: unknown; [key: string]: unknown }): string | undefined {
    if (!record || typeof record !== 'object' || Array.isArray(record)) return 'not a JSON object';
    const type = record.type;
    // Events first: nearly every record is one.
    if (this.inRun && (EVENT_TYPE_SET.has(type) || isRetiredEvent(type))) {
      const seq = record.seq;
      if (typeof seq !== 'number' || typeof record.t !== 'number') return `"${type as string}" event without a numeric seq and t`;
      if (seq === this.lastSeq) return `seq ${seq} appears twice in the same run`;
      if (seq < this.lastSeq) return `seq goes backwards (${seq} after ${this.lastSeq}) within a run`;
      this.lastSeq = seq;
    } else if (type === 'hello') {
      if (typeof record.protocol !== 'number' || !isObject(record.agent)) return 'malformed hello (needs protocol and agent)';
      if (record.protocol > PROTOCOL_VERSION) {
        return `recorded with protocol ${record.protocol}, newer than this inspector's protocol ${PROTOCOL_VERSION}; update bridgescope to open it`;
      }
      if (record.protocol !== PROTOCOL_VERSION) return `recorded with protocol ${record.protocol}, which this inspector (protocol ${PROTOCOL_VERSION}) cannot read`;
      this.inRun = true;
      this.lastSeq = 0;
    } else if (!this.inRun) {
      return `a "${String(type)}" record before any hello (every run starts with the agent's hello)`;
    } else if (type === 'now') {
      if (typeof record.now !== 'number') return 'malformed "now" record (needs a number now)';
    } else if (type === 'gap') {
      if (typeof record.from !== 'number' || typeof record.to !== 'number' || typeof record.count !== 'number') {
        return 'malformed gap (needs from, to and count)';
      }
      if (record.from <= this.lastSeq) return `gap from seq ${record.from} does not follow seq ${this.lastSeq}`;
      this.lastSeq = Math.max(this.lastSeq, record.to);
    } else {
      return `unknown record type ${JSON.stringify(type)}`;
    }
    return undefined;
  }
}

/**
 * Reads a recording chunk by chunk as it arrives (a download, a file
 * stream), so parsing overlaps reading. Same checks and messages as
 * {@link parseRecording}.
 */
export class RecordingParser {
  private readonly rows = new RowSplitter();
  private readonly records = new RecordChecker();

  push(chunk: string): this {
    if (this.records.done) return this;
    const batch = this.rows.push(chunk).take();
    if (batch) this.records.add(batch);
    return this;
  }

  end(): ParsedRecording {
    const batch = this.rows.end();
    if (batch) this.records.add(batch);
    return this.records.end();
  }
}

function checkHeader(header: unknown): RecordingHeader | string {
  if (!isObject(header) || header.format !== RECORDING_FORMAT) {
    return `not a bridgescope recording: the first line must be the header {"format":"${RECORDING_FORMAT}",…}`;
  }
  if (typeof header.version !== 'number') return 'the header has no version';
  if (header.version > RECORDING_VERSION) {
    return `recording format version ${header.version} is newer than this inspector supports (${RECORDING_VERSION}); update bridgescope to open it`;
  }
  if (header.version !== RECORDING_VERSION) return `unsupported recording format version ${header.version}`;
  return header as unknown as RecordingHeader;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isBlank(text: string, start: number, end: number): boolean {
  // Records start with '{': most rows are decided by their first character.
  return text.charCodeAt(start) !== 123 && text.slice(start, end).trim().length === 0;
}
