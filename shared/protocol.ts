/**
 * The Bridgescope wire protocol: the one contract between an agent (in the
 * backend) and an inspector (browser UI, testing client, hub, CLI).
 *
 * Type-only apart from the constants below, so both sides can
 * `import type` it. Documented for implementers in other languages in
 * docs/protocol.md; keep the two in step.
 *
 * Directions:
 *  - agent → inspector: {@link AgentMessage} (`hello`, `snapshot`, `batch`,
 *    `gap`, `response`, `error`). Lifecycle facts travel as
 *    {@link AgentEvent}s inside `snapshot` and `batch`.
 *  - inspector → agent: {@link InspectorRequest}, each with an `id` that the
 *    agent answers with a `response` carrying either `result` or `error`.
 */

/** Bumped on any incompatible change. Inspectors refuse other versions. */
export const PROTOCOL_VERSION = 1;

/** Format tag of the first line of a recording file (NDJSON). */
export const RECORDING_FORMAT = 'bridgescope-recording';
export const RECORDING_VERSION = 1;

// ---------------------------------------------------------------------------
// Identity
// ---------------------------------------------------------------------------

export interface AgentInfo {
  /** The app-chosen name (`createAgent({ name })`), stable across restarts. */
  name: string;
  pid: number;
  /** e.g. `node v20.20.2`. */
  runtime: string;
  /** Wall-clock epoch milliseconds when the agent started; `t` counts from here. */
  startedAt: number;
  /** Random id, new on every process start: a changed instance is a restart. */
  instance: string;
  /** Optional client/app identity used to join restarts of the same target. */
  client?: string;
}

/** An action the inspector may run: per connection or agent-wide. */
export interface ActionInfo {
  name: string;
  /** Human label for a button; defaults to the name. */
  label?: string;
  /** `builtin` for `disconnect` / `close` on sockets, `app` for registered ones. */
  source: 'builtin' | 'app';
}

// ---------------------------------------------------------------------------
// Events (agent → inspector). Every event has `seq` and `t`.
// ---------------------------------------------------------------------------

interface EventBase {
  /** Strictly increasing per agent process, starting at 1. */
  seq: number;
  /** Milliseconds since the agent started, on a monotonic clock. */
  t: number;
}

/** Creation stack, app frames only, innermost first (`at fn (file:line:col)`). */
export type Stack = string[];

/** The connection whose work was running when something was created, or null. */
export type Owner = string | null;

export type Transport = 'tcp' | 'unix' | 'pipe' | 'custom';

export type CloseCause =
  | 'peer-end' // the peer sent FIN and we closed after it
  | 'local-end' // we sent FIN (end()) and the socket then closed
  | 'destroy' // destroyed without a FIN exchange
  | 'error' // closed because of an error (see `error`)
  | 'restart' // the agent process went away (set by inspectors, not agents)
  | 'unknown';

export interface ServerListenEvent extends EventBase {
  type: 'server.listen';
  server: string;
  transport: Transport;
  /** `127.0.0.1:4000`, `/tmp/bridge.sock`. */
  address: string;
}

export interface ServerCloseEvent extends EventBase {
  type: 'server.close';
  server: string;
}

export interface ConnOpenEvent extends EventBase {
  type: 'conn.open';
  conn: string;
  /** Server id from `server.listen`, or null for connections the app registered. */
  server: string | null;
  transport: Transport;
  label?: string;
  /** App-provided client identity; sessions group by it. */
  client?: string;
  /** Remote address where known. */
  peer?: string;
  /** Actions this connection offers (`disconnect`, `close`, app ones). */
  actions: ActionInfo[];
  stack?: Stack;
  /**
   * For an app-level session (a socket.io session, an HTTP/2 stream or gRPC
   * call, a session the app tracks itself): the connection that carries it,
   * its transport. Such a session is never "abandoned" by itself (its
   * carrier's liveness decides), and a carrier is not while it carries one.
   */
  via?: string;
  /**
   * What it speaks, when the agent recognised it: `http` (an HTTP/1
   * connection: between requests the server's keep-alive timeout reaps it,
   * so it is never counted as abandoned), `socket.io`, `http2`, `grpc`, …
   * (docs/protocol.md).
   */
  protocol?: string;
}

