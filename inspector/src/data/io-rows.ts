import type { ConnIoEvent } from '../../../shared/protocol.js';
import type { RowBatch } from '../../client/recording.js';

/**
 * The `conn.io` rows of a batch, parsed where the file is read and handed
 * over as numbers. They are most of any recording (every active
 * connection's counters, once per I/O interval), so parsing them next to
 * the reading, on the worker, halves what the page parses. Only rows of
 * exactly the protocol's shape qualify; any other row is left as text and
 * parsed by the page, so what the page builds equals what it would parse.
 */
export interface IoRows {
  /** For each row of the batch: its position here, or -1 for a row the page parses. */
  at: Int32Array;
  /** The batch's distinct connection ids; `conn` holds an index into them per io row. */
  connIds: string[];
  conn: Uint32Array;
  /** {@link FIELDS}.length numbers per io row; an optional field the row leaves out is NaN (no JSON number is NaN). */
  values: Float64Array;
}

const REQUIRED = ['seq', 't', 'bytesIn', 'bytesOut', 'lastActivity'] as const;
const OPTIONAL = ['msgsIn', 'msgsOut', 'lastIn'] as const;
const FIELDS = [...REQUIRED, ...OPTIONAL];
const WIDTH = FIELDS.length;
const PREFIX = '{"type":"conn.io",';

/** Picks and parses the io rows of a batch (on the thread that reads the file). Undefined when there are none. */
export function takeIoRows(batch: RowBatch): IoRows | undefined {
  const { text, spans } = batch;
  const count = batch.lines.length;
  const at = new Int32Array(count).fill(-1);
  const connIds: string[] = [];
  const connIndex = new Map<string, number>();
  const conn: number[] = [];
  const values: number[] = [];
  for (let i = 0; i < count; i++) {
    const start = spans[2 * i]!;
    if (!text.startsWith(PREFIX, start)) continue;
    let row: unknown;
    try {
      row = JSON.parse(text.slice(start, spans[2 * i + 1]));
    } catch {
      continue;
    }
    if (!isIoRow(row)) continue;
    let id = connIndex.get(row.conn);
    if (id === undefined) {
      id = connIds.push(row.conn) - 1;
      connIndex.set(row.conn, id);
    }
    at[i] = conn.push(id) - 1;
    values.push(row.seq, row.t, row.bytesIn, row.bytesOut, row.lastActivity, row.msgsIn ?? Number.NaN, row.msgsOut ?? Number.NaN, row.lastIn ?? Number.NaN);
  }
  if (conn.length === 0) return undefined;
  return { at, connIds, conn: Uint32Array.from(conn), values: Float64Array.from(values) };
}

/** The event of io row `k`: equal to parsing its text. */
export function ioEvent(io: IoRows, k: number): ConnIoEvent {
  const v = io.values;
  const base = k * WIDTH;
  const event: ConnIoEvent = {
    type: 'conn.io',
    conn: io.connIds[io.conn[k]!]!,
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
