import { splitRows } from '../../client/recording.js';
import { decodeLines, isAscii } from './batch-text.js';
import { IO_PREFIX, scanIoRow, startsAsIoRow } from './io-row-scan.js';
import { grown, PreparedRowsBuilder } from './prepared-rows.js';
import type { WireBatch } from './recording-reader.js';

/**
 * What the recording worker makes of a batch of whole lines of the file:
 * where its rows are, and the rows prepared for the page (prepared-rows.ts).
 *
 * An ASCII batch (most recordings) is read on its bytes in one pass and
 * never decoded whole: a `conn.io` row is scanned to its end, so only the
 * other rows are searched for their line's end, and only they and the
 * connection ids become strings. Any other batch is decoded and split as
 * text, its offsets being the text's.
 */

const NEWLINE = 10;
const RETURN = 13;
const OPEN_BRACE = 123;

/** `bytes` are complete lines whose first is line `firstLine` (0-based), the last one unterminated only at the end of the file. */
export function batchRows(bytes: Uint8Array, firstLine: number): { batch: WireBatch | undefined; nextLine: number } {
  return isAscii(bytes) ? asciiRows(bytes, firstLine) : textRows(bytes, firstLine);
}

function textRows(bytes: Uint8Array, firstLine: number): { batch: WireBatch | undefined; nextLine: number } {
  const { batch, nextLine } = splitRows(decodeLines(bytes), firstLine);
  if (!batch) return { batch, nextLine };
  const { text, spans, lines, unterminated } = batch;
  const prepared = new PreparedRowsBuilder(lines.length, text.length);
  for (let i = 0; i < lines.length; i++) {
    const start = spans[2 * i]!;
    const row = text.slice(start, spans[2 * i + 1]);
    if (!(text.startsWith(IO_PREFIX, start) && prepared.addParsedIo(row))) prepared.addRest(row);
  }
  return { batch: { bytes, rows: { spans, lines, unterminated, ascii: false }, prepared: prepared.finish() }, nextLine };
}

function asciiRows(bytes: Uint8Array, firstLine: number): { batch: WireBatch | undefined; nextLine: number } {
  // Recording rows are seldom shorter than this, and most are io rows: the arrays rarely grow.
  const capacity = (bytes.length >>> 6) + 16;
  const rows = new RowSpans(capacity);
  const prepared = new PreparedRowsBuilder(capacity, bytes.length >>> 1);
  const nextLine = scanRows(bytes, firstLine, rows, prepared);
  if (rows.count === 0) return { batch: undefined, nextLine };
  return { batch: { bytes, rows: rows.finish(), prepared: prepared.finish() }, nextLine };
}

/**
 * Finds and prepares the rows of an ASCII batch, returning the line after
 * them. Nothing follows its loop: code after a loop that V8 compiled while
 * in it has no type feedback yet, and reaching it threw the compiled loop
 * away (in a third of the batches, in Node's --trace-deopt).
 */
function scanRows(bytes: Uint8Array, firstLine: number, rows: RowSpans, prepared: PreparedRowsBuilder): number {
  const length = bytes.length;
  const view = new DataView(bytes.buffer, bytes.byteOffset, length);
  const id = new Uint32Array(2);
  let line = firstLine;
  for (let start = 0; start < length; line++) {
    /** Where the row's line ends: its newline, or the end of the file. */
    let stop = -1;
    let end = 0;
    if (startsAsIoRow(view, start)) {
      end = scanIoRow(bytes, view, start, prepared.values, prepared.nextIoBase(), id);
      if (end >= 0) stop = lineEndAfter(bytes, end);
      if (stop >= 0) prepared.addScannedIo(bytes, id[0]!, id[1]!);
    }
    if (stop < 0) {
      const newline = bytes.indexOf(NEWLINE, start);
      stop = newline < 0 ? length : newline;
      end = stop > start && bytes[stop - 1] === RETURN ? stop - 1 : stop;
      if (isBlank(bytes, start, end)) {
        start = stop + 1;
        continue;
      }
      if (!(startsAsIoRow(view, start) && prepared.addParsedIo(decodeLines(bytes.subarray(start, end))))) prepared.addRestBytes(bytes, start, end);
    }
    rows.add(start, end, line, stop === length);
    start = stop + 1;
  }
  return line;
}

/** Where an ASCII batch's rows are, as they are found. */
class RowSpans {
  count = 0;
  private spans: Uint32Array;
  private lines: Uint32Array;
  private unterminated = false;

  constructor(capacity: number) {
    this.spans = new Uint32Array(2 * capacity);
    this.lines = new Uint32Array(capacity);
  }

  /** The row at `[start, end)` of line `line`, `unterminated` when the file ends in it. */
  add(start: number, end: number, line: number, unterminated: boolean): void {
    const count = this.count;
    if (count === this.lines.length) {
      this.spans = grown(this.spans, new Uint32Array(4 * count));
      this.lines = grown(this.lines, new Uint32Array(2 * count));
    }
    this.spans[2 * count] = start;
    this.spans[2 * count + 1] = end;
    this.lines[count] = line;
    this.unterminated = unterminated;
    this.count = count + 1;
  }

  finish(): WireBatch['rows'] {
    return { spans: this.spans.subarray(0, 2 * this.count), lines: this.lines.subarray(0, this.count), unterminated: this.unterminated, ascii: true };
  }
}

/** Where the line ends when its row ends at `end`: the newline right after it (a `\r` before it allowed), the end of the file, or -1 (something else follows). */
function lineEndAfter(bytes: Uint8Array, end: number): number {
  const next = end < bytes.length && bytes[end] === RETURN ? end + 1 : end;
  return next === bytes.length || bytes[next] === NEWLINE ? next : -1;
}

/** As the text splitter's: whitespace only (ASCII whitespace is 9–13 and space). */
function isBlank(bytes: Uint8Array, start: number, end: number): boolean {
  if (bytes[start] === OPEN_BRACE) return false;
  for (let i = start; i < end; i++) {
    const c = bytes[i]!;
    if (c !== 32 && (c < 9 || c > 13)) return false;
  }
  return true;
}
