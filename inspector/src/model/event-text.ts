import type { AgentEvent } from '../../../shared/protocol.js';
import { formatDuration } from './format.js';

/** One readable line per event, as the Events view and traces show it. */
export function describeEvent(e: AgentEvent): string {
  switch (e.type) {
    case 'server.listen':
      return `server ${e.server} listening on ${e.address} (${e.transport})`;
    case 'server.close':
      return `server ${e.server} closed`;
    case 'conn.open':
      return `${e.conn} opened on ${e.server ?? 'app'} (${e.transport})${e.client ? ` client ${e.client}` : ''}${e.peer ? ` from ${e.peer}` : ''}`;
    case 'conn.peer-end':
      return `${e.conn} peer EOF received`;
    case 'conn.local-end':
      return `${e.conn} FIN sent`;
    case 'conn.close':
      return `${e.conn} closed (${e.cause}${e.error ? ` ${e.error}` : ''})`;
    case 'conn.error':
      return `${e.conn} error ${e.code}: ${e.message}`;
    case 'conn.io':
      return `${e.conn} io in ${e.bytesIn} B${e.msgsIn !== undefined ? `/${e.msgsIn} msgs` : ''}, out ${e.bytesOut} B${e.msgsOut !== undefined ? `/${e.msgsOut} msgs` : ''}`;
    case 'conn.write-after-close':
      return `${e.conn} written to while ${e.state}${e.bytes !== undefined ? ` (${e.bytes} B)` : ''}`;
    case 'emitter.watch':
      return `watching ${e.kind} "${e.name}" (${e.emitter})`;
    case 'emitter.unwatch':
      return `stopped watching ${e.emitter}`;
    case 'emitter.lost-track':
      return `lost track of ${e.emitter}: ${e.reason}`;
    case 'listener.add':
      return `${e.listener} added to ${e.emitter} "${e.event}"${e.owner ? ` by ${e.owner}` : ''}${e.once ? ' (once)' : ''}${e.preexisting ? ' (pre-existing)' : ''}`;
    case 'listener.remove':
      return `${e.listener} removed from ${e.emitter} "${e.event}" (${e.how})`;
    case 'handle.table':
      return `handle table ${e.table}${e.mirror ? ' (mirror)' : ''}`;
    case 'handle.store':
      return `${e.table}:${e.handle} stored (${e.handleType})${e.owner ? ` by ${e.owner}` : ''}${e.parent !== undefined ? ` parent ${e.parent}` : ''}`;
    case 'handle.retrieve':
    case 'handle.take':
      return `${e.table}:${e.handle} ${e.type === 'handle.take' ? 'taken' : 'retrieved'}${e.ok ? '' : ' — NOT LIVE'}`;
    case 'handle.drop':
      return `${e.table}:${e.handle} dropped${e.ok ? '' : ' — NOT LIVE (double drop)'}${e.cascadeFrom !== undefined ? ` via parent ${e.cascadeFrom}` : ''}`;
    case 'action.start':
      return `action ${e.name} started on ${e.conn ?? 'agent'} (${e.source}, timeout ${e.timeout} ms)`;
    case 'action.settle':
      return `action ${e.name} on ${e.conn ?? 'agent'}: ${e.result.verdict} in ${formatDuration(e.result.duration)}`;
    case 'mark':
      return `mark "${e.label}"`;
    default:
      return JSON.stringify(e);
  }
}

/** The connection an event is about or was caused by, if any. */
export function eventConnection(e: AgentEvent): string | null {
  if ('conn' in e && typeof e.conn === 'string') return e.conn;
  if ('owner' in e && typeof e.owner === 'string') return e.owner;
  return null;
}

/** The coarse kind used for colouring and the type filter (`conn`, `listener`, …). */
export function eventCategory(type: string): string {
  const dot = type.indexOf('.');
  return dot < 0 ? type : type.slice(0, dot);
}
