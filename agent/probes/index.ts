import type { ConnectionRef, EventSink, ProbeOptions, Probes, TrackOptions } from '../types.js';
import { ConnectionActions } from './actions.js';
import { ConnectionRegistry } from './connections.js';
import { Frameworks } from './frameworks/index.js';
import { ProbeContext } from './context.js';
import { HandleProbe } from './handles.js';
import { ListenerProbe } from './listeners.js';
import { ServerProbe } from './servers.js';

/**
 * The agent's probes: connections (automatic for every net.Server, or
 * registered), listeners on watched emitters, handles, and teardown actions.
 * Everything they see becomes an event on `sink`; nothing they do throws into
 * the app.
 */
export function createProbes(sink: EventSink, options: ProbeOptions): Probes {
  const ctx = new ProbeContext(sink, options);
  const connections = new ConnectionRegistry(ctx);
  const frameworks = new Frameworks(ctx, connections);
  const servers = options.autoInstrument ? new ServerProbe(ctx, connections, frameworks) : null;
  const listeners = new ListenerProbe(ctx);
  const handles = new HandleProbe(ctx);
  const actions = new ConnectionActions(ctx, connections);
  servers?.start();
  if (options.autoInstrument) frameworks.scan();

  return {
    trackConnection(target: object, trackOptions: TrackOptions = {}): string {
      if (!ctx.active || typeof target !== 'object' || target === null) return '';
      let id = '';
      ctx.guard('trackConnection failed', () => {
        id = connections.track(target, { ...trackOptions, server: null, stack: ctx.captureStack() });
      });
      return id;
    },
    connectionClosed(ref: ConnectionRef): void {
      ctx.guard('connectionClosed failed', () => connections.closedByApp(ref));
    },
    watchEmitter: (target, watchOptions) => listeners.watch(target, watchOptions),
    handleTable: (name) => handles.table(name),
    mirrorHandles: (name) => handles.mirror(name),
    runAs<R>(ref: ConnectionRef, fn: () => R): R {
      let owner: string | null = null;
      ctx.guard('runAs failed', () => {
        owner = connections.ownerFor(ref);
        // Work done for a session is its peer asking for something: it is not abandoned.
        const record = typeof ref === 'object' && ref !== null ? connections.find(ref) : owner !== null ? connections.openById(owner) : undefined;
        if (record && !record.closed) connections.io.noteRead(record);
      });
      return ctx.runOwned(owner, fn);
    },
    act: (conn, name, actOptions) => actions.act(conn, name, actOptions),
    holdings: {
      events: () => [...listeners.attached(), ...handles.stored()],
      owns: (conn) => {
        const owned = ctx.ledger.ownedBy(conn);
        return owned.listeners + owned.handles > 0;
      },
      get size() {
        return listeners.attached().length + handles.stored().length;
      },
    },
    close(): void {
      if (!ctx.active) return;
      ctx.active = false;
      servers?.close();
      listeners.close();
      actions.close();
      connections.close();
    },
  };
}
