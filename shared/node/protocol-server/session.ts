import type WebSocket from 'ws';
import type { ActRequest, AgentMessage, InspectorRequest, MarkRequest, ProtocolError, RequestId } from '../../protocol.js';
import type { Logger } from '../../logger.js';
import { parseFrame } from '../request-frame.js';
import { tokenMatches } from '../token.js';
import type { LogReader, Pump } from './pump.js';
import type { Answer, OutboundFrame, StartPlan, StreamReader, StreamSource } from './stream.js';

/** Most requests one peer may have in flight (running actions, relayed requests). */
const MAX_IN_FLIGHT = 32;

/** How often a session that stopped reading (over its send budget) checks whether its peer drained. */
const DRAIN_POLL_MS = 20;

/** WebSocket close codes of the protocol (documented in docs/protocol.md). */
export const CloseCode = {
  goingAway: 1001,
  unauthorized: 4401,
} as const;

export interface ProtocolSessionConfig {
  token: string;
  /** Most events per `batch` frame. */
  batchSize: number;
  /** Bytes the socket may hold unsent before the session stops sending (and reading requests). */
  sendBudget: number;
  maxMessageSize: number;
  /** Milliseconds an unauthenticated peer has to send `auth`. */
  authTimeout: number;
}

/** What a session needs from the server that owns it. */
export interface SessionHost {
  readonly source: StreamSource;
  readonly config: ProtocolSessionConfig;
  readonly pump: Pump;
  readonly logger: Logger;
  /** The peer is authenticated and has been greeted. */
  started(session: ProtocolSession): void;
  /** The socket is gone. */
  ended(session: ProtocolSession, reason: string): void;
}

/** Who the peer is, and how it starts. */
export interface PeerInfo {
  id: string;
  remote: string;
  direction: 'in' | 'out';
  /** The token was on the URL (checked at the upgrade): no `auth` message needed. */
  authenticated: boolean;
  plan: StartPlan;
  /** Called once the peer is authenticated (at once, or on its `auth` message). */
  onAuthenticated?: () => void;
}

/**
 * One peer of the agent protocol on one WebSocket, whichever side dialled,
 * served by an agent or by the hub. It authenticates the peer (token on the
 * URL, or a first `auth` message), greets it, dispatches its requests, and
 * streams from its source by cursor: each flush pulls frames while the
 * socket's `bufferedAmount` is under the send budget, so a slow peer costs
 * the server nothing and later learns what it missed from a `gap`.
 */
export class ProtocolSession implements LogReader {
  private reader: StreamReader | undefined;
  private authenticated: boolean;
  private inFlight = 0;
  private authTimer: ReturnType<typeof setTimeout> | undefined;
  private ended = false;
  private leftReason = '';
  /** Reading paused: the peer asks faster than it reads the answers. */
  private throttled = false;
  /** Frames already read off the socket when reading paused (at most one socket read's worth). */
  private readonly held: { data: WebSocket.RawData; isBinary: boolean }[] = [];
  private drainTimer: ReturnType<typeof setTimeout> | undefined;

  readonly id: string;
  readonly remote: string;
  readonly direction: 'in' | 'out';
  private readonly plan: StartPlan;
  private readonly onAuthenticated: (() => void) | undefined;

  constructor(
    readonly ws: WebSocket,
    peer: PeerInfo,
    private readonly host: SessionHost,
  ) {
    this.id = peer.id;
    this.remote = peer.remote;
    this.direction = peer.direction;
    this.plan = peer.plan;
    this.onAuthenticated = peer.onAuthenticated;
    this.authenticated = peer.authenticated;
    ws.on('message', (data, isBinary) => this.guard(() => this.receive(data, isBinary)));
    ws.on('error', (err) => {
      this.leftReason ||= `error: ${err.message}`;
    });
    ws.on('close', (code, reason) => this.guard(() => this.onClose(code, reason.toString())));
    if (peer.authenticated) this.start();
    else {
      this.authTimer = setTimeout(() => this.refuse(undefined, 'no auth message in time'), host.config.authTimeout);
      this.authTimer.unref();
    }
  }

