import { connect as netConnect, isIP, type NetConnectOpts, type Socket } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls';
import WebSocket from 'ws';
import { backoffDelay, type BackoffPolicy } from '../../shared/backoff.js';
import { InstanceKey, newNonce } from '../../shared/node/pairing.js';
import { CloseCode } from '../../shared/node/protocol-server/session.js';
import type { Logger } from '../types.js';
import { pairWithHub } from './hub-pairing.js';
import { maxPayloadFor } from './server.js';
import type { SessionSet } from './sessions.js';

/** A link that stayed open this long resets the retry delay to its minimum. */
const STABLE_LINK_MS = 5000;
/** How long the hub has to prove it holds the pairing token once the socket is open. */
const PAIRING_TIMEOUT = 10_000;

export interface DialOptions {
  url: string;
  maxMessageSize: number;
  /** First retry delay in ms. Default 500. */
  minDelay?: number;
  /** Longest retry delay in ms (also used after a refused token). Default 30 000. */
  maxDelay?: number;
}

export interface DialEvents {
  error(err: Error & { code?: string }): void;
}

/**
 * Dial mode: connect out to a hub and serve it like an inspector (it sends
 * `subscribe {since}` after our `hello`) — once it proved it holds the
 * pairing token, which never travels itself (pairWithHub). Retries forever
 * with exponential backoff and ±20% jitter on unref'd timers; the ring
 * buffer holds events meanwhile, and the hub resumes from its last seq when
 * the link returns.
 */
export class Dialer {
  private ws: WebSocket | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private attempt = 0;
  private stopped = false;
  private readonly backoff: BackoffPolicy;
  /** The URL without its token, safe to show and log, and what is dialled (plus a challenge). */
  readonly remote: string;
  private readonly pairingToken: string | undefined;
  private readonly invalid: string | undefined;
  /** This process's identity to the hub, the same on every reconnect. */
  private readonly key = new InstanceKey();

  constructor(
    private readonly options: DialOptions,
    private readonly sessions: SessionSet,
    private readonly events: DialEvents,
    private readonly logger: Logger,
  ) {
    // ±20% jitter: the hub sees agents of a fleet come back spread out.
    this.backoff = { min: options.minDelay ?? 500, max: options.maxDelay ?? 30_000, spread: [0.8, 1.2] };
    const parsed = parseDialUrl(options.url);
    this.remote = parsed.remote;
    this.pairingToken = parsed.pairingToken;
    this.invalid = parsed.invalid;
  }

  start(): void {
    this.connect();
  }

