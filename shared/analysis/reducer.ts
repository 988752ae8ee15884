/**
 * Applies one protocol event to the analysis state and tells the rules what
 * it meant. Tolerant by design: unknown event types and events about ids it
 * never saw (e.g. after a gap) are skipped, never thrown on.
 */
import type { AgentEvent, HandleAccessEvent, HandleDropEvent } from '../protocol.js';
import type { Rule, RuleContext, RuleHook } from './rules/rule.js';
import type { Staleness } from './staleness.js';
import type { GapModel } from './types.js';

/** Most seqs remembered per handle in `staleAccesses`. */
const MAX_STALE_ACCESSES = 100;
/** Most marks and gaps kept (oldest forgotten first). */
const MAX_MARKS_AND_GAPS = 5000;

/** The rules that implement each hook, so an event only reaches rules that care. */
export type HookTable = { [K in RuleHook]: Rule[] };

export function hookTable(rules: readonly Rule[]): HookTable {
  const hooks = [
    'connOpened',
    'connPeerEnded',
    'connLocalEnded',
    'connClosed',
    'wroteAfterClose',
    'listenerAdded',
    'listenerRemoved',
    'handleStored',
    'handleGone',
    'handleMisused',
    'actionSettled',
    'deadline',
    'sessionStale',
    'sessionRevived',
    'attributionLost',
  ] as const satisfies readonly RuleHook[];
  const table = {} as HookTable;
  for (const hook of hooks) table[hook] = rules.filter((rule) => typeof rule[hook] === 'function');
  return table;
}