/** The connection now speaks another protocol: an HTTP/1 connection upgraded (to a WebSocket). */
export interface ConnProtocolEvent extends EventBase {
  type: 'conn.protocol';
  conn: string;
  protocol: string;
}

/** A session now (also) uses another connection as its transport (a socket.io polling request, its upgrade). */
export interface ConnViaEvent extends EventBase {
  type: 'conn.via';
  conn: string;
  via: string;
}

/** EOF received: the peer will send nothing more. */
export interface ConnPeerEndEvent extends EventBase {
  type: 'conn.peer-end';
  conn: string;
}

/** Our FIN was sent (`end()` finished). */
export interface ConnLocalEndEvent extends EventBase {
  type: 'conn.local-end';
  conn: string;
}

export interface ConnCloseEvent extends EventBase {
  type: 'conn.close';
  conn: string;
  cause: CloseCause;
  /** Error code (`ECONNRESET`, `EPIPE`) when cause is `error`. */
  error?: string;
}

export interface ConnErrorEvent extends EventBase {
  type: 'conn.error';
  conn: string;
  code: string;
  message: string;
}

/** Coalesced I/O counters (absolute totals), published at a modest rate. */
export interface ConnIoEvent extends EventBase {
  type: 'conn.io';
  conn: string;
  bytesIn: number;
  bytesOut: number;
  /** Messages in and out, for targets that carry messages; absent for a byte stream (a socket's bytes are sampled from its counters). */
  msgsIn?: number;
  msgsOut?: number;
  /** `t` of the last read or write. */
  lastActivity: number;
  /** `t` of the last read: a peer that sends nothing is idle even while we keep writing to it. */
  lastIn?: number;
}

/** The backend wrote or posted to a connection that was closed or whose peer ended. */
export interface ConnWriteAfterCloseEvent extends EventBase {
  type: 'conn.write-after-close';
  conn: string;
  /** What the connection was when written to. */
  state: 'closed' | 'peer-ended' | 'local-ended';
  bytes?: number;
  stack?: Stack;
}

/**
 * The agent could not tell which connection some work belonged to: a
 * listener or handle was created with no owner although connection work had
 * run (e.g. with `attribution: 'sync'`, code that continued after an await).
 * Sent at most once per connection; leaks of such work cannot be flagged.
 */
export interface AttributionLostEvent extends EventBase {
  type: 'attribution.lost';
  /** The connection whose work ran last before it (probably the one it belonged to), or null. */
  conn: string | null;
  /** The listener id, or `${table}:${handle}`, created with no owner. */
  subject: string;
  reason: string;
}

export type EmitterKind = 'EventEmitter' | 'EventTarget';

export interface EmitterWatchEvent extends EventBase {
  type: 'emitter.watch';
  emitter: string;
  name: string;
  kind: EmitterKind;
}

export interface EmitterUnwatchEvent extends EventBase {
  type: 'emitter.unwatch';
  emitter: string;
}

/** The agent can no longer vouch for this emitter's listener list. */
export interface EmitterLostTrackEvent extends EventBase {
  type: 'emitter.lost-track';
  emitter: string;
  reason: string;
}

export interface ListenerAddEvent extends EventBase {
  type: 'listener.add';
  listener: string;
  emitter: string;
  event: string;
  owner: Owner;
  once: boolean;
  /** Attached before watching started: owner and stack unknown. */
  preexisting?: boolean;
  stack?: Stack;
}

export type ListenerRemoval =
  | 'remove' // off / removeListener / removeEventListener
  | 'remove-all' // removeAllListeners(event) or removeAllListeners()
  | 'once-fired' // a once listener ran
  | 'abort' // an AbortSignal passed to addEventListener fired
  | 'unwatch'; // watching stopped (the listener may still be attached)

