/**
 * AgentLink: one inspector's WebSocket link to one agent URL. Browser and
 * Node alike (the WebSocket constructor is a parameter). It connects,
 * checks the protocol version, reconnects with backoff, resumes the same
 * agent instance from its last seq without duplicates, notices a restarted
 * backend (a new instance) and starts fresh, and answers requests by id.
 */
import { PROTOCOL_VERSION } from '../../shared/protocol.js';
import type {
  AgentEvent,
  GapMessage,
  HelloMessage,
  InspectorRequest,
  ProtocolError,
  SettleResult,
} from '../../shared/protocol.js';
import { parseAgentUrl, redactToken, withSince, type AgentUrl } from './agent-url.js';
import { backoffDelay } from '../../shared/backoff.js';
import { Emitter } from '../../shared/emitter.js';
import { ClientError, type ClientErrorCode } from './errors.js';
import { checkAgentMessage } from '../../shared/validate-message.js';

/** What the link needs from a WebSocket: the browser API, which `ws` also implements. */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: 'open' | 'message' | 'error' | 'close', listener: (event: SocketEvent) => void): void;
}

/** The fields of open/message/error/close events the link reads (`ws` adds `message`/`error` to errors). */
export interface SocketEvent {
  readonly type: string;
  data?: unknown;
  message?: string;
  error?: unknown;
  code?: number;
  reason?: string;
}

export type WebSocketConstructor = new (url: string) => WebSocketLike;

/** Enough of `fetch` to read a status code. */
export type FetchLike = (url: string) => Promise<{ status: number }>;

export type LinkState =
  | { status: 'connecting'; attempt: number }
  | { status: 'live'; instance: string; resumedFrom?: number }
  | { status: 'reconnecting'; attempt: number; retryAt: number; reason: string; code?: string }
  | { status: 'version-mismatch'; agentProtocol: unknown; message: string }
  | { status: 'token-refused'; message: string }
  | { status: 'offline'; reason: string; code?: string }
  | { status: 'closed' };

export type LinkStatus = LinkState['status'];

/** What the link delivers, in order. */
export type LinkDelivery =
  /** `first` on the first hello; `resume` on the same instance again; `restart` when the instance changed. */
  | { type: 'hello'; hello: HelloMessage; kind: 'first' | 'resume' | 'restart' }
  | { type: 'snapshot'; events: AgentEvent[]; now: number }
  | { type: 'batch'; events: AgentEvent[]; now: number }
  | { type: 'gap'; gap: GapMessage };

export interface AgentLinkEvents {
  state: [LinkState];
  message: [LinkDelivery];
  /** An `error` message from the agent not tied to a request (e.g. BAD_JSON). */
  'agent-error': [ProtocolError];
}

export interface AgentLinkOptions {
  /** `ws://host:port/?token=T` (http(s) is accepted and turned into ws(s)). */
  url: string;
  WebSocket: WebSocketConstructor;
  /** Used after a failed connect to tell a refused token (401 on /status) from an agent that is down. */
  fetch?: FetchLike;
  /** Reconnect with backoff when the agent is down or goes away. Default true. */
  reconnect?: boolean;
  /** Default request timeout in ms. Default 30000. */
  requestTimeout?: number;
  /** Jitter source for backoff, for tests. Default Math.random. */
  random?: () => number;
}

/** A request without its id: the link numbers them. */
export type RequestInput = InspectorRequest extends infer R ? (R extends InspectorRequest ? Omit<R, 'id'> : never) : never;

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
  timer: ReturnType<typeof setTimeout>;
}

interface FailureInfo {
  reason: string;
  code?: string;
  httpStatus?: number;
}

const OPEN = 1;

export class AgentLink extends Emitter<AgentLinkEvents> {
  readonly url: AgentUrl;
  private readonly WS: WebSocketConstructor;
  private readonly fetchStatus: FetchLike | undefined;
  private readonly reconnect: boolean;
  private readonly requestTimeout: number;
  private readonly random: () => number;

  private currentState: LinkState = { status: 'connecting', attempt: 0 };
  private socket: WebSocketLike | undefined;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private attempt = 0;
  private stopped = false;
  private nextId = 0;
  private readonly pending = new Map<number, Pending>();

