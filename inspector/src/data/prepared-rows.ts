import type { ConnIoEvent } from '../../../shared/protocol.js';
import { parseRow } from '../../client/recording.js';
import { asciiText, decodeLines } from './batch-text.js';
import { IO_FIELDS, IO_REQUIRED } from './io-row-scan.js';
import { isOneValue } from './one-value.js';

/**
 * A batch's rows made cheap for the page, by the worker that reads the file.
 * The `conn.io` rows, most of any recording (every active connection's
 * counters, once per I/O interval), are parsed there and handed over as
 * numbers the page turns into events with one object literal; only rows of
 * exactly the protocol's conn.io shape go there, so what the page builds
 * equals what parsing the row gives. The other rows are joined into JSON
 * arrays the page parses a slice at a time; as UTF-8 bytes, so they move to
 * the page with the batch instead of being copied as strings twice (out of
 * the worker's heap, into the page's). Only rows that are one JSON value in
 * structure join (one-value.ts), so each value of a slice is its row's; the
 * page parses any other row alone, as it would have.
 */
export interface PreparedRows {
  /** For each row of the batch: its position among the io rows, {@link IN_REST} for a row in `rest`, or {@link ALONE} for a row the page parses from its text. */
  io: Int32Array;
  /** The batch's distinct connection ids; `conn` holds an index into them per io row. */
  connIds: string[];
  conn: Uint32Array;
  /** {@link IO_FIELDS}.length numbers per io row (in that order); an optional field the row leaves out is NaN (no JSON number is NaN). */
  values: Float64Array;
  /** The other rows, in order, as JSON arrays `[row,row,…]` of {@link REST_SLICE} rows (the last one fewer), back to back in UTF-8. */
  rest: Uint8Array;
  /** Where each of those arrays ends in `rest`. */
  restEnds: Uint32Array;
}

/** Rows per `rest` array: the page parses one when it gets to it, so few values are alive at once. */
const REST_SLICE = 1024;

/** A row of `rest`. */
const IN_REST = -1;
/** A row left out of `rest`: not one JSON value in structure. */
const ALONE = -2;

/** What {@link PreparedValues.at} returns for a row to parse from its text. */
export const UNREAD: unique symbol = Symbol('parse this row');

const WIDTH = IO_FIELDS.length;
const REQUIRED = IO_FIELDS.slice(0, IO_REQUIRED);
const OPTIONAL = IO_FIELDS.slice(IO_REQUIRED);

/**
 * Builds a batch's {@link PreparedRows} row by row, on the thread that reads
 * the file. Its arrays grow as rows come (a batch's row count is only known
 * once it is read).
 */
export class PreparedRowsBuilder {
  /** The io rows' numbers; a scanned row writes its own from {@link nextIoBase}. */
  values: Float64Array;
  private io: Int32Array;
  private conn: Uint32Array;
  private rows = 0;
  private taken = 0;
  private readonly connIds: string[] = [];
  private readonly connIndex = new Map<string, number>();
  /** The previous io row's connection, its index and (when it was scanned) where its id's bytes are. */
  private lastId: string | undefined;
  private lastIndex = 0;
  private lastIdStart = 0;
  private lastIdEnd = -1;
  private readonly rest: RestSlices;

  /** Room for `capacity` rows, and `restBytes` bytes of the other rows. */
  constructor(capacity: number, restBytes: number) {
    this.rest = new RestSlices(restBytes);
    this.io = new Int32Array(capacity);
    this.conn = new Uint32Array(capacity);
    this.values = new Float64Array(capacity * WIDTH);
  }

  /** Where the next io row's numbers go in {@link values}, with room made for them. */
  nextIoBase(): number {
    if (this.taken === this.conn.length) {
      this.conn = grown(this.conn, new Uint32Array(2 * this.conn.length));
      this.values = grown(this.values, new Float64Array(2 * this.values.length));
    }
    return this.taken * WIDTH;
  }

  /** An io row whose numbers were scanned to {@link nextIoBase}, its connection id at `[idStart, idEnd)` of an ASCII batch's `bytes`. */
  addScannedIo(bytes: Uint8Array, idStart: number, idEnd: number): void {
    // A connection's rows mostly come in runs: the previous row's id is recognised on its bytes, without decoding it.
    if (!sameBytes(bytes, idStart, idEnd, this.lastIdStart, this.lastIdEnd)) this.index(asciiText(bytes, idStart, idEnd));
    this.lastIdStart = idStart;
    this.lastIdEnd = idEnd;
    this.addIo();
  }

