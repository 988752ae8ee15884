import { createRequire } from 'node:module';
import { sep } from 'node:path';
import type { ConnectionRegistry } from '../connections.js';
import type { ProbeContext } from '../context.js';
import { http2Stream } from './http2.js';
import { AppSessions } from './sessions.js';
import { patchSocketIo, SOCKET_IO_FILES } from './socket-io.js';

const moduleCache = createRequire(import.meta.url).cache;

/**
 * App-level sessions recognised without app changes: HTTP/2 streams and
 * gRPC calls (seen through the server probe's `'stream'` dispatch) and
 * socket.io sessions (socket.io's prototypes, patched once per loaded copy).
 * A WebSocket served by `ws` needs nothing: its TCP connection is its
 * session. Anything else takes the recipe in docs/stacks.md
 * (`trackConnection`, `runAs`, `connectionClosed`).
 */
export class Frameworks {
  readonly sessions: AppSessions;
  /** socket.io copies (by their namespace module's path) already patched. */
  private readonly patched = new Set<string>();

  constructor(
    private readonly ctx: ProbeContext,
    connections: ConnectionRegistry,
  ) {
    this.sessions = new AppSessions(ctx, connections);
  }

  /**
   * Looks for frameworks the app has loaded since the last look. Called when
   * the agent starts and whenever a server starts listening (socket.io is
   * loaded by then), so it costs one pass over the module cache per listen.
   */
  scan(): void {
    if (!this.ctx.active || !moduleCache) return;
    this.ctx.guard('looking for socket.io failed', () => {
      const namespaceFile = SOCKET_IO_FILES.namespace.join(sep);
      for (const file of Object.keys(moduleCache)) {
        if (!file.endsWith(`${sep}${namespaceFile}`) || this.patched.has(file)) continue;
        const root = file.slice(0, -namespaceFile.length);
        const load = (parts: readonly string[]): unknown => moduleCache[root + parts.join(sep)]?.exports;
        this.patched.add(file);
        const ok = patchSocketIo(this.sessions, {
          namespace: load(SOCKET_IO_FILES.namespace),
          socket: load(SOCKET_IO_FILES.socket),
          events: load(SOCKET_IO_FILES.events),
        });
        if (!ok) this.ctx.warnOnce(`socket.io at ${root}: not the shape of socket.io 4; its sessions are not recognised`);
      }
    });
  }

  /** What the connections of `server` speak, when its kind says: `http` for an HTTP/1 (or HTTPS) server. */
  serverProtocol(server: object): string | undefined {
    // Only node:http's servers (https's too) have both; HTTP/2 and plain net servers have neither.
    const { headersTimeout, keepAliveTimeout } = server as { headersTimeout?: unknown; keepAliveTimeout?: unknown };
    return typeof headersTimeout === 'number' && typeof keepAliveTimeout === 'number' ? 'http' : undefined;
  }

  /**
   * A server event is about to reach the app's listeners: returns the
   * session to run them as, when the event starts one (an HTTP/2 stream).
   */
  serverEvent(type: unknown, args: unknown[]): string | null {
    if (!this.ctx.active) return null;
    if (type === 'request' || type === 'upgrade') {
      // An HTTP/1 request is its peer talking, whether or not Node's parser let a 'data' event through.
      const req = args[1] as { socket?: unknown; headers?: Record<string, unknown> } | null | undefined;
      const socket = req?.socket;
      if (typeof socket !== 'object' || socket === null) return null;
      this.sessions.guard('observing an HTTP request failed', () => {
        this.sessions.heard(socket);
        // From now on it is not a keep-alive HTTP connection but whatever it was upgraded to.
        if (type === 'upgrade') this.sessions.speaks(socket, String(req?.headers?.upgrade ?? 'upgraded').toLowerCase());
      });
      return null;
    }
    if (type !== 'stream') return null;
    let id: string | null = null;
    this.ctx.guard('observing an HTTP/2 stream failed', () => {
      id = http2Stream(this.sessions, args[1], args[2]);
    });
    return id;
  }
}
