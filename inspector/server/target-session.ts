import WebSocket from 'ws';
import type { AgentMessage, BatchMessage, GapMessage, HelloMessage, InspectorRequest, ResponseMessage } from '../../shared/protocol.js';
import { tokenMatches } from '../../shared/node/token.js';
import { parseFrame } from '../../shared/node/request-frame.js';
import type { HubTarget } from './hub-target.js';

/** How a UI asked to start, from its URL: like an agent (`?since=N`, `?subscribe=0`, or everything). */
export type SessionStart = { mode: 'all' } | { mode: 'since'; since: number } | { mode: 'none' };

export interface TargetSessionOptions {
  token: string;
  /** Largest request frame accepted from a UI. */
  maxMessageSize: number;
  /** Bytes buffered in the socket before the session waits for it to drain. */
  highWater: number;
  /** Live events queued for a slow UI before newer ones are dropped (as a `slow-consumer` gap). */
  maxQueuedEvents: number;
}

type QueueItem = { message: AgentMessage; liveEvents: number } | { replay: Iterator<AgentMessage> };

/**
 * One UI on `/target/<key>`: speaks the agent protocol for a target. It
 * replays the target's history (each run's hello, then its events and
 * gaps), relays what arrives live, and forwards `act`/`mark` to the live
 * agent. Sending is paced by the socket's buffer, and a UI that cannot keep
 * up loses live events as a counted gap instead of growing the hub.
 */
export class TargetSession {
  private readonly queue: QueueItem[] = [];
  private queuedLiveEvents = 0;
  private subscribed: boolean;
  private sent = 0;
  private waitingFor = 0;

  constructor(
    private readonly ws: WebSocket,
    private readonly target: HubTarget,
    start: SessionStart,
    private readonly options: TargetSessionOptions,
  ) {
    const run = target.history.current;
    this.subscribed = start.mode !== 'none';
    if (start.mode === 'all') this.push({ replay: target.history.replayAll() });
    else if (run) {
      this.push({ message: run.hello, liveEvents: 0 });
      if (start.mode === 'since') this.push({ replay: target.history.replayCurrent(start.since) });
    }
    ws.on('message', (data, isBinary) => this.onRequest(data as Buffer, isBinary));
  }

  /** A new run of the target began: every UI hears of it, subscribed or not. */
  hello(hello: HelloMessage): void {
    this.push({ message: hello, liveEvents: 0 });
  }

  live(message: BatchMessage | GapMessage): void {
    if (!this.subscribed) return;
    if (message.type === 'gap') return this.push({ message, liveEvents: 0 });
    const count = message.events.length;
    if (this.queuedLiveEvents + count <= this.options.maxQueuedEvents) {
      this.queuedLiveEvents += count;
      return this.push({ message, liveEvents: count });
    }
    const first = message.events[0]!.seq;
    const last = message.events[count - 1]!.seq;
    const tail = this.queue[this.queue.length - 1];
    if (tail && 'message' in tail && tail.message.type === 'gap' && tail.message.reason === 'slow-consumer') {
      tail.message = { ...tail.message, to: last, count: tail.message.count + count };
    } else {
      this.push({ message: { type: 'gap', from: first, to: last, count, reason: 'slow-consumer' }, liveEvents: 0 });
    }
  }

  close(code = 1001, reason = 'hub closing'): void {
    try {
      this.ws.close(code, reason);
    } catch {
      this.ws.terminate();
    }
  }

  private onRequest(data: Buffer, isBinary: boolean): void {
    const parsed = parseFrame(data, isBinary, this.options.maxMessageSize);
    if (!parsed.ok) {
      this.reply(parsed.id === undefined ? { type: 'error', error: parsed.error } : { type: 'response', id: parsed.id, error: parsed.error });
      return;
    }
    const request: InspectorRequest = parsed.request;
    switch (request.type) {
      case 'auth':
        if (tokenMatches(request.token, this.options.token)) this.reply({ type: 'response', id: request.id, result: { ok: true } });
        else {
          this.reply({ type: 'response', id: request.id, error: { code: 'UNAUTHORIZED', message: 'wrong token' } });
          this.close(1008, 'UNAUTHORIZED');
        }
        return;
      case 'subscribe': {
        this.reply({ type: 'response', id: request.id, result: { lastSeq: this.target.history.current?.lastSeq ?? 0 } });
        this.subscribed = true;
        this.push({ replay: this.target.history.replayCurrent(request.since) });
        return;
      }
      case 'act':
      case 'mark':
        void this.target.forward(request).then((response) => this.reply({ ...response, id: request.id }));
        return;
    }
  }

  /** Responses jump the queue: they are small and a UI waits on them. */
  private reply(message: ResponseMessage | { type: 'error'; error: ResponseMessage['error'] }): void {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(message));
  }

  private push(item: QueueItem): void {
    this.queue.push(item);
    if (this.waitingFor === 0) this.pump();
  }

  private pump(): void {
    while (this.queue.length > 0 && this.ws.readyState === WebSocket.OPEN) {
      if (this.ws.bufferedAmount > this.options.highWater) {
        this.waitingFor = this.sent;
        return;
      }
      const message = this.next();
      if (!message) continue;
      const n = ++this.sent;
      this.ws.send(JSON.stringify(message), () => {
        if (this.waitingFor === n) {
          this.waitingFor = 0;
          this.pump();
        }
      });
    }
  }

  private next(): AgentMessage | undefined {
    const head = this.queue[0]!;
    if ('replay' in head) {
      const step = head.replay.next();
      if (!step.done) return step.value;
      this.queue.shift();
      return undefined;
    }
    this.queue.shift();
    this.queuedLiveEvents -= head.liveEvents;
    return head.message;
  }
}
