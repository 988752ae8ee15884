/**
 * The inspector server behind `bridgescope serve`: serves the built UI and
 * hosts the hub. Agents dial in on `/agent` (or the hub dials out to
 * listening ones); UIs read the target list on `/ui` and each target, history
 * first, on `/target/<key>` — the agent protocol, so the UI's AgentLink works
 * unchanged against a hub.
 */
import { createReadStream, promises as fs } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { WebSocketServer } from 'ws';
import { PROTOCOL_VERSION } from '../../shared/protocol.js';
import type { Logger } from '../../shared/logger.js';
import { bracketHost, isAllowedHost, type HostPolicy } from '../../shared/host-policy.js';
import { newToken, tokenMatches } from '../../shared/node/token.js';
import { startAdbReverse, type AdbReverse } from './adb.js';
import { MAX_AGENT_FRAME, OutboundAgent } from './dial-out.js';
import { Heartbeat } from '../../shared/node/protocol-server/heartbeat.js';
import { parseRequestTarget } from '../../shared/node/request-target.js';
import { Admission, type DropReason } from '../../shared/node/protocol-server/admission.js';
import { HTTP_TIMEOUTS } from '../../shared/node/protocol-server/http-timeouts.js';
import { printable } from '../../shared/printable.js';
import { HubLog } from './hub-log.js';
import type { TargetStats } from './hub-target.js';
import { createUpgradeHandler } from './upgrades.js';
import { Hub } from './hub.js';
import { defaultUiDir } from '../../shared/node/package-root.js';
import { DEFAULT_RECORD_MAX_BYTES, Recorder } from './recorder.js';
import { createStaticHandler, securityHeaders } from './static-files.js';
import { markInternal } from '../../shared/node/internal-mark.js';

export { ADB_MISSING } from './adb.js';
export type { TargetInfo, TargetsMessage } from '../../shared/hub-protocol.js';
export type { TargetStats } from './hub-target.js';

export const DEFAULT_SERVE_PORT = 9231;
/** Host names an Android emulator (10.0.2.2) or Genymotion (10.0.3.2) uses for the host machine. */
export const EMULATOR_HOST_ALIASES = ['10.0.2.2', '10.0.3.2'];

export interface InspectorServerOptions {
  /** Interface to listen on. Default `127.0.0.1`. */
  host?: string;
  /** Port; default 9231, `0` picks a free one. */
  port?: number;
  /** Built UI directory. Default `<package root>/dist/ui`. */
  uiDir?: string;
  /** Secret for the UI (`/ui`, `/target/…`, `/recording`). Default `BRIDGESCOPE_TOKEN` or random. */
  token?: string;
  /** Secret agents dial with (`/agent?token=…`). Default: the token. */
  pairingToken?: string;
  /** Listening agents to connect out to (`ws://127.0.0.1:9230/?token=…`). */
  agents?: string[];
  /** Write every target to NDJSON recordings in this directory. */
  recordDir?: string;
  /** Rotate a recording file past this size. Default 50 MB. */
  recordMaxBytes?: number;
  /** Run `adb reverse tcp:PORT tcp:PORT` for every connected Android device. */
  adb?: boolean;
  /** A recording file to serve at `/recording` (the UI URL then says `&recording=1`). */
  open?: string;
  /** Extra Host header values accepted (loopback and the bound host always are). */
  allowedHosts?: string[];
  /** Extra browser origins allowed (loopback origins always are). */
  allowedOrigins?: string[];
  /** History kept per target, in lines (hellos, events, gaps). Default 200,000. */
  historyLines?: number;
  /** History kept per target, in bytes held (the events' JSON in UTF-8, outside the JS heap, and 28 bytes a line). Default 32 MiB. */
  historyBytes?: number;
  /** History kept for all targets together, in bytes; past it the largest history gives up its oldest lines. Default 256 MiB. */
  maxHistoryBytes?: number;
  /** Milliseconds an offline target nobody watches stays listed (its recording stays on disk). Default 15 minutes. */
  forgetAfter?: number;
  /** Targets kept at most; past it the one offline the longest is forgotten. Default 256. */
  maxTargets?: number;
  /** Ping interval for agent and UI sockets, in ms. Default 15000. */
  heartbeatInterval?: number;
  /** Most connections at once (agents, UIs, HTTP requests). Default 512. */
  maxConnections?: number;
  /** Most connections that have not shown a token yet; past it the oldest is dropped. Default 64. */
  maxUnauthenticated?: number;
  /** `adb devices` poll interval, in ms. Default 2000. */
  adbPollInterval?: number;
  /** Default: warnings and errors to the console. `debug` carries attach/detach notices. */
  logger?: Logger;
}

