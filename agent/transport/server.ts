import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { markInternal } from '../../shared/node/internal-mark.js';
import { PROTOCOL_VERSION } from '../../shared/protocol.js';
import type { Logger } from '../types.js';
import { isAllowedHost, isAllowedOrigin } from '../../shared/host-policy.js';
import type { SessionSet } from './sessions.js';
import type { ProtocolSession } from '../../shared/node/protocol-server/session.js';
import { tokenMatches } from '../../shared/node/token.js';
import { refuseUpgrade } from '../../shared/node/protocol-server/refuse-upgrade.js';
import { parseStartPlan } from '../../shared/node/protocol-server/stream.js';
import { parseRequestTarget } from '../../shared/node/request-target.js';
import { Admission, type AdmissionLimits } from '../../shared/node/protocol-server/admission.js';
import { HTTP_TIMEOUTS } from '../../shared/node/protocol-server/http-timeouts.js';

export interface ServerOptions extends AdmissionLimits {
  host: string;
  port: number;
  token: string;
  allowedHosts: readonly string[];
  allowedOrigins: readonly string[];
  maxMessageSize: number;
}


/** Frames beyond this are cut off by ws itself (close 1009) instead of being read to answer FRAME_TOO_LARGE. */
export function maxPayloadFor(maxMessageSize: number): number {
  return Math.max(16 * maxMessageSize, 1024 * 1024);
}

/**
 * The agent's listening side: one HTTP server that upgrades `/` to a
 * WebSocket after the Host, Origin and token checks, and answers
 * `GET /status` so a browser can tell "token refused" from "agent down"
 * (it cannot read a refused upgrade's status).
 */
export class AgentServer {
  private readonly http: Server;
  private readonly wss: WebSocketServer;
  private readonly sockets = new Set<Socket>();
  private readonly admission: Admission;
  private boundPort = 0;

  constructor(
    private readonly options: ServerOptions,
    private readonly sessions: SessionSet,
    private readonly logger: Logger,
  ) {
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: maxPayloadFor(options.maxMessageSize),
      // Invalid UTF-8 is answered with BAD_JSON instead of ws closing the socket.
      skipUTF8Validation: true,
      perMessageDeflate: false,
      clientTracking: false,
    });
    this.wss.on('error', (err) => logger.warn('inspector WebSocket server error', err));
    this.http = createServer(HTTP_TIMEOUTS, (req, res) => this.guard(() => this.onRequest(req, res), () => res.destroy()));
    markInternal(this.http);
    this.admission = new Admission(this.http, options);
    this.http.on('upgrade', (req, socket, head) => this.guard(() => this.onUpgrade(req, socket, head), () => socket.destroy()));
    this.http.on('connection', (socket) => {
      // The agent alone never keeps the host process alive.
      socket.unref();
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    this.http.on('clientError', (_err, socket) => socket.destroy());
  }

  /** The bound port (0 when not listening). */
  get port(): number {
    return this.boundPort;
  }

  /** Resolves with the bound port, or with an error (EADDRINUSE…) instead of rejecting. */
  listen(): Promise<{ port: number } | { error: Error & { code?: string } }> {
    return new Promise((resolve) => {
      const onError = (error: Error & { code?: string }) => {
        this.http.off('listening', onListening);
        resolve({ error });
      };
      const onListening = () => {
        this.http.off('error', onError);
        this.http.on('error', (err) => this.logger.warn('inspector server error', err));
        const address = this.http.address();
        this.boundPort = typeof address === 'object' && address ? address.port : 0;
        resolve({ port: this.boundPort });
      };
      this.http.once('error', onError);
      this.http.once('listening', onListening);
      try {
        this.http.listen({ host: this.options.host, port: this.options.port });
        this.http.unref();
      } catch (err) {
        onError(err as Error);
      }
    });
  }

  /** Stops accepting; existing sockets are destroyed (sessions should be closed first). */
  close(): Promise<void> {
    return new Promise((resolve) => {
      for (const socket of this.sockets) socket.destroy();
      this.wss.close();
      if (!this.http.listening) return resolve();
      this.http.close(() => resolve());
    });
  }

  private hostAllowed(req: IncomingMessage): boolean {
    return isAllowedHost(req.headers.host, { allowedHosts: this.options.allowedHosts, bindHost: this.options.host });
  }

  private onRequest(req: IncomingMessage, res: ServerResponse): void {
    if (!this.hostAllowed(req)) return plain(res, 403, 'Forbidden host');
    const url = parseRequestTarget(req.url);
    if (!url) return plain(res, 400, 'Bad Request');
    if (url.pathname !== '/status') return plain(res, 404, 'Not found');
    if (req.method !== 'GET') {
      res.setHeader('Allow', 'GET');
      return plain(res, 405, 'Method not allowed');
    }
    const origin = req.headers.origin;
    if (!isAllowedOrigin(origin, this.options.allowedOrigins)) return plain(res, 403, 'Forbidden origin');
    if (origin !== undefined) {
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.setHeader('Vary', 'Origin');
    }
    res.setHeader('Cache-Control', 'no-store');
    const token = url.searchParams.get('token');
    if (token !== null && tokenMatches(token, this.options.token)) {
      return json(res, 200, { ok: true, protocol: PROTOCOL_VERSION });
    }
    json(res, 401, { error: { code: 'UNAUTHORIZED', message: token === null ? 'token missing' : 'wrong token' } });
  }

  private onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => socket.destroy());
    if (!this.hostAllowed(req)) return refuseUpgrade(socket, 403, 'Forbidden host');
    if (!isAllowedOrigin(req.headers.origin, this.options.allowedOrigins)) return refuseUpgrade(socket, 403, 'Forbidden origin');
    const url = parseRequestTarget(req.url);
    if (!url) return refuseUpgrade(socket, 400, 'Bad Request');
    if (url.pathname !== '/') return refuseUpgrade(socket, 404, 'Not found');
    const token = url.searchParams.get('token');
    if (token !== null && !tokenMatches(token, this.options.token)) return refuseUpgrade(socket, 401, 'Unauthorized');
    const plan = parseStartPlan(url.searchParams);
    if (!plan) return refuseUpgrade(socket, 400, 'Bad Request');
    const remote = `${req.socket.remoteAddress ?? '?'}:${req.socket.remotePort ?? '?'}`;
    const raw = req.socket;
    let session: ProtocolSession | undefined;
    if (token !== null) this.admission.authenticated(raw);
    else if (!this.admission.mayAwaitAuth()) return refuseUpgrade(socket, 503, 'Busy');
    else this.admission.limitUntilAuthenticated(raw, head, () => (session ? session.cutOff() : raw.destroy()));
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      session = this.sessions.attach(ws, { remote, direction: 'in', authenticated: token !== null, plan, onAuthenticated: () => this.admission.authenticated(raw) });
    });
  }

  private guard(fn: () => void, onError: () => void): void {
    try {
      fn();
    } catch (err) {
      this.logger.error('inspector server request failed', err);
      try {
        onError();
      } catch {
        // Already gone.
      }
    }
  }
}

function plain(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}