  private instance: string | undefined;
  private latestHello: HelloMessage | undefined;
  private seq = 0;
  /** The seq the current socket resumes from, or undefined for a fresh subscribe. */
  private resumedFrom: number | undefined;
  /** The current socket has delivered a valid hello: stream messages may follow. */
  private greeted = false;
  private forceFresh = false;

  /** Throws a ClientError `BAD_URL` for a malformed URL. Connects at once. */
  constructor(options: AgentLinkOptions) {
    // A listener that throws is reported as an uncaught error on a fresh task, not into the stream being delivered.
    super({
      onListenerError: (_event, error) =>
        setTimeout(() => {
          throw error;
        }),
    });
    this.url = parseAgentUrl(options.url);
    this.WS = options.WebSocket;
    this.fetchStatus = options.fetch;
    this.reconnect = options.reconnect ?? true;
    this.requestTimeout = options.requestTimeout ?? 30_000;
    this.random = options.random ?? Math.random;
    // Let the caller subscribe before the first state change.
    queueMicrotask(() => this.connect());
  }

  get state(): LinkState {
    return this.currentState;
  }

  /** The latest hello (the agent's identity, actions, buffer size). */
  get hello(): HelloMessage | undefined {
    return this.latestHello;
  }

  /** Seq of the newest event (or gap end) delivered for the current instance. */
  get lastSeq(): number {
    return this.seq;
  }