  /** Bytes queued on the socket but not yet handed to the kernel. */
  get bufferedAmount(): number {
    return this.ws.bufferedAmount;
  }

  /** Position of the last thing sent from the stream; undefined until subscribed. */
  get cursor(): number | undefined {
    return this.reader?.position;
  }

  get isAuthenticated(): boolean {
    return this.authenticated;
  }

  readable(lastSeq: number): number {
    if (this.reader === undefined || this.ws.readyState !== this.ws.OPEN) return 0;
    if (this.ws.bufferedAmount >= this.host.config.sendBudget) return 0;
    return lastSeq - this.reader.position;
  }

  flush(): boolean {
    const reader = this.reader;
    if (reader === undefined || this.ws.readyState !== this.ws.OPEN) return false;
    while (!reader.caughtUp()) {
      if (this.ws.bufferedAmount >= this.host.config.sendBudget) return true;
      const frame = reader.next(this.host.config.batchSize);
      if (frame === undefined) break;
      this.send(frame);
    }
    return false;
  }

  /**
   * A hello outside the stream (a hub target's new run): a peer that waits
   * for `subscribe` hears of it at once; a subscribed one reads it in its
   * stream, in its place.
   */
  announce(message: AgentMessage): void {
    if (this.authenticated && this.reader === undefined) this.send(message);
  }

  /** Close with a code; the peer's close handshake is not waited for beyond `graceMs`. */
  close(code: number, reason: string, graceMs: number): Promise<void> {
    if (this.ended) return Promise.resolve();
    this.leftReason ||= reason;
    return new Promise((resolve) => {
      const done = setTimeout(() => {
        this.ws.terminate();
        resolve();
      }, graceMs);
      done.unref();
      this.ws.once('close', () => {
        clearTimeout(done);
        resolve();
      });
      try {
        this.ws.close(code, reason);
      } catch {
        this.ws.terminate();
      }
    });
  }

  /**
   * The peer sent more before authenticating than an `auth` message may
   * take: refused like any bad first frame (UNAUTHORIZED, close 4401), and
   * the socket is cut at once instead of waiting for the rest of its frame.
   */
  cutOff(): void {
    if (this.authenticated) return;
    this.refuse(undefined, 'the first message must be an auth request of a few bytes');
    this.ws.terminate();
  }

  /** Drop the peer at once (it missed a heartbeat). */
  terminate(reason: string): void {
    this.leftReason ||= reason;
    this.ws.terminate();
  }

  private start(): void {
    this.authenticated = true;
    this.onAuthenticated?.();
    const { source } = this.host;
    const hello = source.greeting(this.plan);
    if (hello) this.send(hello);
    this.host.started(this);
    if (this.plan.kind !== 'wait') this.follow(source.open(this.plan));
  }

  private follow(reader: StreamReader): void {
    this.reader = reader;
    this.host.pump.add(this);
    if (this.flush()) this.host.pump.schedule();
  }

  private receive(data: WebSocket.RawData, isBinary: boolean): void {
    if (this.throttled) {
      this.held.push({ data, isBinary });
      return;
    }
    this.onMessage(data, isBinary);
    this.throttle();
  }

  /**
   * Answers (a snapshot can be large) are not covered by the stream's send
   * budget, so a peer that keeps asking without reading would make them pile
   * up in the server. Once over the budget, stop reading its requests until
   * it drains: TCP backpressure then stalls the peer, not the server.
   */
  private throttle(): void {
    if (this.throttled || this.ws.bufferedAmount < this.host.config.sendBudget) return;
    this.throttled = true;
    this.ws.pause();
    this.waitForDrain();
  }