export interface ListenerRemoveEvent extends EventBase {
  type: 'listener.remove';
  listener: string;
  emitter: string;
  event: string;
  how: ListenerRemoval;
}

export type HandleId = number | string;

export interface HandleTableEvent extends EventBase {
  type: 'handle.table';
  table: string;
  /** True for `mirrorHandles` (the real table lives elsewhere). */
  mirror: boolean;
}

export interface HandleStoreEvent extends EventBase {
  type: 'handle.store';
  table: string;
  handle: HandleId;
  handleType: string;
  parent?: HandleId;
  owner: Owner;
  stack?: Stack;
}

export interface HandleAccessEvent extends EventBase {
  type: 'handle.retrieve' | 'handle.take';
  table: string;
  handle: HandleId;
  /** False when the id is not live (never stored, or already dropped/taken). */
  ok: boolean;
  owner: Owner;
  stack?: Stack;
}

export interface HandleDropEvent extends EventBase {
  type: 'handle.drop';
  table: string;
  handle: HandleId;
  /** False when the id was not live: a double drop. */
  ok: boolean;
  /** Set when dropped because its parent was dropped. */
  cascadeFrom?: HandleId;
  owner: Owner;
  stack?: Stack;
}

export type Verdict = 'clean' | 'stuck' | 'failed';

export interface ActionStartEvent extends EventBase {
  type: 'action.start';
  action: string;
  /** Null for agent-wide actions. */
  conn: string | null;
  name: string;
  source: 'inspector' | 'code';
  /** Milliseconds the agent waits for the connection to close. */
  timeout: number;
}

export interface ActionSettleEvent extends EventBase {
  type: 'action.settle';
  action: string;
  conn: string | null;
  name: string;
  result: SettleResult;
}

/** What `agent.act()` resolves with and `action.settle` carries. */
export interface SettleResult {
  verdict: Verdict;
  /** Milliseconds from start to settle. */
  duration: number;
  /** Listeners this connection owned that were removed during the action. */
  listenersRemoved: number;
  /** Handles this connection owned that were dropped during the action. */
  handlesDropped: number;
  /** For `stuck`: the connection's state when the timeout hit. */
  state?: 'open' | 'half-open' | 'closing' | 'closed';
  /** For `stuck`: what the connection still owns. */
  remaining?: { listeners: number; handles: number };
  /** For `failed`: the error the action threw. */
  error?: { code?: string; message: string };
  /** For agent-wide actions: whatever the action returned (JSON). */
  value?: unknown;
}

export interface MarkEvent extends EventBase {
  type: 'mark';
  label: string;
}

export type Severity = 'error' | 'warning' | 'info';

/** Every finding rule id, in the design's order: the one list every consumer reads. */
export const RULE_IDS = [
  'orphan-listener',
  'listener-growth',
  'connection-growth',
  'emit-after-close',
  'half-open',
  'stale-handle',
  'double-drop',
  'orphan-handle',
  'stuck-teardown',
  'unattributed',
] as const;

export type RuleId = (typeof RULE_IDS)[number];

export function isRuleId(value: unknown): value is RuleId {
  return (RULE_IDS as readonly unknown[]).includes(value);
}

export interface Finding {
  /** Deterministic: `${rule}:${subject}`, the same in every run of the same stream. */
  id: string;
  rule: RuleId;
  severity: Severity;
  title: string;
  /** Plain-language explanation: what, owner, where created, since when, what would clean it up. */
  message: string;
  /** Ids of the connections, listeners, handles or actions involved. */
  subjects: string[];
  /** Seqs of the events that prove it. */
  evidence: number[];
  openedSeq: number;
  /** Agent time at which it opened (a grace period may put this after openedSeq's t). */
  openedT: number;
  resolvedSeq?: number;
  resolvedT?: number;
  /** The full creation stack of what it is about (the message names its first frame outside node_modules). */
  stack?: Stack;
}

