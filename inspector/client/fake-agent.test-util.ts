/**
 * A small fake agent for client tests: a real HTTP + WebSocket server on
 * port 0 that speaks the protocol (hello, snapshot, batch, gap, responses),
 * checks the token with a 401 like the real agent, and answers /status.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { PROTOCOL_VERSION } from '../../shared/protocol.js';
import type { AgentEvent, EventInput, HelloMessage, InspectorRequest } from '../../shared/protocol.js';

export interface FakeAgentOptions {
  port?: number;
  token?: string;
  protocol?: number;
  instance?: string;
  /** Resend the event AT `since` on resume (an off-by-one agent), to prove the client drops it. */
  resendSinceEvent?: boolean;
  /** Answer requests: a reply, null to stay silent, undefined for the default answer. */
  answer?: (request: InspectorRequest) => { result?: unknown; error?: { code: string; message: string } } | null | undefined;
}

export class FakeAgent {
  readonly events: AgentEvent[] = [];
  /** The URL of every WebSocket connection that got through the token check. */
  readonly connections: URL[] = [];
  readonly requests: InspectorRequest[] = [];
  readonly sockets = new Set<WebSocket>();
  private readonly http: Server;
  private readonly wss: WebSocketServer;
  private port = 0;
  private seq = 0;
  private readonly startedAt = Date.now();

  private constructor(readonly options: Required<Pick<FakeAgentOptions, 'token' | 'protocol' | 'instance'>> & FakeAgentOptions) {
    this.http = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      if (url.pathname !== '/status') {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(url.searchParams.get('token') === this.options.token ? 200 : 401, { 'access-control-allow-origin': '*' }).end();
    });
    this.wss = new WebSocketServer({
      server: this.http,
      verifyClient: (info, done) => {
        const url = new URL(info.req.url ?? '/', 'http://x');
        if (url.searchParams.get('token') === this.options.token) done(true);
        else done(false, 401, 'Unauthorized');
      },
    });
    this.wss.on('connection', (socket, req) => this.onConnection(socket, new URL(req.url ?? '/', 'http://x')));
  }

  static async start(options: FakeAgentOptions = {}): Promise<FakeAgent> {
    const agent = new FakeAgent({
      token: 'secret',
      protocol: PROTOCOL_VERSION,
      instance: `inst-${Math.random().toString(36).slice(2)}`,
      ...options,
    });
    await new Promise<void>((resolve, reject) => {
      agent.http.once('error', reject);
      agent.http.listen(options.port ?? 0, '127.0.0.1', () => resolve());
    });
    agent.port = (agent.http.address() as AddressInfo).port;
    return agent;
  }

  get url(): string {
    return `ws://127.0.0.1:${this.port}/?token=${this.options.token}`;
  }

  get listenPort(): number {
    return this.port;
  }

  get instance(): string {
    return this.options.instance;
  }

  now(): number {
    return Date.now() - this.startedAt;
  }

  /** Stamps and logs an event; sends it as a one-event batch to every inspector. */
  publish(input: EventInput): AgentEvent {
    const event = { ...input, seq: ++this.seq, t: this.now() } as AgentEvent;
    this.events.push(event);
    this.broadcast({ type: 'batch', events: [event], now: this.now() });
    return event;
  }

  /** Skips seqs as if the events went to nobody (pair with a broadcast gap). */
  seqPastGap(to = this.seq + 3): void {
    this.seq = to;
  }

  /** Stamps and logs an event without sending it (as if the inspector was away). */
  publishSilently(input: EventInput): AgentEvent {
    const event = { ...input, seq: ++this.seq, t: this.now() } as AgentEvent;
    this.events.push(event);
    return event;
  }

  broadcast(message: unknown): void {
    for (const socket of this.sockets) socket.send(JSON.stringify(message));
  }

  /** Cuts every inspector off without a close handshake (a network drop). */
  dropInspectors(): void {
    for (const socket of this.sockets) socket.terminate();
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    this.http.closeAllConnections?.();
    await new Promise<void>((resolve) => this.http.close(() => resolve()));
  }

  private onConnection(socket: WebSocket, url: URL): void {
    this.connections.push(url);
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('message', (data) => this.onRequest(socket, JSON.parse(String(data)) as InspectorRequest));
    const hello: HelloMessage = {
      type: 'hello',
      protocol: this.options.protocol,
      agent: { name: 'fake', pid: 4242, runtime: 'node test', startedAt: this.startedAt, instance: this.options.instance },
      now: this.now(),
      lastSeq: this.seq,
      readonly: false,
      actions: [],
      bufferSize: 1000,
    };
    socket.send(JSON.stringify(hello));
    const since = url.searchParams.get('since');
    if (since === null) {
      socket.send(JSON.stringify({ type: 'snapshot', events: this.events, now: this.now() }));
      return;
    }
    const from = Number(since) + (this.options.resendSinceEvent ? 0 : 1);
    socket.send(JSON.stringify({ type: 'batch', events: this.events.filter((e) => e.seq >= from), now: this.now() }));
  }

  private onRequest(socket: WebSocket, request: InspectorRequest): void {
    this.requests.push(request);
    const custom = this.options.answer?.(request);
    const reply = custom === undefined ? this.defaultAnswer(request) : custom;
    if (reply) socket.send(JSON.stringify({ type: 'response', id: request.id, ...reply }));
  }

  private defaultAnswer(request: InspectorRequest): { result?: unknown } | undefined {
    if (request.type === 'mark') return { result: { seq: this.publish({ type: 'mark', label: request.label }).seq } };
    if (request.type === 'act') return { result: { verdict: 'clean', duration: 1, listenersRemoved: 0, handlesDropped: 0 } };
    return { result: {} };
  }
}
