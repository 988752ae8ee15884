/**
 * Recordings: NDJSON, a header line then one record per line (format in
 * agent/protocol.ts). Pure: no I/O, so the browser and Node share it.
 */
import { PROTOCOL_VERSION, RECORDING_FORMAT, RECORDING_VERSION } from '../../agent/protocol.js';
import type { AgentEventType, RecordingHeader, RecordingLine } from '../../agent/protocol.js';

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

const EVENT_TYPES: ReadonlySet<string> = new Set<AgentEventType>([
  'server.listen',
  'server.close',
  'conn.open',
  'conn.peer-end',
  'conn.local-end',
  'conn.close',
  'conn.error',
  'conn.io',
  'conn.write-after-close',
  'emitter.watch',
  'emitter.unwatch',
  'emitter.lost-track',
  'listener.add',
  'listener.remove',
  'handle.table',
  'handle.store',
  'handle.retrieve',
  'handle.take',
  'handle.drop',
  'action.start',
  'action.settle',
  'mark',
  'finding.open',
  'finding.resolve',
]);

/**
 * Reads a recording. Stops at the first problem and keeps everything valid
 * before it, so a truncated or corrupted file still opens up to the damage.
 */
export function parseRecording(text: string): ParsedRecording {
  return new RecordingParser().push(text).end();
}

/**
 * Reads a recording chunk by chunk as it arrives (a download, a file
 * stream), so parsing overlaps reading. Same checks and messages as
 * {@link parseRecording}.
 */
export class RecordingParser {
  private readonly result: ParsedRecording = { header: undefined, lines: [], errors: [], complete: false };
  /** The unfinished last line of what was pushed so far. */
  private rest = '';
  /** 0-based index of the next line. */
  private index = 0;
  private stopped = false;
  private inRun = false;
  private lastSeq = 0;

  push(chunk: string): this {
    if (this.stopped) return this;
    const rows = (this.rest + chunk).split('\n');
    this.rest = rows.pop()!;
    for (const row of rows) {
      this.row(row, false);
      if (this.stopped) break;
    }
    return this;
  }

  end(): ParsedRecording {
    if (this.stopped) return this.result;
    // A file that does not end in a newline may have been cut off mid-record.
    if (!isBlank(this.rest)) this.row(this.rest, true);
    this.rest = '';
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

  private row(row: string, unterminated: boolean): void {
    const i = this.index++;
    if (isBlank(row)) return;
    if (!this.result.header) {
      const header = checkHeader(row);
      if (typeof header === 'string') this.fail(i, header);
      else this.result.header = header;
      return;
    }
    let record: { type?: unknown; [key: string]: unknown };
    try {
      record = JSON.parse(row);
    } catch {
      this.fail(i, unterminated ? 'truncated: the file ends in the middle of a record' : 'not valid JSON');
      return;
    }
    const problem = this.check(record);
    if (problem !== undefined) this.fail(i, problem);
    else this.result.lines.push(record as unknown as RecordingLine);
  }

  /** What is wrong with one record, or undefined. Tracks runs and seq order. */
  private check(record: { type?: unknown; [key: string]: unknown }): string | undefined {
    if (!record || typeof record !== 'object' || Array.isArray(record)) return 'not a JSON object';
    const type = record.type;
    if (type === 'hello') {
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
    } else if (typeof type === 'string' && EVENT_TYPES.has(type)) {
      const seq = record.seq;
      if (typeof seq !== 'number' || typeof record.t !== 'number') return `"${type}" event without a numeric seq and t`;
      if (seq === this.lastSeq) return `seq ${seq} appears twice in the same run`;
      if (seq < this.lastSeq) return `seq goes backwards (${seq} after ${this.lastSeq}) within a run`;
      this.lastSeq = seq;
    } else {
      return `unknown record type ${JSON.stringify(type)}`;
    }
    return undefined;
  }
}

function checkHeader(row: string): RecordingHeader | string {
  let header: unknown;
  try {
    header = JSON.parse(row);
  } catch {
    return `not a bridgescope recording: the first line must be the header {"format":"${RECORDING_FORMAT}",…}`;
  }
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

function isBlank(row: string): boolean {
  return row.length === 0 || row === '\r' || row.trim().length === 0;
}