  /** Sends a request; resolves with its result, rejects with a ClientError carrying `.code`. */
  request<R = unknown>(input: RequestInput, options: { timeout?: number } = {}): Promise<R> {
    const socket = this.socket;
    if (!socket || !this.greeted || socket.readyState !== OPEN) {
      return Promise.reject(new ClientError('DISCONNECTED', `not connected to the agent (link is ${this.currentState.status})`));
    }
    const id = ++this.nextId;
    const timeout = options.timeout ?? this.requestTimeout;
    return new Promise<R>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new ClientError('TIMEOUT', `the agent did not answer "${input.type}" within ${timeout} ms`));
      }, timeout);
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject, timer });
      try {
        socket.send(JSON.stringify({ ...input, id }));
      } catch (error) {
        this.settlePending(id, undefined, new ClientError('DISCONNECTED', `could not send "${input.type}": ${messageOf(error)}`));
      }
    });
  }

  /** Runs an action on a connection (or agent-wide with `conn` null) and resolves with its verdict. */
  act(conn: string | null, name: string, options: { timeout?: number } = {}): Promise<SettleResult> {
    const request: RequestInput = conn === null ? { type: 'act', name } : { type: 'act', conn, name };
    if (options.timeout !== undefined) request.timeout = options.timeout;
    // The agent waits up to `timeout` for the teardown; give the reply room beyond that.
    const replyTimeout = Math.max(this.requestTimeout, (options.timeout ?? 0) + 5_000);
    return this.request<SettleResult>(request, { timeout: replyTimeout });
  }

  mark(label: string): Promise<unknown> {
    return this.request({ type: 'mark', label });
  }

  /** Stops for good: closes the socket, cancels retries, rejects pending requests. */
  close(): Promise<void> {
    if (this.currentState.status === 'closed') return Promise.resolve();
    this.stopped = true;
    clearTimeout(this.retryTimer);
    const socket = this.socket;
    this.socket = undefined;
    this.failPending('the link was closed');
    this.setState({ status: 'closed' });
    this.removeAllListeners();
    if (!socket || socket.readyState > OPEN) return Promise.resolve();
    return new Promise((resolve) => {
      const fallback = setTimeout(resolve, 1000);
      socket.addEventListener('close', () => {
        clearTimeout(fallback);
        resolve();
      });
      try {
        socket.close(1000, 'inspector closed');
      } catch {
        clearTimeout(fallback);
        resolve();
      }
    });
  }

  // -------------------------------------------------------------------------

  private connect(): void {
    if (this.stopped) return;
    const resume = !this.forceFresh && this.instance !== undefined && this.seq > 0;
    this.forceFresh = false;
    this.resumedFrom = resume ? this.seq : undefined;
    this.greeted = false;
    this.setState({ status: 'connecting', attempt: this.attempt });

    const url = resume ? withSince(this.url.ws, this.seq) : this.url.ws;
    let socket: WebSocketLike;
    try {
      socket = new this.WS(url);
    } catch (error) {
      this.afterFailure({ reason: messageOf(error) }, false);
      return;
    }
    this.socket = socket;
    let opened = false;
    let failure: FailureInfo | undefined;
    socket.addEventListener('open', () => {
      opened = true;
    });
    socket.addEventListener('message', (event) => {
      if (this.socket === socket) this.onFrame(socket, event.data);
    });
    socket.addEventListener('error', (event) => {
      failure ??= describeSocketError(event);
    });
    socket.addEventListener('close', (event) => {
      if (this.socket !== socket) return;
      this.socket = undefined;
      this.failPending('the connection to the agent closed');
      const info = failure ?? { reason: closeReason(event, opened) };
      this.afterFailure(info, opened);
    });
  }

  private afterFailure(info: FailureInfo, opened: boolean): void {
    if (this.stopped) return;
    if (info.httpStatus === 401) {
      this.refuseToken();
      return;
    }
    if (!opened && info.httpStatus === undefined && this.fetchStatus) {
      // Browsers hide why an upgrade failed: ask the plain HTTP endpoint.
      this.fetchStatus(this.url.status).then(
        (response) => {
          if (this.stopped) return;
          if (response.status === 401) this.refuseToken();
          else this.retry(info);
        },
        () => {
          if (!this.stopped) this.retry(info);
        },
      );
      return;
    }
    this.retry(info);
  }

  private retry(info: FailureInfo): void {
    if (!this.reconnect) {
      this.stop({ status: 'offline', reason: info.reason, ...(info.code ? { code: info.code } : {}) });
      return;
    }
    this.attempt += 1;
    const delay = backoffDelay(this.attempt, this.random());
    this.setState({
      status: 'reconnecting',
      attempt: this.attempt,
      retryAt: Date.now() + delay,
      reason: info.reason,
      ...(info.code ? { code: info.code } : {}),
    });
    this.retryTimer = setTimeout(() => this.connect(), delay);
  }

  private refuseToken(): void {
    const detail = this.url.token === undefined ? 'the URL has no ?token=' : 'the token in the URL is wrong';
    this.stop({
      status: 'token-refused',
      message: `The agent refused the token (HTTP 401): ${detail}. Copy the URL the agent printed, including ?token=…`,
    });
  }

  /** Enters a terminal state: no more reconnects. */
  private stop(state: LinkState): void {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    const socket = this.socket;
    this.socket = undefined;
    this.failPending(`the link stopped (${state.status})`);
    try {
      socket?.close(1000);
    } catch {
      // Already closing.
    }
    this.setState(state);
  }

  private onFrame(socket: WebSocketLike, data: unknown): void {
    if (typeof data !== 'string') return;
    let message: { type?: unknown; [key: string]: unknown };
    try {
      message = JSON.parse(data);
    } catch {
      return;
    }
    // Another protocol version may shape its hello differently: the version
    // decides first, so the user reads "version mismatch", not "bad message".
    if (message?.type === 'hello' && typeof message.protocol === 'number' && message.protocol !== PROTOCOL_VERSION) {
      this.onHello(socket, message as unknown as HelloMessage);
      return;
    }
    const checked = checkAgentMessage(message);
    if (!checked.ok) {
      this.emit('agent-error', checked.error);
      return;
    }
    const m = checked.value;
    switch (m.type) {
      case 'hello':
        this.onHello(socket, m);
        return;
      case 'snapshot':
      case 'batch':
        if (this.greeted) this.onEvents(m.type, m.events, m.now);
        return;
      case 'gap':
        if (this.greeted) this.onGap(m);
        return;
      case 'response':
        this.onResponse(m as unknown as { [key: string]: unknown });
        return;
      case 'error':
        this.onAgentError(m.error);
        return;
    }
  }

  private onHello(socket: WebSocketLike, hello: HelloMessage): void {
    if (hello.protocol !== PROTOCOL_VERSION) {
      this.stop({
        status: 'version-mismatch',
        agentProtocol: hello.protocol,
        message: `The agent speaks Bridgescope protocol ${String(hello.protocol)}; this inspector speaks protocol ${PROTOCOL_VERSION}. Use the same bridgescope version on both sides.`,
      });
      return;
    }
    const instance = String(hello.agent?.instance ?? '');
    let kind: 'first' | 'resume' | 'restart';
    if (this.instance === undefined) kind = 'first';
    else if (instance === this.instance) kind = 'resume';
    else if (this.resumedFrom !== undefined) {
      // We asked a new process to resume an old one's seq: start over on a fresh socket.
      this.forceFresh = true;
      this.socket = undefined;
      socket.close(1000, 'restarted agent: resubscribing');
      this.connect();
      return;
    } else kind = 'restart';

    if (kind === 'restart') this.seq = 0;
    this.instance = instance;
    this.latestHello = hello;
    this.greeted = true;
    this.attempt = 0;
    this.setState(
      this.resumedFrom !== undefined && kind === 'resume'
        ? { status: 'live', instance, resumedFrom: this.resumedFrom }
        : { status: 'live', instance },
    );
    // Only this socket's first hello answers our `since`; a later one (a hub
    // relaying a live restart) is a plain restart.
    this.resumedFrom = undefined;
    this.emit('message', { type: 'hello', hello, kind });
  }

  private onEvents(type: 'snapshot' | 'batch', events: AgentEvent[], now: number): void {
    // Resumes must not repeat what was delivered: drop anything at or below lastSeq.
    let fresh = events;
    if (events.length > 0 && !(events[0]!.seq > this.seq)) fresh = events.filter((e) => e.seq > this.seq);
    if (fresh.length > 0) this.seq = Math.max(this.seq, fresh[fresh.length - 1]!.seq);
    this.emit('message', { type, events: fresh, now: Number.isFinite(now) ? now : this.latestNow(fresh) });
  }

  private onGap(gap: GapMessage): void {
    if (!(gap.to > this.seq)) return;
    this.seq = gap.to;
    this.emit('message', { type: 'gap', gap });
  }

  private onResponse(message: { [key: string]: unknown }): void {
    const id = message.id;
    if (typeof id !== 'number') return;
    const error = message.error as ProtocolError | undefined;
    this.settlePending(
      id,
      message.result,
      error ? new ClientError((error.code ?? 'BAD_MESSAGE') as ClientErrorCode, error.message ?? String(error.code)) : undefined,
    );
  }

  private onAgentError(error: ProtocolError | undefined): void {
    if (!error) return;
    if (error.code === 'UNAUTHORIZED') this.refuseToken();
    else if (error.code === 'VERSION_MISMATCH') {
      this.stop({ status: 'version-mismatch', agentProtocol: undefined, message: error.message });
    } else this.emit('agent-error', error);
  }

  private settlePending(id: number, result: unknown, error: Error | undefined): void {
    const pending = this.pending.get(id);
    if (!pending) return;
    this.pending.delete(id);
    clearTimeout(pending.timer);
    if (error) pending.reject(error);
    else pending.resolve(result);
  }

  private failPending(why: string): void {
    for (const id of [...this.pending.keys()]) this.settlePending(id, undefined, new ClientError('DISCONNECTED', why));
  }

  private latestNow(events: AgentEvent[]): number {
    return events.length > 0 ? events[events.length - 1]!.t : 0;
  }

  private setState(state: LinkState): void {
    this.currentState = state;
    this.emit('state', state);
  }
}

function describeSocketError(event: SocketEvent): FailureInfo {
  const error = event.error as { message?: unknown; code?: unknown } | undefined;
  const reason = typeof event.message === 'string' && event.message ? event.message : typeof error?.message === 'string' ? error.message : 'connection failed';
  const status = /Unexpected server response: (\d{3})/.exec(reason);
  const info: FailureInfo = { reason: redactToken(reason) };
  if (typeof error?.code === 'string') info.code = error.code;
  if (status) info.httpStatus = Number(status[1]);
  return info;
}

function closeReason(event: SocketEvent, opened: boolean): string {
  if (!opened) return 'connection failed';
  const code = typeof event.code === 'number' ? ` (code ${event.code}${event.reason ? `: ${event.reason}` : ''})` : '';
  return `the agent closed the connection${code}`;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
