import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { WebSocketServer } from 'ws';
import { isAllowedHost, isAllowedOrigin, type HostPolicy } from '../../shared/host-policy.js';
import { printable } from '../../shared/printable.js';
import type { Admission } from '../../shared/node/protocol-server/admission.js';
import type { Heartbeat } from '../../shared/node/protocol-server/heartbeat.js';
import { refuseUpgrade } from '../../shared/node/protocol-server/refuse-upgrade.js';
import type { ProtocolSession } from '../../shared/node/protocol-server/session.js';
import { parseStartPlan } from '../../shared/node/protocol-server/stream.js';
import { parseRequestTarget } from '../../shared/node/request-target.js';
import { tokenMatches } from '../../shared/node/token.js';
import type { Hub } from './hub.js';
import type { HubLog } from './hub-log.js';
import { feedTargets } from './targets-feed.js';

export interface UpgradeContext {
  hub: Hub;
  log: HubLog;
  admission: Admission;
  heartbeat: Heartbeat;
  token: string;
  pairingToken: string;
  hostPolicy: HostPolicy;
  /** Also accepts the emulator aliases, for `/agent`. */
  agentHostPolicy: HostPolicy;
  allowedOrigins: readonly string[];
  agentSockets: WebSocketServer;
  uiSockets: WebSocketServer;
  /** Unsent bytes a `/ui` socket may hold before its list is only marked stale. */
  uiSendBudget: number;
}

/**
 * The hub's WebSocket endpoints, after the Host and Origin checks:
 * `/agent` (agents dial in: a pairing challenge, or the pairing token on the
 * URL from agents older than pairing), `/ui` (the target list) and
 * `/target/<key>` (one target as the agent protocol, authenticated as an
 * agent authenticates).
 */
export function createUpgradeHandler(context: UpgradeContext): (req: IncomingMessage, socket: Duplex, head: Buffer) => void {
  const { hub, log, admission, heartbeat, token, pairingToken } = context;
  return (req, socket, head) => {
    socket.on('error', () => {});
    const url = parseRequestTarget(req.url);
    if (!url) return refuseUpgrade(socket, 400, 'Bad Request: the request target must be a path\n');
    const isAgent = url.pathname === '/agent';
    const remote = `${req.socket.remoteAddress ?? '?'}:${req.socket.remotePort ?? '?'}`;
    const raw = req.socket;
    if (!isAllowedHost(req.headers.host, isAgent ? context.agentHostPolicy : context.hostPolicy)) {
      const shown = printable(req.headers.host ?? '(none)', 100);
      if (isAgent) log.warn('agent-host', `refused an agent from ${remote}: Host "${shown}" not allowed (add it with --allowed-host)`);
      return refuseUpgrade(socket, 403, `Host not allowed: ${shown}. Add it with --allowed-host if you meant it.\n`);
    }
    if (!isAllowedOrigin(req.headers.origin, context.allowedOrigins)) {
      return refuseUpgrade(socket, 403, `Origin not allowed: ${printable(req.headers.origin ?? '', 100)}. Add it with --allowed-origin if you meant it.\n`);
    }
    const given = url.searchParams.get('token');
    const challenge = url.searchParams.get('challenge');
    if (isAgent) {
      if (given === null && challenge !== null && /^[A-Za-z0-9_-]{16,128}$/.test(challenge)) {
        // The agent proves the pairing token (and its key) in its first message, after the hub proved it.
        if (!admission.mayAwaitAuth()) return refuseUpgrade(socket, 503, 'Bridgescope hub: too many agents pairing right now; retry.\n');
        let cutOff: () => void = () => raw.destroy();
        admission.limitUntilAuthenticated(raw, head, () => cutOff());
        context.agentSockets.handleUpgrade(req, socket, head, (ws) => {
          cutOff = () => ws.terminate();
          hub.adopt(ws, 'in', remote, { pairingToken, challenge, onPaired: () => admission.authenticated(raw) });
        });
        return;
      }
      if (!tokenMatches(given ?? '', pairingToken)) {
        log.warn('agent-token', `refused an agent from ${remote}: wrong or missing pairing token (HTTP 401)`);
        return refuseUpgrade(socket, 401, 'Bridgescope hub: wrong or missing pairing token. Dial the URL `bridgescope serve` printed (ws://…/agent?token=…).\n');
      }
      // An agent older than pairing: it showed the token, and is listed as unverified.
      admission.authenticated(raw);
      context.agentSockets.handleUpgrade(req, socket, head, (ws) => hub.adopt(ws, 'in', remote));
      return;
    }
    if (url.pathname.startsWith('/target/')) return upgradeTarget(context, req, socket, head, url.pathname, url.searchParams, remote);
    if (!tokenMatches(given ?? '', token)) return refuseUpgrade(socket, 401, 'Bridgescope hub: wrong or missing token. Open the UI URL `bridgescope serve` printed.\n');
    if (url.pathname === '/ui') {
      admission.authenticated(raw);
      context.uiSockets.handleUpgrade(req, socket, head, (ws) => {
        heartbeat.watch(ws, () => {});
        feedTargets(ws, hub, context.uiSendBudget);
      });
      return;
    }
    refuseUpgrade(socket, 404, 'WebSocket endpoints: /agent, /ui, /target/<key>\n');
  };
}

/** `/target/<key>`: the agent protocol, served as an agent serves it — the token on the URL, or in a first `auth` message. */
function upgradeTarget(context: UpgradeContext, req: IncomingMessage, socket: Duplex, head: Buffer, pathname: string, query: URLSearchParams, remote: string): void {
  const { admission } = context;
  const given = query.get('token');
  if (given !== null && !tokenMatches(given, context.token)) return refuseUpgrade(socket, 401, 'Bridgescope hub: wrong token. Open the UI URL `bridgescope serve` printed.\n');
  let key: string;
  try {
    key = decodeURIComponent(pathname.slice('/target/'.length));
  } catch {
    return refuseUpgrade(socket, 400, 'malformed target key\n');
  }
  const plan = parseStartPlan(query);
  if (!plan) return refuseUpgrade(socket, 400, 'since must be a non-negative integer\n');
  const raw: Socket = req.socket;
  let session: ProtocolSession | undefined;
  if (given !== null) admission.authenticated(raw);
  else if (!admission.mayAwaitAuth()) return refuseUpgrade(socket, 503, 'Bridgescope hub: too many connections without a token right now; retry, or put the token on the URL.\n');
  else admission.limitUntilAuthenticated(raw, head, () => (session ? session.cutOff() : raw.destroy()));
  context.uiSockets.handleUpgrade(req, socket, head, (ws) => {
    const served = context.hub.target(key).serve(ws, { remote, authenticated: given !== null, plan, onAuthenticated: () => admission.authenticated(raw) });
    session = served;
    context.heartbeat.watch(ws, (reason) => served.terminate(reason));
  });
}
