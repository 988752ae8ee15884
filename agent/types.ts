/**
 * The public surface of `bridgescope/agent`, and the seams between its parts
 * (event log, transport, probes). Types only.
 */
import type {
  ActionInfo,
  AgentEvent,
  AgentInfo,
  EventInput,
  HandleId,
  SettleResult,
} from '../shared/protocol.js';
import type { Logger } from '../shared/logger.js';

export type { Logger };

export interface AgentOptions {
  /** Shown in the inspector and used to join restarts. Default: `process.title` + pid-less script name. */
  name?: string;
  /** App/client identity joined across restarts by a hub. */
  client?: string;
  /** Interface to listen on. Default `127.0.0.1`. */
  host?: string;
  /** Port to listen on. Default 9230; `0` picks a free port. */
  port?: number;
  /** Listen for inspectors. Default true. */
  listen?: boolean;
  /** Dial out to a hub (`bridgescope serve`), e.g. `ws://10.0.2.2:9231/agent?token=…`. */
  dial?: string;
  /** Secret required from inspectors. Default: `BRIDGESCOPE_TOKEN` or a random one per process. */
  token?: string;
  /** Stream only: refuse every action. Default false. */
  readonly?: boolean;
  /** Extra browser origins allowed to connect (loopback origins always are). */
  allowedOrigins?: string[];
  /** Extra Host header values accepted (loopback literals and `localhost` always are). */
  allowedHosts?: string[];
  /** Ring buffer capacity in events. Default 10,000. */
  bufferSize?: number;
  /** Where transport problems go. Default: warnings to `console` at most once per kind. */
  logger?: Logger | false;
  /** Observe every net.Server in the process. Default true. */
  autoInstrument?: boolean;
  /** Creation stacks: true (default, 10 app frames), false, or a frame count. */
  captureStacks?: boolean | number;
  /**
   * How far a connection's ownership follows its work. `'async'` (default):
   * through awaits, timers and callbacks (AsyncLocalStorage; every async
   * resource in the process then costs a little more). `'sync'`: only what
   * runs synchronously inside the connection's event dispatch or `runAs`,
   * at no cost to the rest of the process.
   */
  attribution?: Attribution;
  /** Milliseconds an action waits for its connection to close before `stuck`. Default 2000. */
  actionTimeout?: number;
  /** Per-inspector send budget in bytes (`bufferedAmount`): beyond it nothing more is sent until it drains (a `gap` if the ring overtakes it). Default 4 MiB. */
  sendBudget?: number;
  /** Largest inbound message in bytes answered with FRAME_TOO_LARGE. Default 64 KiB. */
  maxMessageSize?: number;
  /** Heartbeat interval in milliseconds; an inspector that has not answered one ping by the next is dropped. Default 15000. */
  heartbeatInterval?: number;
  /** Most connections the agent's server holds at once (inspectors, `/status` requests, unauthenticated sockets). Default 64. */
  maxConnections?: number;
  /** Most connections that have not shown the token yet; past it the oldest is dropped. Default 16. */
  maxUnauthenticated?: number;
  /** Bytes an inspector that connected without a token may send before its `auth` message is accepted. Default 4096. */
  maxAuthMessageSize?: number;
  /** Events per batch frame. Default 500. */
  batchSize?: number;
  /** Milliseconds between batch flushes. Default 50. */
  flushInterval?: number;
  /** Milliseconds between coalesced `conn.io` updates per connection. Default 1000. */
  ioInterval?: number;
}

export type Attribution = 'async' | 'sync';

/** A reference to a tracked connection: its id, or the object tracked. */
export type ConnectionRef = string | object;

/** Teardown or app actions: name → function. Resolving means "started", not "closed". */
export type ActionMap = Record<string, () => unknown>;

export interface TrackOptions {
  label?: string;
  client?: string;
  /** Transport shown in the inspector. Default `custom` (or detected for sockets). */
  transport?: import('../shared/protocol.js').Transport;
  /** Replace or add to the default `disconnect` / `close`. */
  actions?: ActionMap;
  /** Remote address to show. */
  peer?: string;
}

export interface WatchOptions {
  /** Name shown in the inspector (e.g. `manager`). */
  name: string;
}

export interface StoreOptions {
  /** Handle type shown and counted (e.g. `room`, `track`). Default `handle`. */
  type?: string;
  /** Parent handle id: dropping the parent drops its children. */
  parent?: HandleId;
}

export interface HandleTable<T = unknown> {
  readonly name: string;
  /** Number of live handles. */
  readonly size: number;
  store(value: T, options?: StoreOptions): HandleId;
  /** The value, or throws {@link HandleError} `HANDLE_NOT_FOUND` / `HANDLE_DROPPED`. */
  retrieve(id: HandleId): T;
  /** Retrieve and remove in one step (ownership moves to the caller). */
  take(id: HandleId): T;
  /** True when the id was live; false (and a `double-drop` record) otherwise. */
  drop(id: HandleId): boolean;
  has(id: HandleId): boolean;
}

/** A foreign table's handle id: a BigInt (a 64-bit FFI handle) is carried as its decimal string. */
export type ForeignHandleId = HandleId | bigint;