  private waitForDrain(): void {
    this.drainTimer = setTimeout(() => {
      this.drainTimer = undefined;
      if (this.ended) return;
      if (this.ws.bufferedAmount >= this.host.config.sendBudget) return this.waitForDrain();
      this.throttled = false;
      while (!this.throttled && this.held.length > 0) {
        const { data, isBinary } = this.held.shift()!;
        this.guard(() => {
          this.onMessage(data, isBinary);
          this.throttle();
        });
      }
      if (!this.throttled) this.ws.resume();
    }, DRAIN_POLL_MS);
    this.drainTimer.unref();
  }

  private onMessage(data: WebSocket.RawData, isBinary: boolean): void {
    const bytes = Array.isArray(data) ? Buffer.concat(data) : data instanceof ArrayBuffer ? new Uint8Array(data) : data;
    const parsed = parseFrame(bytes, isBinary, this.host.config.maxMessageSize);
    if (!this.authenticated) {
      if (parsed.ok && parsed.request.type === 'auth' && tokenMatches(parsed.request.token, this.host.config.token)) {
        clearTimeout(this.authTimer);
        this.reply(parsed.request.id, { result: {} });
        this.start();
      } else {
        this.refuse(parsed.ok ? parsed.request.id : parsed.id, 'the first message must be a valid auth request');
      }
      return;
    }
    if (!parsed.ok) {
      this.fail(parsed.id, parsed.error);
      return;
    }
    this.handle(parsed.request);
  }

  private handle(request: InspectorRequest): void {
    switch (request.type) {
      case 'auth':
        if (tokenMatches(request.token, this.host.config.token)) this.reply(request.id, { result: {} });
        else this.fail(request.id, { code: 'UNAUTHORIZED', message: 'wrong token' });
        return;
      case 'subscribe': {
        const { lastSeq, reader } = this.host.source.subscribe(request.since);
        this.reply(request.id, { result: { lastSeq } });
        this.follow(reader);
        return;
      }
      case 'mark':
      case 'act':
        this.perform(request);
        return;
    }
  }

  private perform(request: ActRequest | MarkRequest): void {
    const { source } = this.host;
    const deferred = source.deferred(request);
    if (deferred && this.inFlight >= MAX_IN_FLIGHT) {
      this.fail(request.id, { code: 'RATE_LIMITED', message: `at most ${MAX_IN_FLIGHT} requests in flight` });
      return;
    }
    const answer = source.perform(request);
    if (!(answer instanceof Promise)) return this.reply(request.id, answer);
    this.inFlight++;
    answer
      .then((settled) => this.reply(request.id, settled))
      .catch((err: unknown) => this.host.logger.error('a request failed without an answer', err))
      .finally(() => this.inFlight--);
  }

  private refuse(id: RequestId | undefined, message: string): void {
    clearTimeout(this.authTimer);
    this.fail(id, { code: 'UNAUTHORIZED', message });
    void this.close(CloseCode.unauthorized, 'unauthorized', 1000);
  }

  private fail(id: RequestId | undefined, error: ProtocolError): void {
    if (id === undefined) this.send({ type: 'error', error });
    else this.reply(id, { error });
  }

  private reply(id: RequestId, answer: Answer): void {
    this.send({ type: 'response', id, ...answer });
  }

  private send(frame: OutboundFrame): void {
    if (this.ws.readyState !== this.ws.OPEN) return;
    if (frame instanceof Uint8Array) return this.ws.send(frame, { binary: false });
    let text: string;
    try {
      text = typeof frame === 'string' ? frame : JSON.stringify(frame);
    } catch (err) {
      this.host.logger.error('could not serialise a message for an inspector', err);
      return;
    }
    this.ws.send(text);
  }

  private onClose(code: number, reason: string): void {
    if (this.ended) return;
    this.ended = true;
    clearTimeout(this.authTimer);
    clearTimeout(this.drainTimer);
    this.held.length = 0;
    this.host.pump.remove(this);
    this.reader = undefined;
    this.host.ended(this, this.leftReason || `closed (${code}${reason ? ` ${reason}` : ''})`);
  }

  private guard(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.host.logger.error('inspector session error', err);
    }
  }
}