export interface InspectorServer {
  /** `http://HOST:PORT/?token=…` (plus `&recording=1` with `open`). */
  uiUrl: string;
  /** `ws://HOST:PORT/agent?token=PAIRING`: what agents dial. */
  hubUrl: string;
  port: number;
  token: string;
  pairingToken: string;
  /** Diagnostics: history bytes held for all targets, and each target's figures. */
  stats(): { historyBytes: number; targets: TargetStats[] };
  close(): Promise<void>;
}

const MAX_UI_REQUEST = 64 * 1024;
/** Unsent bytes a UI socket may hold before the hub stops sending to it (it then gets a gap). */
const UI_SEND_BUDGET = 4 * 1024 * 1024;
/** Milliseconds a UI that connected without a token has to send `auth`. */
const AUTH_TIMEOUT = 5000;
/** Bytes a socket may send before it has authenticated: one `auth` message. */
const MAX_AUTH_MESSAGE = 4096;
export const DEFAULT_MAX_CONNECTIONS = 512;
export const DEFAULT_MAX_UNAUTHENTICATED = 64;
export const DEFAULT_HISTORY_BYTES = 32 * 1024 * 1024;
export const DEFAULT_MAX_HISTORY_BYTES = 256 * 1024 * 1024;
export const DEFAULT_FORGET_AFTER = 15 * 60_000;
export const DEFAULT_MAX_TARGETS = 256;
/** How long a target's live agent has to answer a ping before a newcomer of its name may take its place. */
const LIVENESS_TIMEOUT = 3000;

const DROP_REASONS: Record<DropReason, string> = {
  connections: 'over --max-connections',
  unauthenticated: 'the oldest of more than --max-unauthenticated connections without a token',
  'auth-message-size': 'it sent more than an auth message before authenticating',
  'upgrade-rate': 'too many token-less upgrades a second (HTTP 503)',
};

const consoleLogger: Logger = {
  warn: (message) => console.warn(`[bridgescope] ${message}`),
  error: (message) => console.error(`[bridgescope] ${message}`),
};

/** `127.0.0.1`, `[::1]`; wildcard binds are shown as loopback, which always works locally. */
function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return bracketHost(host);
}

function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { ...securityHeaders(), 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(`${text}\n`);
}

