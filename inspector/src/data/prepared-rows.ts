import type { ConnIoEvent } from '../../../shared/protocol.js';
import type { RowBatch } from '../../client/recording.js';

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
  /** {@link FIELDS}.length numbers per io row; an optional field the row leaves out is NaN (no JSON number is NaN). */
  values: Float64Array;
  /** The other rows, in order, as JSON arrays `[row,row,…]` of {@link REST_SLICE} rows (the last one fewer). */
  rest: string[];
}

/** Rows per `rest` array: the page parses one when it gets to it, so few values are alive at once. */
const REST_SLICE = 1024;

/** What {@link RestRows.next} returns for a row to parse from its text (its slice is not whole JSON). */
export const UNREAD: unique symbol = Symbol('parse this row');

const REQUIRED = ['seq', 't', 'bytesIn', 'bytesOut', 'lastActivity'] as const;
const OPTIONAL = ['msgsIn', 'msgsOut', 'lastIn'] as const;
const FIELDS = [...REQUIRED, ...OPTIONAL];
const WIDTH = FIELDS.length;
const PREFIX = '{"type":"conn.io",';

/** Prepares a batch's rows (on the thread that reads the file). */
export function prepareRows(batch: RowBatch): PreparedRows {
  const { text, spans } = batch;
  const count = batch.lines.length;
  const io = new Int32Array(count);
  const connIds: string[] = [];
  const connIndex = new Map<string, number>();
  const conn = new Uint32Array(count);
  let values = new Float64Array(count * WIDTH);
  const rest: string[] = [];
  let taken = 0;
  for (let i = 0; i < count; i++) {
    const start = spans[2 * i]!;
    const row = text.slice(start, spans[2 * i + 1]);
    const value = text.startsWith(PREFIX, start) ? parseOr(row) : undefined;
    if (!isIoRow(value)) {
      io[i] = -1;
      rest.push(row);
      continue;
    }
    let id = connIndex.get(value.conn);
    if (id === undefined) {
      id = connIds.push(value.conn) - 1;
      connIndex.set(value.conn, id);
    }
    const base = taken * WIDTH;
    values[base] = value.seq;
    values[base + 1] = value.t;
    values[base + 2] = value.bytesIn;
    values[base + 3] = value.bytesOut;
    values[base + 4] = value.lastActivity;
    values[base + 5] = value.msgsIn ?? Number.NaN;
    values[base + 6] = value.msgsOut ?? Number.NaN;
    values[base + 7] = value.lastIn ?? Number.NaN;
    conn[taken] = id;
    io[i] = taken++;
  }
  if (taken < count) values = values.slice(0, taken * WIDTH);
  const slices: string[] = [];
  for (let at = 0; at < rest.length; at += REST_SLICE) slices.push(`[${rest.slice(at, at + REST_SLICE).join(',')}]`);
  return { io, connIds, conn: conn.slice(0, taken), values, rest: slices };
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
  let expected = 2 + REQUIRED.length;
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
