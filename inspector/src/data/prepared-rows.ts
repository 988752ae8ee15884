import type { ConnIoEvent } from '../../../shared/protocol.js';
import type { RowBatch } from '../../client/recording.js';
import { IO_FIELDS, IO_PREFIX, IO_REQUIRED, scanIoRow, startsAsIoRow } from './io-row-scan.js';

/**
 * A batch's rows made cheap for the page, by the worker that reads the file.
 * The `conn.io` rows, most of any recording (every active connection's
 * counters, once per I/O interval), are parsed there and handed over as
 * numbers the page turns into events with one object literal; only rows of
 * exactly the protocol's conn.io shape go there, so what the page builds
 * equals what parsing the row gives. The other rows are joined into JSON
 * arrays the page parses a slice at a time.
 */
export interface PreparedRows {
  /** For each row of the batch: its position among the io rows, or -1 for a row in `rest`. */
  io: Int32Array;
  /** The batch's distinct connection ids; `conn` holds an index into them per io row. */
  connIds: string[];
  conn: Uint32Array;
  /** {@link IO_FIELDS}.length numbers per io row (in that order); an optional field the row leaves out is NaN (no JSON number is NaN). */
  values: Float64Array;
  /** The other rows, in order, as JSON arrays `[row,row,…]` of {@link REST_SLICE} rows (the last one fewer). */
  rest: string[];
}

/** Rows per `rest` array: the page parses one when it gets to it, so few values are alive at once. */
const REST_SLICE = 1024;

/** What {@link RestRows.next} returns for a row to parse from its text (its slice is not whole JSON). */
export const UNREAD: unique symbol = Symbol('parse this row');

const WIDTH = IO_FIELDS.length;
const REQUIRED = IO_FIELDS.slice(0, IO_REQUIRED);
const OPTIONAL = IO_FIELDS.slice(IO_REQUIRED);

/**
 * Prepares a batch's rows (on the thread that reads the file). With `ascii`,
 * the batch's bytes when they are all ASCII (its text's offsets are theirs),
 * the io rows are read from them without parsing (io-row-scan.ts).
 */
export function prepareRows(batch: RowBatch, ascii?: Uint8Array): PreparedRows {
  const { text, spans } = batch;
  const bytes = ascii?.length === text.length ? ascii : undefined;
  const count = batch.lines.length;
  const ioRows = new Int32Array(count);
  const connIds: string[] = [];
  const connIndex = new Map<string, number>();
  let lastId: string | undefined;
  let lastIndex = 0;
  const conn = new Uint32Array(count);
  let values = new Float64Array(count * WIDTH);
  const rest: string[] = [];
  let taken = 0;
  for (let i = 0; i < count; i++) {
    const start = spans[2 * i]!;
    const end = spans[2 * i + 1]!;
    const base = taken * WIDTH;
    const io = bytes ? startsAsIoRow(bytes, start) : text.startsWith(IO_PREFIX, start);
    let id = io && bytes ? scanIoRow(bytes, text, start, end, values, base) : undefined;
    if (io && id === undefined) {
      // Not the plain form: what parsing gives decides.
      const value = parseOr(text.slice(start, end));
      if (isIoRow(value)) {
        id = value.conn;
        IO_FIELDS.forEach((field, f) => (values[base + f] = value[field] ?? Number.NaN));
      }
    }
    if (id === undefined) {
      ioRows[i] = -1;
      rest.push(text.slice(start, end));
      continue;
    }
    // A connection's rows mostly come in runs: the previous row's id is looked up without hashing.
    let index = id === lastId ? lastIndex : connIndex.get(id);
    if (index === undefined) {
      index = connIds.push(id) - 1;
      connIndex.set(id, index);
    }
    lastId = id;
    lastIndex = index;
    conn[taken] = index;
    ioRows[i] = taken++;
  }
  if (taken < count) values = values.slice(0, taken * WIDTH);
  const slices: string[] = [];
  for (let at = 0; at < rest.length; at += REST_SLICE) slices.push(`[${rest.slice(at, at + REST_SLICE).join(',')}]`);
  return { io: ioRows, connIds, conn: conn.slice(0, taken), values, rest: slices };
}

/** The event of io row `k`: equal to parsing its text. */
export function ioEvent(rows: PreparedRows, k: number): ConnIoEvent {
  const v = rows.values;
  const base = k * WIDTH;
  const event: ConnIoEvent = {
    type: 'conn.io',
    conn: rows.connIds[rows.conn[k]!]!,
    bytesIn: v[base + 2]!,
    bytesOut: v[base + 3]!,
    lastActivity: v[base + 4]!,
    seq: v[base]!,
    t: v[base + 1]!,
  };
  const [msgsIn, msgsOut, lastIn] = [v[base + 5]!, v[base + 6]!, v[base + 7]!];
  if (!Number.isNaN(msgsIn)) event.msgsIn = msgsIn;
  if (!Number.isNaN(msgsOut)) event.msgsOut = msgsOut;
  if (!Number.isNaN(lastIn)) event.lastIn = lastIn;
  return event;
}

/** Reads the rows of a batch's `rest` back, in order, parsing a slice when it gets to it. */
export class RestRows {
  private values: unknown[] | undefined;
  private taken = 0;
  private readonly count: number;

  constructor(private readonly prepared: PreparedRows) {
    this.count = prepared.io.length - prepared.conn.length;
  }

  /** The next row's value, or {@link UNREAD} when its slice is not whole JSON (then each row is parsed alone, to find which broke). */
  next(): unknown {
    const at = this.taken % REST_SLICE;
    if (at === 0) this.values = parseSlice(this.prepared.rest[this.taken / REST_SLICE]!, Math.min(REST_SLICE, this.count - this.taken));
    this.taken++;
    return this.values ? this.values[at] : UNREAD;
  }
}

function parseSlice(json: string, rows: number): unknown[] | undefined {
  try {
    const values = JSON.parse(json) as unknown;
    // One value per row means every row was whole (`1,2` in a row would make two).
    return Array.isArray(values) && values.length === rows ? values : undefined;
  } catch {
    return undefined;
  }
}

function parseOr(row: string): unknown {
  try {
    return JSON.parse(row);
  } catch {
    return undefined;
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