export async function startInspectorServer(options: InspectorServerOptions = {}): Promise<InspectorServer> {
  const host = options.host ?? '127.0.0.1';
  const token = options.token ?? (process.env.BRIDGESCOPE_TOKEN || newToken());
  const pairingToken = options.pairingToken ?? token;
  const logger = options.logger ?? consoleLogger;
  const heartbeatInterval = options.heartbeatInterval ?? 15_000;
  const allowedOrigins = options.allowedOrigins ?? [];
  const hostPolicy: HostPolicy = { allowedHosts: options.allowedHosts ?? [], bindHost: host };
  // Emulators reach the host machine through these aliases; the pairing token still guards /agent.
  const agentHostPolicy: HostPolicy = { ...hostPolicy, allowedHosts: [...hostPolicy.allowedHosts, ...EMULATOR_HOST_ALIASES] };
  const recording = options.open ? resolve(options.open) : undefined;
  if (recording) await fs.access(recording);
  let recorder: Recorder | undefined;
  if (options.recordDir) {
    await fs.mkdir(options.recordDir, { recursive: true });
    recorder = new Recorder(resolve(options.recordDir), options.recordMaxBytes ?? DEFAULT_RECORD_MAX_BYTES, logger);
  }

  let port = 0;
  const base = () => `${urlHost(host)}:${port}`;
  const heartbeat = new Heartbeat(heartbeatInterval);
  const log = new HubLog(logger);
  const hub = new Hub({
    log,
    history: { maxLines: options.historyLines ?? 200_000, maxBytes: options.historyBytes ?? DEFAULT_HISTORY_BYTES },
    maxHistoryBytes: options.maxHistoryBytes ?? DEFAULT_MAX_HISTORY_BYTES,
    forgetAfter: options.forgetAfter ?? DEFAULT_FORGET_AFTER,
    maxTargets: options.maxTargets ?? DEFAULT_MAX_TARGETS,
    ...(recorder ? { recorder } : {}),
    targetUrl: (key) => `ws://${base()}/target/${encodeURIComponent(key)}?token=${encodeURIComponent(token)}`,
    helloTimeout: 10_000,
    livenessTimeout: LIVENESS_TIMEOUT,
    heartbeat,
    session: { token, batchSize: 500, sendBudget: UI_SEND_BUDGET, maxMessageSize: MAX_UI_REQUEST, authTimeout: AUTH_TIMEOUT },
  });
  const serveStatic = createStaticHandler(options.uiDir ?? defaultUiDir());
  const agentSockets = new WebSocketServer({ noServer: true, maxPayload: MAX_AGENT_FRAME, perMessageDeflate: false });
  const uiSockets = new WebSocketServer({ noServer: true, maxPayload: MAX_UI_REQUEST, perMessageDeflate: false });

  function onRequest(req: IncomingMessage, res: ServerResponse): void {
    if (!isAllowedHost(req.headers.host, hostPolicy)) return sendText(res, 403, `Host not allowed: ${req.headers.host ?? '(none)'}`);
    const url = parseRequestTarget(req.url);
    if (!url) return sendText(res, 400, 'Bad Request: the request target must be a path');
    if (url.pathname === '/status') {
      if (!tokenMatches(url.searchParams.get('token') ?? '', token)) return sendText(res, 401, 'wrong or missing token');
      res.writeHead(200, { ...securityHeaders(), 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
      res.end(JSON.stringify({ hub: true, protocol: PROTOCOL_VERSION, targets: hub.list().length }));
      return;
    }
    if (url.pathname === '/recording') {
      if (!tokenMatches(url.searchParams.get('token') ?? '', token)) return sendText(res, 401, 'wrong or missing token');
      if (!recording) return sendText(res, 404, 'no recording: start with bridgescope serve --open FILE');
      // The length lets the UI show how much is read; big reads keep a large file quick to stream.
      fs.stat(recording).then(
        (stats) => {
          res.writeHead(200, {
            ...securityHeaders(),
            'Content-Type': 'application/x-ndjson; charset=utf-8',
            'Cache-Control': 'no-store',
            'Content-Length': stats.size,
          });
          createReadStream(recording, { highWaterMark: 1 << 20 })
            .on('error', () => res.destroy())
            .pipe(res);
        },
        () => sendText(res, 500, 'could not read the recording'),
      );
      return;
    }
    serveStatic(req, res, url.pathname).catch(() => {
      if (!res.headersSent) sendText(res, 500, 'could not read the UI files');
      else res.destroy();
    });
  }

  /** No request may take the hub down: whatever a handler throws costs that request only. */
  function guarded<A extends unknown[]>(handle: (...args: A) => void, drop: (...args: A) => void): (...args: A) => void {
    return (...args) => {
      try {
        handle(...args);
      } catch (error) {
        log.error('request-failed', `a request failed: ${printable((error as Error).message)}`);
        drop(...args);
      }
    };
  }

  const server = createServer(HTTP_TIMEOUTS, guarded(onRequest, (_req, res) => res.destroy()));
  markInternal(server);
  const admission = new Admission(
    server,
    {
      maxConnections: options.maxConnections ?? DEFAULT_MAX_CONNECTIONS,
      maxUnauthenticated: options.maxUnauthenticated ?? DEFAULT_MAX_UNAUTHENTICATED,
      maxAuthMessageSize: MAX_AUTH_MESSAGE,
    },
    (reason) => log.warn(`drop-${reason}`, `dropped a connection: ${DROP_REASONS[reason]}`),
  );
  const onUpgrade = createUpgradeHandler({
    hub,
    log,
    admission,
    heartbeat,
    token,
    pairingToken,
    hostPolicy,
    agentHostPolicy,
    allowedOrigins,
    agentSockets,
    uiSockets,
    uiSendBudget: UI_SEND_BUDGET,
  });
  server.on('upgrade', guarded(onUpgrade, (_req, socket) => socket.destroy()));
  server.on('clientError', (_error, socket) => socket.destroy());
  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? DEFAULT_SERVE_PORT, host, () => {
      server.off('error', reject);
      resolveListen();
    });
  });
  server.on('error', (error) => logger.error(`server error: ${error.message}`));
  port = (server.address() as AddressInfo).port;

  const outbound: OutboundAgent[] = [];
  try {
    for (const url of options.agents ?? []) outbound.push(new OutboundAgent(url, hub, log));
  } catch (error) {
    server.close();
    throw error;
  }
  for (const agent of outbound) agent.start();
  let adb: AdbReverse | undefined;
  if (options.adb) {
    adb = startAdbReverse({ port, logger, ...(options.adbPollInterval ? { pollInterval: options.adbPollInterval } : {}) });
    await adb.ready;
  }

  let closing: Promise<void> | undefined;
  return {
    uiUrl: `http://${base()}/?token=${encodeURIComponent(token)}${recording ? '&recording=1' : ''}`,
    hubUrl: `ws://${base()}/agent?token=${encodeURIComponent(pairingToken)}`,
    port,
    token,
    pairingToken,
    stats: () => ({ historyBytes: hub.historyBytes, targets: hub.stats() }),
    close() {
      closing ??= (async () => {
        adb?.close();
        for (const agent of outbound) agent.close();
        heartbeat.stop();
        const targetsClosed = hub.close();
        log.close();
        for (const ws of [...agentSockets.clients, ...uiSockets.clients]) ws.terminate();
        agentSockets.close();
        uiSockets.close();
        const serverClosed = new Promise<void>((resolveClose) => server.close(() => resolveClose()));
        server.closeAllConnections?.();
        await Promise.all([serverClosed, targetsClosed]);
      })();
      return closing;
    },
  };
}
