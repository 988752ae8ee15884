import type { ConnIoEvent } from '../../../shared/protocol.js';
import type { RowBatch } from '../../client/recording.js';
import { ObjectColumnsWriter, type ObjectColumns } from './object-columns.js';

/**
 * A batch's rows parsed by the worker that reads the file, and handed to
 * the page as columns it turns back into objects for far less than parsing
 * them. The `conn.io` rows, most of any recording (every active
 * connection's counters, once per I/O interval), have columns of their own
 * that the page reads with one object literal; only rows of exactly the
 * protocol's conn.io shape go there. The others go through the generic
 * object columns. Either way the page gets what parsing the row gives.
 */
export interface PreparedRows {
  /** For each row of the batch: its position among the io rows, or -1 for a row in `others`. */
  io: Int32Array;
  /** The batch's distinct connection ids; `conn` holds an index into them per io row. */
  connIds: string[];
  conn: Uint32Array;
  /** {@link FIELDS}.length numbers per io row; an optional field the row leaves out is NaN (no JSON number is NaN). */
  values: Float64Array;
  /** The other rows, in order. */
  others: ObjectColumns;
}

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
  const others = new ObjectColumnsWriter();
  let taken = 0;
  for (let i = 0; i < count; i++) {
    const start = spans[2 * i]!;
    const value = parseOr(text.slice(start, spans[2 * i + 1]));
    if (!text.startsWith(PREFIX, start) || !isIoRow(value)) {
      io[i] = -1;
      others.add(value);
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
  return { io, connIds, conn: conn.slice(0, taken), values, others: others.finish() };
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
