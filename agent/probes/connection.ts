import type { ActionInfo, CloseCause, SettleResult, Transport } from '../../shared/protocol.js';

export interface ConnectionAction {
  info: ActionInfo;
  run: () => unknown;
}

/** What the agent knows about one tracked connection. */
export interface ConnectionRecord {
  readonly id: string;
  readonly target: object;
  readonly server: string | null;
  readonly transport: Transport;
  /** A net.Socket (or any stream with `destroy`/`end` semantics): builtin actions and causes apply. */
  readonly isSocket: boolean;
  readonly actions: Map<string, ConnectionAction>;
  peerEnded: boolean;
  /** We started ending our side (`end()` called or `'finish'` seen). */
  localEnded: boolean;
  /** Which side ended first; decides between `peer-end` and `local-end`. */
  firstEnd: 'peer' | 'local' | null;
  /** Code of the last error seen before close. */
  errorCode: string | null;
  closed: boolean;
  bytesIn: number;
  bytesOut: number;
  /** Messages counted by a target's hooks; undefined for a socket (a byte stream, sampled from its counters). */
  msgsIn?: number;
  msgsOut?: number;
  lastActivity: number;
  /** Time of the last read (the peer's own activity). */
  lastIn: number;
  /** Where byte totals come from when the target counts them itself (a net.Socket); else counted per chunk. */
  byteSource?: { readonly bytesRead: number; readonly bytesWritten: number };
  /** How a net.Socket is observed (undefined for other targets). */
  lifecycle?: { closedNow(): void; stop(): void };
  /** Counted I/O happened since the last `conn.io`. */
  ioDirty: boolean;
  /** Something was read since the last `conn.io`. */
  readSince: boolean;
  /** Set while an action runs on this connection. */
  busy: boolean;
  /** Called (once) after the connection closed and its close handlers ran. */
  closeWaiters: Array<() => void>;
}

export function newRecord(fields: {
  id: string;
  target: object;
  server: string | null;
  transport: Transport;
  isSocket: boolean;
  actions: Map<string, ConnectionAction>;
}): ConnectionRecord {
  return {
    ...fields,
    peerEnded: false,
    localEnded: false,
    firstEnd: null,
    errorCode: null,
    closed: false,
    bytesIn: 0,
    bytesOut: 0,
    lastActivity: 0,
    lastIn: 0,
    ioDirty: false,
    readSince: false,
    busy: false,
    closeWaiters: [],
  };
}

export function closeCause(record: ConnectionRecord): CloseCause {
  if (record.errorCode !== null) return 'error';
  if (record.firstEnd === 'peer') return 'peer-end';
  if (record.firstEnd === 'local') return 'local-end';
  // A socket that closed with no FIN either way was destroyed; for other
  // targets the agent cannot tell how they went away.
  return record.isSocket ? 'destroy' : 'unknown';
}

interface StreamLike {
  destroyed?: unknown;
  writableEnded?: unknown;
}

function localEnded(record: ConnectionRecord): boolean {
  return record.localEnded || (record.target as StreamLike).writableEnded === true;
}

/** Why a write now goes nowhere, or null when the connection can still carry it. */
export function deadWriteState(record: ConnectionRecord): 'closed' | 'peer-ended' | 'local-ended' | null {
  if (record.closed || (record.target as StreamLike).destroyed === true) return 'closed';
  if (record.peerEnded) return 'peer-ended';
  if (localEnded(record)) return 'local-ended';
  return null;
}

/** Where a connection that did not close is stuck. */
export function liveState(record: ConnectionRecord): NonNullable<SettleResult['state']> {
  if (record.closed) return 'closed';
  const local = localEnded(record);
  if ((record.target as StreamLike).destroyed === true || (record.peerEnded && local)) return 'closing';
  if (record.peerEnded || local) return 'half-open';
  return 'open';
}