  /** A row that starts as an io row but was not scanned: an io row when parsing it gives exactly that shape (then true). */
  addParsedIo(row: string): boolean {
    const value = parseRow(row);
    if (!isIoRow(value)) return false;
    const base = this.nextIoBase();
    IO_FIELDS.forEach((field, f) => (this.values[base + f] = value[field] ?? Number.NaN));
    if (value.conn !== this.lastId) this.index(value.conn);
    this.lastIdEnd = -1;
    this.addIo();
    return true;
  }

  /** A row the page parses, as text. */
  addRest(row: string): void {
    this.addRow(this.rest.add(row) ? IN_REST : ALONE);
  }

  /** A row the page parses, at `[start, end)` of an ASCII batch's `bytes`. */
  addRestBytes(bytes: Uint8Array, start: number, end: number): void {
    this.addRow(this.rest.addBytes(bytes, start, end) ? IN_REST : ALONE);
  }

  finish(): PreparedRows {
    const { rows, taken } = this;
    return { io: this.io.subarray(0, rows), connIds: this.connIds, conn: this.conn.subarray(0, taken), values: this.values.subarray(0, taken * WIDTH), ...this.rest.finish() };
  }

  /** Makes `id` the current connection. */
  private index(id: string): void {
    let index = this.connIndex.get(id);
    if (index === undefined) {
      index = this.connIds.push(id) - 1;
      this.connIndex.set(id, index);
    }
    this.lastId = id;
    this.lastIndex = index;
  }

  private addIo(): void {
    this.conn[this.taken] = this.lastIndex;
    this.addRow(this.taken++);
  }

  private addRow(io: number): void {
    if (this.rows === this.io.length) this.io = grown(this.io, new Int32Array(2 * this.io.length));
    this.io[this.rows++] = io;
  }
}

/** `bigger` holding `array` at its start. */
export function grown<T extends Uint8Array | Int32Array | Uint32Array | Float64Array>(array: T, bigger: T): T {
  bigger.set(array);
  return bigger;
}

function sameBytes(bytes: Uint8Array, start: number, end: number, otherStart: number, otherEnd: number): boolean {
  if (end - start !== otherEnd - otherStart) return false;
  for (let i = 0; i < end - start; i++) if (bytes[start + i] !== bytes[otherStart + i]) return false;
  return true;
}

/** The other rows joined into JSON arrays of {@link REST_SLICE} rows, from strings or from ASCII bytes. */
class RestSlices {
  private bytes: Uint8Array;
  private at = 0;
  private count = 0;
  private readonly ends: number[] = [];
  /**
   * Rows of a batch's bytes that follow each other with one newline between
   * (most of the other rows come in such runs), copied at once when the run
   * ends, each of those newlines then becoming the comma between two rows.
   */
  private run: { from: Uint8Array; start: number; end: number; at: number; newlines: number[] } | undefined;

  constructor(capacity: number) {
    this.bytes = new Uint8Array(capacity);
  }

  /** Adds `row` when it is one JSON value in structure (then true). */
  add(row: string): boolean {
    const before = this.at;
    // UTF-8 takes at most three bytes per UTF-16 code unit.
    this.open(3 * row.length);
    const start = this.at;
    this.at += encoder.encodeInto(row, this.bytes.subarray(start)).written;
    if (!isOneValue(this.bytes, start, this.at)) {
      this.at = before;
      return false;
    }
    this.close();
    return true;
  }

  /** Adds the row at `[start, end)` of `from` when it is one JSON value in structure (then true). */
  addBytes(from: Uint8Array, start: number, end: number): boolean {
    if (!isOneValue(from, start, end)) return false;
    const run = this.run;
    if (run && this.count > 0 && from === run.from && start === run.end + 1) {
      run.newlines.push(run.end);
      this.at += end - run.end;
      run.end = end;
    } else {
      this.copyRun();
      this.open(end - start);
      this.run = { from, start, end, at: this.at, newlines: [] };
      this.at += end - start;
    }
    this.close();
    return true;
  }

  finish(): { rest: Uint8Array; restEnds: Uint32Array } {
    if (this.count > 0) this.endSlice();
    return { rest: this.bytes.subarray(0, this.at), restEnds: Uint32Array.from(this.ends) };
  }

  /** Makes room for a row of at most `length` bytes (with what may close its slice) and separates it from the previous one. */
  private open(length: number): void {
    this.makeRoom(this.at + length + 2);
    this.bytes[this.at++] = this.count === 0 ? OPEN_BRACKET : COMMA;
  }

