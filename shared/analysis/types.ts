/**
 * The analysis model: what is alive and who owns it, at any point of one
 * agent run. Pure data (JSON-serialisable), produced by `createAnalysis`.
 */
import type {
  ActionInfo,
  CloseCause,
  EmitterKind,
  Finding,
  HandleId,
  Owner,
  RuleId,
  SettleResult,
  Stack,
  Transport,
  Verdict,
} from '../protocol.js';

export type ConnectionState = 'open' | 'half-open' | 'closing' | 'closed';

export interface ConnectionModel {
  id: string;
  server: string | null;
  transport: Transport;
  label?: string;
  client?: string;
  peer?: string;
  state: ConnectionState;
  openedSeq: number;
  openedT: number;
  closedSeq?: number;
  closedT?: number;
  cause?: CloseCause;
  error?: string;
  peerEndedSeq?: number;
  peerEndedT?: number;
  localEndedSeq?: number;
  localEndedT?: number;
  actions: ActionInfo[];
  bytesIn: number;
  bytesOut: number;
  msgsIn: number;
  msgsOut: number;
  lastActivity: number;
  /** `t` of the peer's last message (reads only): what "idle" means for growth. */
  lastInbound: number;
  /** Writes after close / after the peer ended. */
  deadWrites: number;
  /** Index into `sessions`. */
  session: number;
  stack?: Stack;
  /** What it speaks, when the agent recognised it (`socket.io`, `http2`, `grpc`…). */
  protocol?: string;
  /** The connection that carried this app-level session when it opened. */
  via?: string;
  /** Open, but its client left it: silent for the abandon grace since a newer session of its group opened. */
  abandoned?: boolean;
}

export interface EmitterModel {
  id: string;
  name: string;
  kind: EmitterKind;
  watchedSeq: number;
  unwatchedSeq?: number;
  lostTrack?: string;
}

export interface ListenerModel {
  id: string;
  emitter: string;
  /** The emitter's watch name (e.g. `manager`). */
  emitterName: string;
  event: string;
  owner: Owner;
  once: boolean;
  preexisting: boolean;
  stack?: Stack;
  addedSeq: number;
  addedT: number;
  removedSeq?: number;
  removedT?: number;
  how?: string;
}

export type HandleState = 'live' | 'dropped';

export interface HandleModel {
  /** `${table}:${handle}`: unique across tables. */
  id: string;
  table: string;
  handle: HandleId;
  type: string;
  owner: Owner;
  /** Model id of the parent handle. */
  parent?: string;
  state: HandleState;
  storedSeq: number;
  storedT: number;
  droppedSeq?: number;
  droppedT?: number;
  /** Successful retrieves. */
  accesses: number;
  /** Seqs of retrieve/take/drop calls on this id after it was gone. */
  staleAccesses: number[];
  stack?: Stack;
}

export interface ActionModel {
  id: string;
  connection: string | null;
  name: string;
  source: 'inspector' | 'code';
  startedSeq: number;
  startedT: number;
  timeout: number;
  settledSeq?: number;
  settledT?: number;
  verdict?: Verdict;
  result?: SettleResult;
}

export interface MarkModel {
  seq: number;
  t: number;
  label: string;
}

/**
 * A client session: each new connection from a client (or, without a client
 * identity, to a server) starts one — a reload. Counts are measured at the
 * session's end (just before the next one opened), or now for the latest.
 */
export interface SessionModel {
  index: number;
  /** The client identity, or `server:<id>` when the app gave none. */
  group: string;
  conn: string;
  openedSeq: number;
  openedT: number;
  endedSeq?: number;
  counts: CountsSnapshot;
}

export interface CountsSnapshot {
  /** Open (not closed) connections. */
  connections: number;
  /** Live listeners per emitter name. */
  listeners: Record<string, number>;
  /** Live handles per `table/type`. */
  handles: Record<string, number>;
}

/** One point of the over-time series that charts draw. */
export interface CountsPoint extends CountsSnapshot {
  seq: number;
  t: number;
}

export interface GapModel {
  from: number;
  to: number;
  count: number;
  reason: string;
  /** Time of the first event after the gap. */
  t: number;
}

export interface Model {
  /** Seq of the newest event applied. */
  seq: number;
  /** Newest agent time known (events and `advance`). */
  now: number;
  connections: ConnectionModel[];
  emitters: EmitterModel[];
  listeners: ListenerModel[];
  handles: HandleModel[];
  actions: ActionModel[];
  sessions: SessionModel[];
  marks: MarkModel[];
  gaps: GapModel[];
  /** Open and resolved findings, in the order they opened. */
  findings: Finding[];
  /** Counts over time, downsampled to at most `seriesLimit` points. */
  series: CountsPoint[];
  /** Entities forgotten to keep memory bounded (oldest dead first). */
  pruned: { connections: number; listeners: number; handles: number; actions: number };
  /**
   * Where the agent could not tell who owned some work (`attribution.lost`):
   * leaks of that work cannot be flagged, so detection is degraded.
   */
  attribution: { lost: number; connections: string[] };
}

export interface FindingFilter {
  rule?: RuleId | RuleId[];
  includeResolved?: boolean;
}

/**
 * The analysis of one agent run (shared/analysis/index.ts:
 * `createAnalysis(options)`). Feed it events in seq order; it never throws
 * on a well-formed event and never reads a clock: time comes only from
 * events' `t` and from `advance(now)`.
 */
export interface Analysis {
  /** Mutated in place; `version` says when it changed. */
  readonly model: Model;
  /** Increments on every change, for views that re-render on change. */
  readonly version: number;
  /** Applies one event (first advancing time to its `t`). `finding.*` events are ignored: findings are recomputed. */
  apply(event: import('../protocol.js').AgentEvent): void;
  /** Records events that will never arrive. */
  applyGap(gap: { from: number; to: number; count: number; reason: string }): void;
  /** Moves time forward (grace periods expire); never backwards. */
  advance(now: number): void;
  /** Open findings, or all with `includeResolved`. */
  findings(filter?: FindingFilter): import('../protocol.js').Finding[];
  /** Counts now. */
  counts(): CountsSnapshot;
  /** Findings opened and resolved since the previous call (the agent publishes these). */
  takeChanges(): FindingChanges;
  /** Agent time at which the next grace period expires, if one is running: when `advance` can next change anything (it may turn out moot, e.g. the connection closed meanwhile). */
  nextDeadline(): number | undefined;
  /** Agent time by which every grace period running now has run out (undefined when none is running). */
  lastDeadline(): number | undefined;
  /** Increments whenever a finding opens, resolves or changes: the findings are stable while it stays put. */
  readonly findingsVersion: number;
}

/** Findings opened, resolved and updated (counts, message, subjects of a growth that goes on) since the last `takeChanges()`. */
export interface FindingChanges {
  opened: Finding[];
  resolved: Finding[];
  updated: Finding[];
}
