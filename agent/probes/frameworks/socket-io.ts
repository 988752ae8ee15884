import { interpose } from '../interpose.js';
import type { AppSessions } from './sessions.js';

type Fn = (...args: unknown[]) => unknown;
type Proto = Record<string, unknown>;

interface SocketLike {
  id?: unknown;
  nsp?: { name?: unknown };
  handshake?: { address?: unknown };
  conn?: { request?: { socket?: object } };
  disconnect?(close?: boolean): unknown;
}

/** socket.io 4's files, as Node's module cache names them. */
export const SOCKET_IO_FILES = {
  namespace: ['socket.io', 'dist', 'namespace.js'],
  socket: ['socket.io', 'dist', 'socket.js'],
  events: ['socket.io', 'dist', 'typed-events.js'],
} as const;

/**
 * A socket.io `Socket` is a session carried by whatever connections its
 * transport uses (the handshake's HTTP request, each polling request, the
 * WebSocket it upgrades to): its `'connection'` handler and every event it
 * dispatches run as it, so what they add is owned by the socket.io session
 * and not by a short-lived polling request, and it closes when socket.io
 * says it disconnected (after the app's `'disconnect'` handlers ran).
 *
 * Patches the prototypes of one loaded copy of socket.io (found in Node's
 * module cache by `frameworks/index.ts`): `Namespace#_doConnect` opens the
 * session, `Socket#_onpacket` notes what the peer sent and through which
 * connection, `Socket#_onclose` ends it, and `emitUntyped` (the deferred
 * dispatch of an event to the app) runs as it even without async attribution.
 */
export function patchSocketIo(sessions: AppSessions, modules: { namespace: unknown; socket: unknown; events: unknown }): boolean {
  const Namespace = (modules.namespace as { Namespace?: { prototype: Proto } } | undefined)?.Namespace;
  const Socket = (modules.socket as { Socket?: { prototype: Proto } } | undefined)?.Socket;
  const Emitter = (modules.events as { StrictEventEmitter?: { prototype: Proto } } | undefined)?.StrictEventEmitter;
  if (!Namespace || !Socket || !Emitter) return false;
  const required: Array<[Proto, string]> = [
    [Namespace.prototype, '_doConnect'],
    [Socket.prototype, '_onpacket'],
    [Socket.prototype, '_onclose'],
    [Emitter.prototype, 'emitUntyped'],
  ];
  if (!required.every(([proto, name]) => typeof proto[name] === 'function')) return false;

  interpose(Namespace.prototype, '_doConnect', (invoke) =>
    function observedDoConnect(this: unknown, ...args: unknown[]) {
      const socket = args[0];
      if (!sessions.active || typeof socket !== 'object' || socket === null) return invoke(this, args);
      sessions.guard('opening a socket.io session failed', () => open(sessions, socket as SocketLike));
      return sessions.run(socket, () => invoke(this, args));
    },
  );
  interpose(Socket.prototype, '_onpacket', (invoke) =>
    function observedOnPacket(this: object, ...args: unknown[]) {
      if (!sessions.active) return invoke(this, args);
      // The connection whose work is running carries this packet (a polling request, the WebSocket).
      sessions.guard('observing a socket.io packet failed', () => sessions.inbound(this, 0, sessions.running()));
      return sessions.run(this, () => invoke(this, args));
    },
  );
  interpose(Socket.prototype, '_onclose', (invoke) =>
    function observedOnClose(this: object, ...args: unknown[]) {
      if (!sessions.active) return invoke(this, args);
      try {
        return sessions.run(this, () => invoke(this, args));
      } finally {
        const reason = String(args[0] ?? '');
        sessions.guard('closing a socket.io session failed', () =>
          sessions.closed(this, reason.startsWith('server') ? 'local' : 'peer', reason === 'transport error' ? 'TRANSPORT_ERROR' : undefined),
        );
      }
    },
  );
  interpose(Emitter.prototype, 'emitUntyped', (invoke) =>
    function observedEmitUntyped(this: object, ...args: unknown[]) {
      return sessions.active ? sessions.run(this, () => invoke(this, args)) : invoke(this, args);
    },
  );
  return true;
}

function open(sessions: AppSessions, socket: SocketLike): void {
  const namespace = typeof socket.nsp?.name === 'string' ? socket.nsp.name : '/';
  const address = socket.handshake?.address;
  sessions.open(socket, {
    protocol: 'socket.io',
    // The connection whose work runs now delivered the CONNECT packet; else the handshake's.
    carrier: sessions.running() ?? socket.conn?.request?.socket ?? null,
    label: `socket.io ${namespace}`,
    ...(typeof address === 'string' && { peer: address }),
    actions: {
      disconnect: () => (socket.disconnect as Fn | undefined)?.call(socket),
      close: () => (socket.disconnect as Fn | undefined)?.call(socket, true),
    },
  });
}