export function reduce(e: AgentEvent, ctx: RuleContext, staleness: Staleness, hooks: HookTable): void {
  const state = ctx.state;
  switch (e.type) {
    case 'conn.open': {
      if (!isId(e.conn)) return;
      const conn = state.openConnection(e);
      if (!conn) return;
      staleness.opened(conn, e);
      for (const rule of hooks.connOpened) rule.connOpened!(ctx, conn, e);
      return;
    }
    case 'conn.protocol': {
      const conn = state.conns.get(e.conn);
      if (conn && conn.model.state !== 'closed' && typeof e.protocol === 'string') staleness.speaks(conn, e.protocol, e);
      return;
    }
    case 'conn.via': {
      const conn = state.conns.get(e.conn);
      const carrier = state.conns.get(e.via);
      if (conn && carrier) staleness.carriedBy(conn, carrier, e);
      return;
    }
    case 'conn.peer-end': {
      const conn = state.conns.get(e.conn);
      if (!conn || conn.model.state === 'closed' || conn.model.peerEndedSeq !== undefined) return;
      conn.model.peerEndedSeq = e.seq;
      conn.model.peerEndedT = e.t;
      // The peer's FIN is the last thing it sends: it ended the session, it did not abandon it.
      if (conn.model.lastInbound < e.t) {
        conn.model.lastInbound = e.t;
        staleness.heard(conn, e);
      }
      // With our FIN already sent the connection stays `closing`.
      if (conn.model.state === 'open') conn.model.state = 'half-open';
      for (const rule of hooks.connPeerEnded) rule.connPeerEnded!(ctx, conn, e);
      return;
    }
    case 'conn.local-end': {
      const conn = state.conns.get(e.conn);
      if (!conn || conn.model.state === 'closed' || conn.model.localEndedSeq !== undefined) return;
      conn.model.localEndedSeq = e.seq;
      conn.model.localEndedT = e.t;
      conn.model.state = 'closing';
      for (const rule of hooks.connLocalEnded) rule.connLocalEnded!(ctx, conn, e);
      return;
    }
    case 'conn.close': {
      const conn = state.conns.get(e.conn);
      if (!conn || conn.model.state === 'closed') return;
      conn.model.cause = e.cause;
      if (e.error !== undefined) conn.model.error = e.error;
      state.closeConnection(conn, e.seq, e.t);
      staleness.closed(conn, e);
      for (const rule of hooks.connClosed) rule.connClosed!(ctx, conn, e);
      return;
    }
    case 'conn.error': {
      const conn = state.conns.get(e.conn);
      if (conn) conn.model.error = e.code;
      return;
    }
    case 'conn.io': {
      const conn = state.conns.get(e.conn);
      if (!conn) return;
      const m = conn.model;
      const prevIn = m.bytesIn;
      const prevMsgsIn = m.msgsIn;
      m.bytesIn = num(e.bytesIn, m.bytesIn);
      m.bytesOut = num(e.bytesOut, m.bytesOut);
      m.msgsIn = num(e.msgsIn, m.msgsIn);
      m.msgsOut = num(e.msgsOut, m.msgsOut);
      m.lastActivity = num(e.lastActivity, m.lastActivity);
      // Agents that don't send lastIn: a rise in bytes in is the best hint.
      const prevInbound = m.lastInbound;
      m.lastInbound = Math.max(prevInbound, num(e.lastIn, e.bytesIn > prevIn ? m.lastActivity : m.lastInbound));
      // The peer sent something since the last update (possibly within the millisecond the connection opened).
      const heard = m.lastInbound > prevInbound || m.msgsIn > prevMsgsIn || m.bytesIn > prevIn;
      if (heard && m.state !== 'closed') staleness.heard(conn, e);
      return;
    }
    case 'conn.write-after-close': {
      const conn = state.conns.get(e.conn);
      if (conn) conn.model.deadWrites++;
      if (!isId(e.conn)) return;
      for (const rule of hooks.wroteAfterClose) rule.wroteAfterClose!(ctx, conn, e);
      return;
    }
    case 'emitter.watch':
      if (!isId(e.emitter)) return;
      state.watchEmitter({ id: e.emitter, name: e.name || e.emitter, kind: e.kind, watchedSeq: e.seq });
      return;
    case 'emitter.unwatch': {
      const emitter = state.emitters.get(e.emitter);
      if (!emitter || emitter.model.unwatchedSeq !== undefined) return;
      // Listeners still attached are no longer tracked: they leave the model as `unwatch`.
      const live = state.emitterListeners.get(e.emitter);
      if (live) {
        for (const listener of [...live]) {
          state.removeListener(listener, e.seq, e.t, 'unwatch');
          for (const rule of hooks.listenerRemoved) rule.listenerRemoved!(ctx, listener, e);
        }
      }
      state.unwatchEmitter(emitter, e.seq);
      return;
    }
    case 'emitter.lost-track': {
      const emitter = state.emitters.get(e.emitter)?.model;
      if (emitter) emitter.lostTrack = String(e.reason);
      return;
    }
    case 'listener.add': {
      if (!isId(e.listener) || !isId(e.emitter)) return;
      const listener = state.addListener(e);
      if (listener) for (const rule of hooks.listenerAdded) rule.listenerAdded!(ctx, listener, e);
      return;
    }
    case 'listener.remove': {
      const listener = state.listeners.get(e.listener);
      if (!listener || listener.model.removedSeq !== undefined) return;
      state.removeListener(listener, e.seq, e.t, e.how);
      for (const rule of hooks.listenerRemoved) rule.listenerRemoved!(ctx, listener, e);
      return;
    }
    case 'handle.store': {
      if (!isId(e.table) || !isHandleId(e.handle)) return;
      const handle = state.storeHandle(e);
      for (const rule of hooks.handleStored) rule.handleStored!(ctx, handle, e);
      return;
    }
    case 'handle.retrieve':
    case 'handle.take':
    case 'handle.drop': {
      if (!isId(e.table) || !isHandleId(e.handle)) return;
      const handle = state.handles.get(e.table, e.handle);
      if (!e.ok) {
        misuse(e, ctx, hooks);
        return;
      }
      if (!handle || handle.model.state !== 'live') return;
      if (e.type === 'handle.retrieve') handle.model.accesses++;
      else {
        state.handleGone(handle, e.seq, e.t);
        for (const rule of hooks.handleGone) rule.handleGone!(ctx, handle, e);
      }
      return;
    }
    case 'action.start': {
      if (!isId(e.action)) return;
      const running = state.actions.get(e.action);
      if (running && running.model.settledSeq === undefined) return;
      state.startAction(e);
      return;
    }
    case 'action.settle': {
      if (!isId(e.action) || !e.result) return;
      // An action started before a gap is recreated from its settle event.
      const action =
        state.actions.get(e.action) ??
        state.startAction({ type: 'action.start', seq: e.seq, t: e.t, action: e.action, conn: e.conn, name: e.name, source: 'code', timeout: 0 });
      if (action.model.settledSeq !== undefined) return;
      action.model.settledSeq = e.seq;
      action.model.settledT = e.t;
      action.model.verdict = e.result.verdict;
      action.model.result = e.result;
      state.settleAction(action);
      for (const rule of hooks.actionSettled) rule.actionSettled!(ctx, action, e);
      return;
    }
    case 'attribution.lost': {
      const lost = state.model.attribution;
      lost.lost++;
      const conn = typeof e.conn === 'string' && e.conn ? e.conn : undefined;
      if (conn !== undefined && !lost.connections.includes(conn) && lost.connections.length < MAX_MARKS_AND_GAPS) lost.connections.push(conn);
      for (const rule of hooks.attributionLost) rule.attributionLost!(ctx, e);
      return;
    }
    case 'mark': {
      const marks = state.model.marks;
      marks.push({ seq: e.seq, t: e.t, label: String(e.label) });
      if (marks.length > MAX_MARKS_AND_GAPS) marks.splice(0, marks.length - MAX_MARKS_AND_GAPS);
      return;
    }
    case 'server.listen':
    case 'server.close':
    case 'handle.table':
      // Nothing the model keeps.
      return;
    default:
      // A type from a newer agent is ignored; a type this union gains fails to compile here.
      return e satisfies never;
  }
}

function misuse(e: HandleAccessEvent | HandleDropEvent, ctx: RuleContext, hooks: HookTable): void {
  const handle = ctx.state.handles.get(e.table, e.handle);
  if (handle && handle.model.staleAccesses.length < MAX_STALE_ACCESSES) handle.model.staleAccesses.push(e.seq);
  for (const rule of hooks.handleMisused) rule.handleMisused!(ctx, e, handle);
}

/** Records a gap; its `t` is now until the first event after it arrives. */
export function recordGap(ctx: RuleContext, gap: { from: number; to: number; count: number; reason: string }): GapModel {
  const gaps = ctx.state.model.gaps;
  const model: GapModel = { from: gap.from, to: gap.to, count: gap.count, reason: String(gap.reason), t: ctx.state.model.now };
  gaps.push(model);
  if (gaps.length > MAX_MARKS_AND_GAPS) gaps.splice(0, gaps.length - MAX_MARKS_AND_GAPS);
  return model;
}

function isId(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0;
}

function isHandleId(value: unknown): boolean {
  return typeof value === 'number' || typeof value === 'string';
}

function num(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : fallback;
}