export type AgentEvent =
  | ServerListenEvent
  | ServerCloseEvent
  | ConnOpenEvent
  | ConnPeerEndEvent
  | ConnLocalEndEvent
  | ConnCloseEvent
  | ConnErrorEvent
  | ConnIoEvent
  | ConnWriteAfterCloseEvent
  | ConnViaEvent
  | ConnProtocolEvent
  | AttributionLostEvent
  | EmitterWatchEvent
  | EmitterUnwatchEvent
  | EmitterLostTrackEvent
  | ListenerAddEvent
  | ListenerRemoveEvent
  | HandleTableEvent
  | HandleStoreEvent
  | HandleAccessEvent
  | HandleDropEvent
  | ActionStartEvent
  | ActionSettleEvent
  | MarkEvent;

export type AgentEventType = AgentEvent['type'];

/** A Record, so that a new event type fails to compile here until it is listed. */
const EVENT_TYPE_SET: Record<AgentEventType, true> = {
  'server.listen': true,
  'server.close': true,
  'conn.open': true,
  'conn.peer-end': true,
  'conn.local-end': true,
  'conn.close': true,
  'conn.error': true,
  'conn.io': true,
  'conn.write-after-close': true,
  'conn.via': true,
  'conn.protocol': true,
  'attribution.lost': true,
  'emitter.watch': true,
  'emitter.unwatch': true,
  'emitter.lost-track': true,
  'listener.add': true,
  'listener.remove': true,
  'handle.table': true,
  'handle.store': true,
  'handle.retrieve': true,
  'handle.take': true,
  'handle.drop': true,
  'action.start': true,
  'action.settle': true,
  mark: true,
};

/** Every event type. */
export const EVENT_TYPES = Object.keys(EVENT_TYPE_SET) as AgentEventType[];

export function isEventType(value: unknown): value is AgentEventType {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(EVENT_TYPE_SET, value);
}

/** An event before the log stamps it with `seq` and `t`. */
export type EventInput = AgentEvent extends infer E
  ? E extends AgentEvent
    ? Omit<E, 'seq' | 't'>
    : never
  : never;

// ---------------------------------------------------------------------------
// Messages agent → inspector
// ---------------------------------------------------------------------------

export interface HelloMessage {
  type: 'hello';
  protocol: number;
  agent: AgentInfo;
  /** Agent time now. */
  now: number;
  /** Seq of the newest event so far (0 when none). */
  lastSeq: number;
  readonly: boolean;
  /** Agent-wide app actions (e.g. scenario switches). */
  actions: ActionInfo[];
  /** Ring buffer capacity in events. */
  bufferSize: number;
}

/**
 * State older than the ring buffer: the creation events of everything still
 * alive (open connections, attached listeners, live handles, open findings…),
 * in seq order. Sent once on a fresh subscribe, before the first batch.
 */
export interface SnapshotMessage {
  type: 'snapshot';
  events: AgentEvent[];
  now: number;
}

/** Events in seq order. `now` lets inspectors advance grace periods between events. */
export interface BatchMessage {
  type: 'batch';
  events: AgentEvent[];
  now: number;
}

/**
 * Events `from`..`to` (inclusive) will never arrive: evicted from the ring
 * buffer before this inspector could receive them, dropped because it was
 * too slow, or (one event) impossible to encode. `count` is how many.
 */
export interface GapMessage {
  type: 'gap';
  from: number;
  to: number;
  count: number;
  reason: 'evicted' | 'slow-consumer' | 'unserialisable';
}

export interface ResponseMessage {
  type: 'response';
  id: RequestId;
  result?: unknown;
  error?: ProtocolError;
}

/** A problem not tied to a request id (unparseable frame, auth timeout). */
export interface ErrorMessage {
  type: 'error';
  error: ProtocolError;
}

export type AgentMessage =
  | HelloMessage
  | SnapshotMessage
  | BatchMessage
  | GapMessage
  | ResponseMessage
  | ErrorMessage;