  /** Stop retrying and abandon a connection attempt; an open link is the session set's to close (with 1001). */
  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.ws && this.ws.readyState === WebSocket.CONNECTING) this.ws.terminate();
    this.ws = undefined;
  }

  private connect(): void {
    if (this.stopped) return;
    if (this.invalid !== undefined || this.pairingToken === undefined) {
      // A malformed URL will not get better by retrying.
      this.stopped = true;
      this.events.error(withCode(new Error(`cannot dial ${this.remote}: ${this.invalid ?? 'no pairing token (?token=…)'}`), 'INVALID_DIAL_URL'));
      return;
    }
    const challenge = newNonce();
    const url = new URL(this.remote);
    url.searchParams.set('challenge', challenge);
    let ws: WebSocket;
    try {
      ws = new WebSocket(url.href, {
        maxPayload: maxPayloadFor(this.options.maxMessageSize),
        skipUTF8Validation: true,
        perMessageDeflate: false,
        handshakeTimeout: 10_000,
        createConnection: unrefConnector(url.protocol === 'wss:' || url.protocol === 'https:'),
      });
    } catch (err) {
      this.stopped = true;
      this.events.error(withCode(new Error(`cannot dial ${this.remote}: ${(err as Error).message.replace(url.href, this.remote)}`), 'INVALID_DIAL_URL'));
      return;
    }
    this.ws = ws;
    let refused = false;
    ws.on('error', (err: Error & { code?: string }) => {
      const status = /Unexpected server response: (\d+)/.exec(err.message)?.[1];
      if (status === '401' || status === '403') {
        refused = true;
        this.events.error(
          withCode(
            new Error(`the hub at ${this.remote} refused the connection (HTTP ${status}): check the dial URL it printed, and that it runs the same bridgescope version`),
            'UNAUTHORIZED',
          ),
        );
      } else {
        this.logger.warn(`cannot reach the hub at ${this.remote}, retrying`, err.code ?? err.message);
      }
    });
    let openedAt: number | undefined;
    ws.on('open', () => {
      void pairWithHub(ws, { pairingToken: this.pairingToken!, challenge, key: this.key }, PAIRING_TIMEOUT).then((outcome) => {
        if (ws.readyState !== ws.OPEN) return;
        if (outcome.ok) {
          openedAt = Date.now();
          this.sessions.attach(ws, { remote: this.remote, direction: 'out', authenticated: true, plan: { kind: 'wait' } });
          return;
        }
        refused = true;
        this.events.error(
          withCode(
            new Error(
              `the server at ${this.remote} did not prove it holds the pairing token (${outcome.reason}), so nothing was sent to it: ` +
                'the ?token= in the dial URL is not this hub\'s (it changes on each `bridgescope serve` run), or something else listens on that port',
            ),
            'HUB_UNVERIFIED',
          ),
        );
        ws.close(CloseCode.unauthorized, 'hub not verified');
      });
    });
    ws.on('close', (code) => {
      if (this.ws === ws) this.ws = undefined;
      if (code === CloseCode.unauthorized && openedAt === undefined && !refused) {
        refused = true;
        this.events.error(withCode(new Error(`the hub at ${this.remote} refused this agent's pairing proof`), 'UNAUTHORIZED'));
      }
      // Only a link that held for a while resets the backoff: a hub that
      // accepts and at once drops us must not be redialled in a tight loop.
      if (openedAt !== undefined && Date.now() - openedAt >= STABLE_LINK_MS) this.attempt = 0;
      this.retry(refused);
    });
  }

  private retry(refused: boolean): void {
    if (this.stopped || this.timer) return;
    // A refused token will not fix itself soon: straight to the longest delay.
    this.attempt++;
    const delay = backoffDelay(refused ? Infinity : this.attempt, Math.random(), this.backoff);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.connect();
    }, delay);
    this.timer.unref();
  }
}

/** ws's own connectors, plus unref: the link to a hub must not keep the host process alive on its own. */
function unrefConnector(secure: boolean): typeof netConnect {
  const connect = (options: Record<string, unknown>): Socket => {
    let socket: Socket;
    if (secure) {
      const host = typeof options.host === 'string' ? options.host : '';
      const servername = options.servername ?? (isIP(host) ? '' : host);
      socket = tlsConnect({ ...options, path: undefined, servername } as ConnectionOptions);
    } else {
      socket = netConnect({ ...options, path: options.socketPath } as NetConnectOpts);
    }
    socket.unref();
    return socket;
  };
  return connect as unknown as typeof netConnect;
}

function withCode(err: Error, code: string): Error & { code: string } {
  return Object.assign(err, { code });
}

/**
 * The dial URL as it is dialled and shown: without its `token`, which is the
 * pairing secret and never leaves the process (not even in an error).
 */
function parseDialUrl(given: string): { remote: string; pairingToken?: string; invalid?: string } {
  let url: URL;
  try {
    url = new URL(given);
  } catch {
    return { remote: given.replace(/([?&]token=)[^&#\s]*/g, '$1…'), invalid: 'not a valid URL' };
  }
  const pairingToken = url.searchParams.get('token') || undefined;
  url.searchParams.delete('token');
  const remote = url.href;
  if (!['ws:', 'wss:', 'http:', 'https:'].includes(url.protocol)) return { remote, invalid: 'the dial URL must start with ws:// or wss://' };
  return pairingToken === undefined ? { remote } : { remote, pairingToken };
}
