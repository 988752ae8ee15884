/**
 * Test support for the transport: a fake agent core over a real EventLog,
 * a transport stack on port 0, and an inspector client that records every
 * message and waits on conditions.
 */
import { performance } from 'node:perf_hooks';
import WebSocket, { WebSocketServer } from 'ws';
import type { AddressInfo } from 'node:net';
import type { PairResult } from '../../shared/protocol.js';
import { agentProof, hubProof, newNonce, proofMatches, verifyInstance } from '../../shared/node/pairing.js';
import { AgentError } from '../errors.js';
import { createAgent } from '../index.js';
import { onCleanup } from '../probes/harness.test-util.js';
import { EventLog } from '../event-log.js';
import type { AgentEvent, AgentMessage, SettleResult } from '../../shared/protocol.js';
import type { Agent, AgentCore, AgentOptions, Logger } from '../types.js';
import { Pump } from '../../shared/node/protocol-server/pump.js';
import { AgentServer } from './server.js';
import { SessionSet } from './sessions.js';

export const TOKEN = 'test-token-123';

export const silent: Logger = { warn() {}, error() {}, debug() {} };

export interface FakeCore extends AgentCore {
  /** Release every pending `slow` action. */
  releaseSlow(): void;
}

/** Conn `c1` offers `disconnect` (clean at once) and `slow` (pending until released). */
export function fakeCore(options: { bufferSize?: number; readonly?: boolean } = {}): FakeCore {
  const start = performance.now();
  const log = new EventLog(options.bufferSize ?? 1000, () => performance.now() - start);
  const pending: (() => void)[] = [];
  const clean: SettleResult = { verdict: 'clean', duration: 1, listenersRemoved: 0, handlesDropped: 0 };
  return {
    info: { name: 'fake', pid: process.pid, runtime: `node ${process.version}`, startedAt: Date.now(), instance: 'inst-1' },
    readonly: options.readonly ?? false,
    log,
    globalActions: () => [{ name: 'reset', source: 'app' }],
    async act(conn, name) {
      if (conn !== 'c1') throw new AgentError('UNKNOWN_CONNECTION', `no connection ${conn}`);
      if (name === 'disconnect') return clean;
      if (name === 'slow') return new Promise<SettleResult>((resolve) => pending.push(() => resolve(clean)));
      throw new AgentError('UNKNOWN_ACTION', `no action ${name}`);
    },
    mark: (label) => log.publish({ type: 'mark', label }),
    releaseSlow: () => pending.splice(0).forEach((f) => f()),
  };
}

export interface Stack {
  core: FakeCore;
  pump: Pump;
  sessions: SessionSet;
  server: AgentServer;
  port: number;
  url: string;
  joined: string[];
  left: { id: string; reason: string }[];
  close(): Promise<void>;
}

export interface StackOptions {
  core?: FakeCore;
  host?: string;
  port?: number;
  allowedHosts?: string[];
  allowedOrigins?: string[];
  batchSize?: number;
  flushInterval?: number;
  sendBudget?: number;
  maxMessageSize?: number;
  heartbeatInterval?: number;
  authTimeout?: number;
  logger?: Logger;
  maxConnections?: number;
  maxUnauthenticated?: number;
  maxAuthMessageSize?: number;
}

/** The real transport (pump, sessions, server) on a fake core, listening on port 0. */
export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const core = options.core ?? fakeCore();
  const config = {
    token: TOKEN,
    batchSize: options.batchSize ?? 500,
    flushInterval: options.flushInterval ?? 10,
    sendBudget: options.sendBudget ?? 4 * 1024 * 1024,
    maxMessageSize: options.maxMessageSize ?? 64 * 1024,
    heartbeatInterval: options.heartbeatInterval ?? 15_000,
    authTimeout: options.authTimeout ?? 5000,
  };
  const pump = new Pump(core.log, config, silent);
  const joined: string[] = [];
  const left: { id: string; reason: string }[] = [];
  const logger = options.logger ?? silent;
  const sessions = new SessionSet(core, pump, config, { inspector: (i) => joined.push(i.id), inspectorLeft: (i) => left.push(i) }, logger);
  const server = new AgentServer(
    {
      host: options.host ?? '127.0.0.1',
      port: options.port ?? 0,
      token: TOKEN,
      allowedHosts: options.allowedHosts ?? [],
      allowedOrigins: options.allowedOrigins ?? [],
      maxMessageSize: config.maxMessageSize,
      maxConnections: options.maxConnections ?? 64,
      maxUnauthenticated: options.maxUnauthenticated ?? 16,
      maxAuthMessageSize: options.maxAuthMessageSize ?? 4096,
    },
    sessions,
    logger,
  );
  const outcome = await server.listen();
  if ('error' in outcome) throw outcome.error;
  return {
    core,
    pump,
    sessions,
    server,
    port: outcome.port,
    url: `ws://127.0.0.1:${outcome.port}/`,
    joined,
    left,
    async close() {
      await sessions.closeAll(200);
      pump.close();
      await server.close();
    },
  };
}

