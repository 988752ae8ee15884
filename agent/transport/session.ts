import type WebSocket from 'ws';
import { AgentError } from '../errors.js';
import type { AgentEvent, AgentMessage, HelloMessage, InspectorRequest, ProtocolError, RequestId, SettleResult } from '../../shared/protocol.js';
import { PROTOCOL_VERSION } from '../../shared/protocol.js';
import type { AgentCore, Logger } from '../types.js';
import type { LogReader, Pump } from './pump.js';
import { tokenMatches } from '../../shared/node/token.js';
import { parseFrame } from '../../shared/node/request-frame.js';
import { encodeAll, encodeEvents } from './serialise.js';

/** Most requests one inspector may have in flight (running actions). */
const MAX_IN_FLIGHT = 32;

/** How often a session that stopped reading (over its send budget) checks whether its peer drained. */
const DRAIN_POLL_MS = 20;

/** WebSocket close codes the agent uses (documented in docs/protocol.md). */
export const CloseCode = {
  goingAway: 1001,
  unauthorized: 4401,
} as const;

/** How the stream starts once the peer is authenticated. */
export type StartPlan = { kind: 'fresh' } | { kind: 'since'; since: number } | { kind: 'wait' };

export interface SessionConfig {
  token: string;
  batchSize: number;
  sendBudget: number;
  maxMessageSize: number;
  /** Milliseconds an unauthenticated peer has to send `auth`. */
  authTimeout: number;
}

export interface SessionHost {
  readonly core: AgentCore;
  readonly config: SessionConfig;
  readonly pump: Pump;
  readonly logger: Logger;
  /** True once the agent is closing: new actions are refused. */
  closing(): boolean;
  /** The peer is authenticated and has been sent `hello`. */
  started(session: Session): void;
  /** The socket is gone. */
  ended(session: Session, reason: string): void;
}

/**
 * One inspector (or hub) on one WebSocket, in either direction. A session is
 * a cursor into the event log, not a queue: each flush pulls batches while
 * the socket's `bufferedAmount` is under the send budget, so a slow peer
 * costs the host nothing and later learns what it missed from a `gap`.
 */
