import diagnosticsChannel from 'node:diagnostics_channel';
import type { Server, Socket } from 'node:net';
import type { Transport } from '../../shared/protocol.js';
import type { ConnectionRegistry } from './connections.js';
import type { ProbeContext } from './context.js';
import { isInternal } from '../../shared/node/internal-mark.js';
import type { Frameworks } from './frameworks/index.js';
import { interpose } from './interpose.js';
import { bracketHost } from '../../shared/host-policy.js';

/** Node 20+: the server, before it listens. */
const LISTEN_CHANNEL = 'tracing:net.server.listen:asyncStart';
/** Node 15+: every accepted socket, but after the app's own 'connection' listeners. */
const SOCKET_CHANNEL = 'net.server.socket';

/**
 * An observed server. A class, not an object literal: V8 gives object
 * literals and `JSON.parse` results with the same number of keys one tree of
 * hidden classes, so a literal `{ id, listening, … }` living in the agent
 * would make every three-key JSON message of the app's that starts with
 * `"id"` (JSON-RPC's `{"id","method","params"}`) slower to parse, for as long
 * as the process runs.
 */
class ServerInfo {
  listening = false;
  /** Read once per listen, not per accepted socket (`server.address()` is a native call). */
  transport: Transport | undefined = undefined;

  constructor(
    readonly id: string,
    /** `http` for an HTTP/1 server's connections (frameworks/index.ts). */
    readonly protocol: string | undefined,
  ) {}
}

/**
 * Observes every net.Server in the process (TCP and Unix-domain, created
 * before or after the agent) without the app changing code. A server is
 * caught when it starts listening; its `emit` is wrapped so each accepted
 * socket is tracked before the app's 'connection' listeners run, and those
 * listeners run with the new connection as owner. Servers already listening
 * when the agent started are caught at their next accepted socket.
 */
export class ServerProbe {
  private readonly servers = new WeakMap<object, ServerInfo>();
  private readonly unsubscribers: Array<() => void> = [];

  constructor(
    private readonly ctx: ProbeContext,
    private readonly connections: ConnectionRegistry,
    private readonly frameworks: Frameworks,
  ) {}

  start(): void {
    this.unsubscribers.push(
      subscribe(LISTEN_CHANNEL, (message) => {
        const server = (message as { server?: Server } | undefined)?.server;
        if (this.ctx.active && server && !isInternal(server)) this.ctx.guard('observing a server failed', () => this.observe(server));
      }),
      subscribe(SOCKET_CHANNEL, (message) => {
        const socket = (message as { socket?: Socket } | undefined)?.socket;
        if (this.ctx.active && socket) this.ctx.guard('tracking an accepted socket failed', () => this.lateSocket(socket));
      }),
    );
  }

  close(): void {
    for (const unsubscribe of this.unsubscribers.splice(0)) {
      this.ctx.guard('unsubscribing a channel failed', unsubscribe);
    }
  }

  /** A socket the emit wrapper did not see: its server predates the agent, or Node has no listen channel. */
  private lateSocket(socket: Socket): void {
    if (this.connections.isTracked(socket)) return;
    const server = (socket as Socket & { server?: Server; _server?: Server }).server ?? (socket as { _server?: Server })._server;
    // Bridgescope's own servers (agent transport, hub) are not the app's.
    if (isInternal(server)) return;
    const info = server ? this.observe(server) : undefined;
    this.connections.track(socket, {
      server: info?.id ?? null,
      ...(server && { serverTransport: transportOf(server) }),
      ...(info?.protocol !== undefined && { protocol: info.protocol }),
    });
  }

  private observe(server: Server): ServerInfo {
    const known = this.servers.get(server);
    if (known) return known;
    const info = new ServerInfo(this.ctx.nextId('s'), this.frameworks.serverProtocol(server));
    this.servers.set(server, info);
    const { ctx, connections, frameworks } = this;
    const announce = (): void => {
      if (info.listening) return;
      info.listening = true;
      // Frameworks attached to it are loaded by now.
      frameworks.scan();
      info.transport = transportOf(server);
      ctx.sink.publish({ type: 'server.listen', server: info.id, transport: info.transport, address: addressOf(server) });
    };
    interpose(server, 'emit', (invoke) => function observedServerEmit(this: unknown, ...args: unknown[]) {
      if (!ctx.active) return invoke(this, args);
      let owner: string | null = null;
      ctx.guard('observing a server event failed', () => {
        const type = args[0];
        if (type === 'connection') {
          const socket = args[1];
          if (typeof socket === 'object' && socket !== null) {
            announce();
            owner = connections.track(socket, {
              server: info.id,
              serverTransport: info.transport ?? transportOf(server),
              ...(info.protocol !== undefined && { protocol: info.protocol }),
            });
          }
        } else if (type === 'listening') {
          announce();
        } else if (type === 'close' && info.listening) {
          info.listening = false;
          ctx.sink.publish({ type: 'server.close', server: info.id });
        } else {
          owner = frameworks.serverEvent(type, args);
        }
      });
      // The app's 'connection' listeners are the connection's first work; a stream's listeners are the stream's.
      return owner === null ? invoke(this, args) : ctx.runOwned(owner, () => invoke(this, args));
    });
    if (server.listening) announce();
    return info;
  }
}

function subscribe(name: string, onMessage: (message: unknown, name: string | symbol) => void): () => void {
  const dc = diagnosticsChannel as typeof diagnosticsChannel & {
    subscribe?: (name: string, fn: typeof onMessage) => void;
    unsubscribe?: (name: string, fn: typeof onMessage) => boolean;
  };
  if (typeof dc.subscribe === 'function' && typeof dc.unsubscribe === 'function') {
    dc.subscribe(name, onMessage);
    return () => void dc.unsubscribe?.(name, onMessage);
  }
  // Node 18 before 18.7: only channel objects (held here so they are not collected).
  const channel = dc.channel(name);
  channel.subscribe(onMessage);
  return () => void channel.unsubscribe(onMessage);
}

function transportOf(server: Server): Transport {
  const address = server.address();
  if (typeof address === 'string') return process.platform === 'win32' ? 'pipe' : 'unix';
  return 'tcp';
}

function addressOf(server: Server): string {
  const address = server.address();
  if (address === null) return '';
  if (typeof address === 'string') return address;
  return `${bracketHost(address.address)}:${address.port}`;
}