  private makeRoom(needed: number): void {
    if (needed > this.bytes.length) this.bytes = grown(this.bytes, new Uint8Array(2 * needed));
  }

  private copyRun(): void {
    const run = this.run;
    if (!run) return;
    this.makeRoom(this.at + 2);
    this.bytes.set(run.from.subarray(run.start, run.end), run.at);
    for (const newline of run.newlines) this.bytes[run.at + newline - run.start] = COMMA;
    this.run = undefined;
  }

  private close(): void {
    if (++this.count === REST_SLICE) this.endSlice();
  }

  private endSlice(): void {
    this.copyRun();
    this.bytes[this.at++] = CLOSE_BRACKET;
    this.ends.push(this.at);
    this.count = 0;
  }
}

const encoder = new TextEncoder();
const OPEN_BRACKET = 91;
const COMMA = 44;
const CLOSE_BRACKET = 93;

/** The event of io row `k`: equal to parsing its text. */
function ioEvent(rows: PreparedRows, k: number): ConnIoEvent {
  const v = rows.values;
  const base = k * WIDTH;
  const conn = rows.connIds[rows.conn[k]!]!;
  const seq = integer(v[base]!);
  const t = v[base + 1]!;
  const bytesIn = integer(v[base + 2]!);
  const bytesOut = integer(v[base + 3]!);
  const lastActivity = v[base + 4]!;
  const msgsIn = v[base + 5]!;
  const msgsOut = v[base + 6]!;
  const lastIn = v[base + 7]!;
  // The agent's shape (lastIn, no message counts) as one literal: a field added afterwards grows the object, another allocation.
  if (Number.isNaN(msgsIn) && Number.isNaN(msgsOut) && !Number.isNaN(lastIn)) return { type: 'conn.io', conn, bytesIn, bytesOut, lastActivity, lastIn, seq, t };
  const event: ConnIoEvent = { type: 'conn.io', conn, bytesIn, bytesOut, lastActivity, seq, t };
  if (!Number.isNaN(msgsIn)) event.msgsIn = integer(msgsIn);
  if (!Number.isNaN(msgsOut)) event.msgsOut = integer(msgsOut);
  if (!Number.isNaN(lastIn)) event.lastIn = lastIn;
  return event;
}

/** `x` itself, an integer typed as one: read from a Float64Array it would take a box wherever it is stored or passed. */
function integer(x: number): number {
  const int = x | 0;
  return Object.is(int, x) ? int : x;
}

/** Reads a batch's prepared rows back, in order, parsing a `rest` slice when it gets to it. */
export class PreparedValues {
  private values: unknown[] | undefined;
  private taken = 0;

  constructor(private readonly prepared: PreparedRows) {}

  /**
   * Row `i`'s value, the rows read in order: its io event, its value in its
   * slice, or {@link UNREAD} when it is to be parsed alone: it is not one
   * JSON value, or its slice is not JSON (then each of its rows is, to find
   * which broke).
   */
  at(i: number): unknown {
    const k = this.prepared.io[i]!;
    if (k >= 0) return ioEvent(this.prepared, k);
    return k === IN_REST ? this.nextRest() : UNREAD;
  }

  private nextRest(): unknown {
    const at = this.taken % REST_SLICE;
    if (at === 0) {
      const { rest, restEnds } = this.prepared;
      const slice = this.taken / REST_SLICE;
      // Its rows being one value each in structure, a slice that parses has exactly their values.
      const values = parseRow(decodeLines(rest.subarray(slice === 0 ? 0 : restEnds[slice - 1], restEnds[slice])));
      this.values = Array.isArray(values) ? values : undefined;
    }
    this.taken++;
    return this.values ? this.values[at] : UNREAD;
  }
}

/** Exactly the protocol's conn.io fields (some optional), each a JSON number but `type` and `conn`, and nothing else. */
function isIoRow(row: unknown): row is ConnIoEvent {
  if (typeof row !== 'object' || row === null) return false;
  const r = row as Record<string, unknown>;
  if (r.type !== 'conn.io' || typeof r.conn !== 'string') return false;
  let expected = 2 + IO_REQUIRED;
  for (const field of REQUIRED) if (typeof r[field] !== 'number') return false;
  for (const field of OPTIONAL) {
    const value = r[field];
    if (value === undefined) continue;
    if (typeof value !== 'number') return false;
    expected++;
  }
  let keys = 0;
  for (const _ in r) keys++;
  return keys === expected;
}