/** What a foreign table says about a stored handle. */
export interface ForeignStoreOptions extends Omit<StoreOptions, 'parent'> {
  parent?: ForeignHandleId;
}

export interface HandleMirror {
  readonly name: string;
  stored(id: ForeignHandleId, info?: ForeignStoreOptions): void;
  retrieved(id: ForeignHandleId, ok?: boolean): void;
  taken(id: ForeignHandleId, ok?: boolean): void;
  dropped(id: ForeignHandleId, ok?: boolean): void;
}

export interface AgentEvents {
  error: [Error & { code?: string }];
  inspector: [{ id: string; remote: string; direction: 'in' | 'out' }];
  'inspector-left': [{ id: string; reason: string }];
}

export interface Agent {
  readonly info: AgentInfo;
  /** Resolves once listening (and never rejects: bind failures go to `'error'`). */
  readonly ready: Promise<void>;
  /** `ws://host:port/?token=…` once ready; empty when not listening. */
  readonly url: string;
  readonly port: number;
  readonly token: string;
  /** Number of attached inspectors. */
  readonly inspectors: number;

  trackConnection(target: object, options?: TrackOptions): string;
  connectionClosed(ref: ConnectionRef): void;
  watchEmitter(target: object, options: WatchOptions): () => void;
  handleTable<T = unknown>(name: string): HandleTable<T>;
  mirrorHandles(name: string): HandleMirror;
  /** Run fn with `ref` as the owner of whatever it creates (listeners, handles). */
  runAs<R>(ref: ConnectionRef, fn: () => R): R;
  /** Run a connection action (`disconnect`, `close`, app ones) or an agent-wide one. */
  act(connection: string | null, name: string, options?: { timeout?: number }): Promise<SettleResult>;
  /** Register an agent-wide action (e.g. switch demo scenario). Returns an unregister function. */
  defineAction(name: string, fn: () => unknown, options?: { label?: string }): () => void;
  mark(label: string): void;

  on<K extends keyof AgentEvents>(event: K, listener: (...args: AgentEvents[K]) => void): this;
  off<K extends keyof AgentEvents>(event: K, listener: (...args: AgentEvents[K]) => void): this;

  close(): Promise<void>;
}

// ---------------------------------------------------------------------------
// Internal seams
// ---------------------------------------------------------------------------

/** How an action runs: its timeout (the agent's default when absent) and who asked. */
export interface ActOptions {
  timeout?: number;
  source: import('../shared/protocol.js').ActionStartEvent['source'];
}

/** How probes publish: stamps seq and t, never throws. Returns the seq. */
export interface EventSink {
  publish(event: EventInput): number;
  /** Agent time now (ms since start, monotonic). */
  now(): number;
  /** The last time `now()` returned: free to read, never ahead of `now()` (see AgentClock). */
  recent(): number;
  /**
   * Sends what is recorded to attached inspectors now instead of at the next
   * flush: used right before the agent throws into the app (a misused
   * handle), which may kill the process, so the finding that explains the
   * crash is already on the inspector's screen.
   */
  flush(): void;
}

/** What the transport needs from the rest of the agent. */
export interface AgentCore {
  readonly info: AgentInfo;
  readonly readonly: boolean;
  readonly log: import('./event-log.js').EventLog;
  /** Agent-wide actions for hello. */
  globalActions(): ActionInfo[];
  act(connection: string | null, name: string, options: ActOptions): Promise<SettleResult>;
  mark(label: string): number;
}

export type { AgentEvent };

/** Options the probes take, resolved from {@link AgentOptions}. */
export interface ProbeOptions {
  autoInstrument: boolean;
  /** Frames to keep per creation stack; 0 disables stacks. */
  stackFrames: number;
  attribution: Attribution;
  actionTimeout: number;
  ioInterval: number;
  logger: Logger;
}

/**
 * The listeners still attached and the handles still stored, as the probes
 * hold them: what a late inspector's snapshot includes besides the event
 * log's own live state.
 */
export interface LiveHoldings {
  /** The published `listener.add` and `handle.store` events of what is still held. */
  events(): AgentEvent[];
  /** Whether `conn` still owns a listener or a handle. */
  owns(conn: string): boolean;
  /** How many listeners and handles are held. */
  readonly size: number;
}

/**
 * What the probes give the agent (agent/probes/index.ts: `createProbes(sink,
 * options)`): the agent's observing methods, which it delegates as they are.
 */
export interface Probes
  extends Pick<Agent, 'trackConnection' | 'connectionClosed' | 'watchEmitter' | 'handleTable' | 'mirrorHandles' | 'runAs'> {
  /**
   * Run a connection action. Rejects with AgentError UNKNOWN_CONNECTION,
   * UNKNOWN_ACTION or ACTION_BUSY; otherwise resolves with the verdict
   * (never rejects for an action that throws: that is `failed`).
   */
  act(conn: string, name: string, options: ActOptions): Promise<SettleResult>;
  /** Stop observing: unhook channels, restore patched methods, clear timers. */
  close(): void;
  /** What they hold alive, for the event log's snapshot. */
  readonly holdings: LiveHoldings;
}