// ---------------------------------------------------------------------------
// Requests inspector → agent
// ---------------------------------------------------------------------------

export type RequestId = number | string;

/** Authenticate when the token was not on the URL. Must be the first message. */
export interface AuthRequest {
  type: 'auth';
  id: RequestId;
  token: string;
}

/**
 * (Re)start the stream. Without `since`: snapshot, then the ring buffer, then
 * live. With `since`: every event after it, or a gap for what is gone.
 * The agent subscribes every authenticated inspector with no `since` on
 * connect unless the URL says `?subscribe=0` or `?since=N`.
 */
export interface SubscribeRequest {
  type: 'subscribe';
  id: RequestId;
  since?: number;
}

/** Run an action: on a connection (`conn`) or agent-wide (no `conn`). */
export interface ActRequest {
  type: 'act';
  id: RequestId;
  conn?: string;
  name: string;
  /** Overrides the agent's action timeout, in milliseconds. */
  timeout?: number;
}

/** Put a labelled mark into the stream (cycle boundaries in tests). */
export interface MarkRequest {
  type: 'mark';
  id: RequestId;
  label: string;
}

export type InspectorRequest = AuthRequest | SubscribeRequest | ActRequest | MarkRequest;

// ---------------------------------------------------------------------------
// Dial mode: the pairing handshake (docs/protocol.md, "Dial mode")
// ---------------------------------------------------------------------------

/**
 * The hub's first message on a link an agent dialled with `?challenge=C`:
 * it proves it holds the pairing token before the agent sends anything.
 * The agent answers with a `response` whose `result` is a {@link PairResult},
 * then its `hello`.
 */
export interface PairRequest {
  type: 'pair';
  id: RequestId;
  /** The hub's fresh nonce, which the agent's answer is bound to. */
  nonce: string;
  /** base64url HMAC-SHA256, keyed with the pairing token, of `bridgescope hub <C>`. */
  proof: string;
}

export interface PairResult {
  /** base64url HMAC-SHA256, keyed with the pairing token, of `bridgescope agent <nonce>`. */
  proof: string;
  /** The agent process's Ed25519 public key (raw 32 bytes, base64url): the same across its reconnects. */
  key: string;
  /** base64url Ed25519 signature with that key of `bridgescope instance <nonce>`. */
  signature: string;
}
export type InspectorRequestType = InspectorRequest['type'];

export interface ProtocolError {
  code: ErrorCode;
  message: string;
}

/** Stable error codes; listed with their meaning in docs/protocol.md. */
export type ErrorCode =
  | 'BAD_JSON' // the frame is not valid JSON
  | 'BAD_MESSAGE' // valid JSON of the wrong shape
  | 'UNKNOWN_TYPE' // `type` is not a request this agent knows
  | 'FRAME_TOO_LARGE' // over the agent's maxMessageSize
  | 'BINARY_FRAME' // requests are text frames
  | 'UNAUTHORIZED' // missing or wrong token
  | 'READONLY' // the agent was created with readonly: true
  | 'UNKNOWN_CONNECTION' // no open connection has that id
  | 'UNKNOWN_ACTION' // the connection or agent offers no such action
  | 'ACTION_BUSY' // an action is already running on that connection
  | 'RATE_LIMITED' // too many actions in flight
  | 'VERSION_MISMATCH' // protocol versions differ
  | 'AGENT_CLOSED'; // the agent is shutting down

// ---------------------------------------------------------------------------
// Recordings (NDJSON): a header line, then one record per line.
// ---------------------------------------------------------------------------

export interface RecordingHeader {
  format: typeof RECORDING_FORMAT;
  version: number;
  /** Epoch ms when recording started. */
  createdAt: number;
}

/** One line after the header: a hello (a run starts), an event, a gap, or a clock tick. */
export type RecordingLine =
  | HelloMessage
  | GapMessage
  | { type: 'now'; now: number }
  | AgentEvent;
