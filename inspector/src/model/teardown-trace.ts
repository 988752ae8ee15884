import type { ConnectionModel, ConnectionState } from '../../../shared/analysis/types.js';
import type { AgentEvent, SettleResult } from '../../../shared/protocol.js';
import { describeEvent } from './event-text.js';

/** One step of a teardown: what happened, how long after the action started. */
export interface TraceStep {
  seq: number;
  /** ms since `action.start`. */
  dt: number;
  type: AgentEvent['type'];
  text: string;
}

export interface TeardownTrace {
  action: string;
  run: number;
  conn: string | null;
  name: string;
  startSeq: number;
  steps: TraceStep[];
  listenersRemoved: number;
  handlesDropped: number;
  /** Undefined while the action is still running. */
  result?: SettleResult;
  /** Errors and dead writes on the connection during the teardown (`ERR_STREAM_WRITE_AFTER_END`, `2 writes after close`). */
  problems: string[];
  /** `troubled`: it closed, but not cleanly (see `problems`). */
  tone: 'running' | 'clean' | 'troubled' | 'stuck' | 'failed';
  /** One line: `clean`, `closed, with errors: …`, `stuck: closing, 3 listeners and 1 handle remain`, `failed: …`. */
  verdictText: string;
}

/**
 * Builds the trace of one action from the events that followed its start:
 * the connection's own events, removals/drops of what it owned, and the
 * settle. `ownerOf` answers who owned a listener or handle (the model knows;
 * a removal event does not say).
 */
export function buildTrace(
  run: number,
  events: Iterable<AgentEvent>,
  actionId: string,
  ownerOf: (kind: 'listener' | 'handle', id: string) => string | null | undefined,
  /** The connection's state in the model when the action settled: a stuck verdict names it as the rows and timeline do. */
  stateAtSettle?: ConnectionState,
): TeardownTrace | null {
  let start: Extract<AgentEvent, { type: 'action.start' }> | undefined;
  const steps: TraceStep[] = [];
  let listenersRemoved = 0;
  let handlesDropped = 0;
  let result: SettleResult | undefined;
  const errors = new Set<string>();
  let deadWrites = 0;
  for (const e of events) {
    if (!start) {
      if (e.type === 'action.start' && e.action === actionId) start = e;
      continue;
    }
    if (!relevant(e, start.conn, actionId, ownerOf)) continue;
    if (e.type === 'listener.remove') listenersRemoved++;
    if (e.type === 'handle.drop' && e.ok) handlesDropped++;
    if (e.type === 'conn.error') errors.add(e.code || e.message);
    if (e.type === 'conn.write-after-close') deadWrites++;
    steps.push({ seq: e.seq, dt: e.t - start.t, type: e.type, text: describeEvent(e) });
    if (e.type === 'action.settle' && e.action === actionId) {
      result = e.result;
      break;
    }
  }
  if (!start) return null;
  const problems = [...errors, ...(deadWrites ? [`${plural(deadWrites, 'write')} after close`] : [])];
  const tone = !result ? 'running' : result.verdict === 'clean' ? (problems.length ? 'troubled' : 'clean') : result.verdict;
  return {
    action: actionId,
    run,
    conn: start.conn,
    name: start.name,
    startSeq: start.seq,
    steps,
    // The agent's own counts are authoritative once settled (it saw everything).
    listenersRemoved: result?.listenersRemoved ?? listenersRemoved,
    handlesDropped: result?.handlesDropped ?? handlesDropped,
    ...(result ? { result } : {}),
    problems,
    tone,
    verdictText: verdictText(result, problems, stateAtSettle),
  };
}

function relevant(
  e: AgentEvent,
  conn: string | null,
  actionId: string,
  ownerOf: (kind: 'listener' | 'handle', id: string) => string | null | undefined,
): boolean {
  if (e.type === 'action.settle') return e.action === actionId;
  if (conn === null) return e.type !== 'conn.io' && e.type !== 'action.start';
  switch (e.type) {
    case 'conn.peer-end':
    case 'conn.local-end':
    case 'conn.close':
    case 'conn.error':
    case 'conn.write-after-close':
      return e.conn === conn;
    case 'listener.remove':
      return ownerOf('listener', e.listener) === conn;
    case 'handle.drop':
      return e.owner === conn || ownerOf('handle', `${e.table}:${e.handle}`) === conn;
    default:
      return false;
  }
}

export function verdictText(result: SettleResult | undefined, problems: readonly string[] = [], stateAtSettle?: ConnectionState): string {
  if (!result) return 'running…';
  if (result.verdict === 'clean') return problems.length ? `closed, with errors: ${problems.join(', ')}` : 'clean';
  if (result.verdict === 'failed') return `failed: ${result.error?.code ? `${result.error.code} ` : ''}${result.error?.message ?? 'unknown error'}`;
  const remaining = result.remaining;
  const parts = [stateAtSettle ?? result.state ?? 'not closed'];
  if (remaining) parts.push(`${plural(remaining.listeners, 'listener')} and ${plural(remaining.handles, 'handle')} remain`);
  return `stuck: ${parts.join(', ')}`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/**
 * A connection's state as the model tracks it, at event `seq`: the state
 * its row and lane showed then (`closing` once our FIN is sent, whether or
 * not the peer's EOF came first).
 */
export function connectionStateAt(c: ConnectionModel, seq: number): ConnectionState {
  if (c.closedSeq !== undefined && c.closedSeq <= seq) return 'closed';
  if (c.localEndedSeq !== undefined && c.localEndedSeq <= seq) return 'closing';
  if (c.peerEndedSeq !== undefined && c.peerEndedSeq <= seq) return 'half-open';
  return 'open';
}