export class Session implements LogReader {
  /** Seq of the last event sent; undefined until subscribed. */
  cursor: number | undefined;
  /** Answered the latest heartbeat ping. */
  alive = true;
  private authenticated: boolean;
  /** The next ring overtake is reported as 'evicted' (a resume), not 'slow-consumer'. */
  private resuming = false;
  private inFlight = 0;
  private authTimer: ReturnType<typeof setTimeout> | undefined;
  private ended = false;
  private leftReason = '';
  /** Reading paused: the peer asks faster than it reads the answers. */
  private throttled = false;
  /** Frames already read off the socket when reading paused (at most one socket read's worth). */
  private readonly held: { data: WebSocket.RawData; isBinary: boolean }[] = [];
  private drainTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    readonly id: string,
    readonly ws: WebSocket,
    readonly remote: string,
    readonly direction: 'in' | 'out',
    private readonly host: SessionHost,
    authenticated: boolean,
    private readonly plan: StartPlan,
  ) {
    this.authenticated = authenticated;
    ws.on('message', (data, isBinary) => this.guard(() => this.receive(data, isBinary)));
    ws.on('pong', () => {
      this.alive = true;
    });
    ws.on('error', (err) => {
      this.leftReason ||= `error: ${err.message}`;
    });
    ws.on('close', (code, reason) => this.guard(() => this.onClose(code, reason.toString())));
    if (authenticated) this.start();
    else {
      this.authTimer = setTimeout(() => this.refuse(undefined, 'no auth message in time'), host.config.authTimeout);
      this.authTimer.unref();
    }
  }

  /** Bytes queued on the socket but not yet handed to the kernel. */
  get bufferedAmount(): number {
    return this.ws.bufferedAmount;
  }

  get isAuthenticated(): boolean {
    return this.authenticated;
  }

  readable(lastSeq: number): number {
    if (this.cursor === undefined || this.ws.readyState !== this.ws.OPEN) return 0;
    if (this.ws.bufferedAmount >= this.host.config.sendBudget) return 0;
    return lastSeq - this.cursor;
  }

  flush(): boolean {
    if (this.cursor === undefined || this.ws.readyState !== this.ws.OPEN) return false;
    const { log } = this.host.core;
    const { batchSize, sendBudget } = this.host.config;
    while (this.cursor < log.lastSeq) {
      if (this.ws.bufferedAmount >= sendBudget) return true;
      const { events, gap } = log.read(this.cursor, batchSize);
      if (gap) {
        this.send({ type: 'gap', ...gap, reason: this.resuming ? 'evicted' : 'slow-consumer' });
        this.cursor = gap.to;
      }
      this.resuming = false;
      if (events.length === 0) break;
      const last = events[events.length - 1]!;
      // `now` promises "nothing older is still coming": only a batch that
      // catches up may carry the clock, or a catching-up inspector would
      // expire grace periods before the events that end them arrive.
      this.sendBatch(events, last.seq === log.lastSeq ? log.now() : last.t);
      this.cursor = last.seq;
    }
    return false;
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

  /** Drop a peer that missed a heartbeat. */
  terminate(reason: string): void {
    this.leftReason ||= reason;
    this.ws.terminate();
  }

  private start(): void {
    this.authenticated = true;
    this.send(this.hello());
    this.host.started(this);
    if (this.plan.kind === 'fresh') this.subscribe(undefined);
    else if (this.plan.kind === 'since') this.subscribe(this.plan.since);
  }

  private hello(): HelloMessage {
    const { core } = this.host;
    return {
      type: 'hello',
      protocol: PROTOCOL_VERSION,
      agent: core.info,
      now: core.log.now(),
      lastSeq: core.log.lastSeq,
      readonly: core.readonly,
      actions: core.globalActions(),
      bufferSize: core.log.capacity,
    };
  }

  /**
   * Fresh (no `since`, or a `since` this agent never reached — a previous
   * instance's): snapshot of what is still alive, a gap for what neither the
   * snapshot nor the ring holds, then the ring and live events. Resume: every
   * event after `since`, a gap first if the ring lost some.
   */
  private subscribe(since: number | undefined): void {
    const { log } = this.host.core;
    if (since === undefined || since > log.lastSeq) {
      const oldest = log.oldestSeq;
      const snapshot = log.snapshot();
      const sent = this.sendSnapshot(snapshot);
      // What the snapshot could not carry is part of what this gap announces.
      const count = oldest - 1 - sent;
      if (count > 0) this.send({ type: 'gap', from: 1, to: oldest - 1, count, reason: 'evicted' });
      this.cursor = oldest - 1;
      this.resuming = false;
    } else {
      this.cursor = since;
      this.resuming = true;
    }
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
   * Answers (a snapshot can be large) are not covered by the event stream's
   * send budget, so a peer that keeps asking without reading would make them
   * pile up in the host. Once over the budget, stop reading its requests
   * until it drains: TCP backpressure then stalls the peer, not the host.
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
    const { core } = this.host;
    switch (request.type) {
      case 'auth':
        if (tokenMatches(request.token, this.host.config.token)) this.reply(request.id, { result: {} });
        else this.fail(request.id, { code: 'UNAUTHORIZED', message: 'wrong token' });
        return;
      case 'subscribe':
        this.reply(request.id, { result: { lastSeq: core.log.lastSeq } });
        this.subscribe(request.since);
        return;
      case 'mark':
        this.reply(request.id, { result: { seq: core.mark(request.label) } });
        return;
      case 'act':
        this.act(request);
        return;
    }
  }

  private act(request: Extract<InspectorRequest, { type: 'act' }>): void {
    if (this.host.core.readonly) {
      this.fail(request.id, { code: 'READONLY', message: 'this agent is read-only: actions are refused' });
      return;
    }
    if (this.host.closing()) {
      this.fail(request.id, { code: 'AGENT_CLOSED', message: 'the agent is shutting down' });
      return;
    }
    if (this.inFlight >= MAX_IN_FLIGHT) {
      this.fail(request.id, { code: 'RATE_LIMITED', message: `at most ${MAX_IN_FLIGHT} requests in flight` });
      return;
    }
    this.inFlight++;
    const options = request.timeout === undefined ? { source: 'inspector' as const } : { timeout: request.timeout, source: 'inspector' as const };
    let running: Promise<SettleResult>;
    try {
      running = this.host.core.act(request.conn ?? null, request.name, options);
    } catch (err) {
      running = Promise.reject(err);
    }
    running.then(
      (result) => {
        this.inFlight--;
        this.reply(request.id, { result });
      },
      (err: unknown) => {
        this.inFlight--;
        if (err instanceof AgentError) this.fail(request.id, { code: err.code, message: err.message });
        else {
          // Not one of the documented refusals: report it as the action failing.
          const message = err instanceof Error ? err.message : String(err);
          this.reply(request.id, { result: { verdict: 'failed', duration: 0, listenersRemoved: 0, handlesDropped: 0, error: { message } } });
        }
      },
    );
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

  private reply(id: RequestId, body: { result: unknown } | { error: ProtocolError }): void {
    this.send({ type: 'response', id, ...body });
  }

  /**
   * A batch, encoded now. An event that cannot be encoded at all becomes a
   * one-event gap (`unserialisable`) between the batches around it.
   */
  private sendBatch(events: AgentEvent[], now: number): void {
    const all = encodeAll(events);
    if (all !== undefined) return this.sendText(`{"type":"batch","events":${all},"now":${JSON.stringify(now)}}`);
    const encoded = encodeEvents(events);
    let run: string[] = [];
    let runLast: AgentEvent | undefined;
    const flushRun = (runNow: number): void => {
      if (run.length > 0) this.sendText(`{"type":"batch","events":[${run.join(',')}],"now":${JSON.stringify(runNow)}}`);
      run = [];
    };
    events.forEach((event, i) => {
      const text = encoded[i];
      if (text !== undefined) {
        run.push(text);
        runLast = event;
        return;
      }
      flushRun(runLast?.t ?? event.t);
      this.send({ type: 'gap', from: event.seq, to: event.seq, count: 1, reason: 'unserialisable' });
    });
    flushRun(now);
  }

  /** The snapshot, encoded now; returns how many events it carried (the others go into the gap after it). */
  private sendSnapshot(events: AgentEvent[]): number {
    const now = events.at(-1)?.t ?? 0;
    const all = encodeAll(events);
    if (all !== undefined) {
      this.sendText(`{"type":"snapshot","events":${all},"now":${JSON.stringify(now)}}`);
      return events.length;
    }
    const encoded = encodeEvents(events).filter((text): text is string => text !== undefined);
    this.sendText(`{"type":"snapshot","events":[${encoded.join(',')}],"now":${JSON.stringify(now)}}`);
    return encoded.length;
  }

  private sendText(text: string): void {
    if (this.ws.readyState === this.ws.OPEN) this.ws.send(text);
  }

  private send(message: AgentMessage): void {
    if (this.ws.readyState !== this.ws.OPEN) return;
    let text: string;
    try {
      text = JSON.stringify(message);
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
    this.cursor = undefined;
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