/** A real agent on port 0: quiet, not instrumenting the test's own servers; closed after the test. */
export function testAgent(options: AgentOptions = {}): Agent {
  const agent = createAgent({ port: 0, logger: false, autoInstrument: false, ...options });
  onCleanup(() => agent.close());
  return agent;
}

/** An inspector of `agent` that has received its snapshot; dropped after the test. */
export async function inspectAgent(agent: Agent): Promise<Client> {
  const client = await Client.open(agent.url);
  onCleanup(() => client.ws.terminate());
  await client.until(() => client.of('snapshot').length === 1, 'snapshot');
  return client;
}

/** An inspector that records every message it receives. */
export class Client {
  readonly messages: AgentMessage[] = [];
  closeCode: number | undefined;
  private readonly waiters = new Set<() => void>();

  constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      this.messages.push(JSON.parse(data.toString()) as AgentMessage);
      this.notify();
    });
    ws.on('close', (code) => {
      this.closeCode = code;
      this.notify();
    });
    ws.on('error', () => {});
  }

  static async open(url: string, options: WebSocket.ClientOptions = {}): Promise<Client> {
    const client = new Client(new WebSocket(url, options));
    await new Promise<void>((resolve, reject) => {
      client.ws.once('open', () => resolve());
      client.ws.once('error', reject);
    });
    return client;
  }

  send(value: unknown): void {
    this.ws.send(typeof value === 'string' ? value : JSON.stringify(value));
  }

  /** Every event received in `snapshot` and `batch` frames, in arrival order. */
  events(): AgentEvent[] {
    return this.messages.flatMap((m) => (m.type === 'batch' || m.type === 'snapshot' ? m.events : []));
  }

  of<T extends AgentMessage['type']>(type: T): Extract<AgentMessage, { type: T }>[] {
    return this.messages.filter((m): m is Extract<AgentMessage, { type: T }> => m.type === type);
  }

  response(id: string | number): Extract<AgentMessage, { type: 'response' }> | undefined {
    return this.of('response').find((m) => m.id === id);
  }

  /** Sends a request and waits for its response. */
  async request(body: Record<string, unknown> & { id: string | number }): Promise<Extract<AgentMessage, { type: 'response' }>> {
    this.send(body);
    await this.until(() => this.response(body.id) !== undefined, `response ${body.id}`);
    return this.response(body.id)!;
  }

  until(condition: () => boolean, what: string, timeout = 8000): Promise<void> {
    if (condition()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const check = () => {
        if (!condition()) return;
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve();
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`timed out waiting for ${what}; got ${JSON.stringify(this.messages.map((m) => m.type))}`));
      }, timeout);
      this.waiters.add(check);
    });
  }

  closed(): Promise<number> {
    return this.until(() => this.closeCode !== undefined, 'close').then(() => this.closeCode!);
  }

  private notify(): void {
    for (const check of [...this.waiters]) check();
  }
}

/** Polls a condition (for state outside a client), failing after `timeout` ms. */
export async function waitFor(condition: () => boolean, what: string, timeout = 8000): Promise<void> {
  const deadline = Date.now() + timeout;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export function publishMarks(core: AgentCore, count: number, label = 'm'): void {
  for (let i = 0; i < count; i++) core.log.publish({ type: 'mark', label: `${label}${i}` });
}

/**
 * A bare WebSocket server playing the hub: pairs as a hub does when it holds
 * `pairingToken` (or, holding another one, tries), then records each agent
 * link as a Client. Every frame an agent sends, pairing included, is kept in
 * `received`.
 */
export class FakeHub {
  readonly links: Client[] = [];
  readonly urls: string[] = [];
  readonly received: string[] = [];
  /** The instance key each paired link showed. */
  readonly keys: string[] = [];
  private constructor(
    readonly wss: WebSocketServer,
    pairingToken: string,
  ) {
    wss.on('connection', (ws, req) => {
      const url = new URL(req.url ?? '/', 'http://hub');
      this.urls.push(req.url ?? '');
      ws.on('message', (data) => this.received.push(String(data)));
      const nonce = newNonce();
      ws.send(JSON.stringify({ type: 'pair', id: 'pair', nonce, proof: hubProof(pairingToken, url.searchParams.get('challenge') ?? '') }));
      ws.once('message', (data) => {
        const result = (JSON.parse(String(data)) as { result?: PairResult }).result;
        if (result && proofMatches(result.proof, agentProof(pairingToken, nonce)) && verifyInstance(result.key, nonce, result.signature)) this.keys.push(result.key);
        this.links.push(new Client(ws));
      });
    });
  }

  static async start(port = 0, pairingToken = 'PAIRING'): Promise<FakeHub> {
    const wss = new WebSocketServer({ port, host: '127.0.0.1' });
    await new Promise<void>((resolve, reject) => {
      wss.once('listening', resolve);
      wss.once('error', reject);
    });
    return new FakeHub(wss, pairingToken);
  }

  get port(): number {
    return (this.wss.address() as AddressInfo).port;
  }

  /** Kill it: every link dropped without a close handshake, then the port released. */
  async kill(): Promise<void> {
    for (const client of this.wss.clients) client.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }
}
