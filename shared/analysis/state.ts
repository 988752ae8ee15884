/**
 * The analysis state: the public model plus the indexes behind it (by id,
 * per owner, per emitter, per session group) and the live counts. Every
 * mutation keeps counts and retention in step; the reducer decides which
 * mutation an event means, the rules decide what it implies.
 */
import type {
  ActionStartEvent,
  ConnOpenEvent,
  HandleId,
  HandleStoreEvent,
  ListenerAddEvent,
} from '../protocol.js';
import type { AnalysisOptions } from './options.js';
import {
  type ActionRecord,
  type ConnRecord,
  type EmitterRecord,
  type GroupState,
  type HandleRecord,
  type ListenerRecord,
  type SessionRecord,
  bump,
  bumpMap,
  copyCounts,
  raise,
  emptyCounts,
  emitterListenerKey,
  listenerKey,
} from './records.js';
import { HandleIndex } from './handle-index.js';
import { describeGroup } from './rules/growth.js';
import { RetainedList } from './retention.js';
import { CountsSeries } from './series.js';
import type { ActionModel, ConnectionModel, CountsSnapshot, EmitterModel, HandleModel, ListenerModel, Model, SessionModel } from './types.js';

export function handleModelId(table: string, handle: HandleId): string {
  return `${table}:${handle}`;
}

/**
 * The session group of a connection: its client identity, else its server.
 * App-level sessions carried by another connection (`via`) group apart from
 * the connections that carry them, per protocol.
 */
function groupOf(e: Pick<ConnOpenEvent, 'client' | 'server' | 'via' | 'protocol'>): { name: string; description: string } {
  const base = e.client ? e.client : e.server !== null && e.server !== undefined ? `server:${e.server}` : 'custom';
  if (typeof e.via !== 'string') return { name: base, description: describeGroup(base) };
  const protocol = typeof e.protocol === 'string' && e.protocol ? e.protocol : 'app';
  return { name: `${base}/${protocol}`, description: describeGroup(base, protocol) };
}

export class AnalysisState {
  readonly model: Model = {
    seq: 0,
    now: 0,
    connections: [],
    emitters: [],
    listeners: [],
    handles: [],
    actions: [],
    sessions: [],
    marks: [],
    gaps: [],
    findings: [],
    series: [],
    pruned: { connections: 0, listeners: 0, handles: 0, actions: 0 },
    attribution: { lost: 0, connections: [] },
  };
  /** Counts of everything alive, across groups (the series and `counts()`). */
  readonly global: CountsSnapshot = emptyCounts();
  readonly conns = new Map<string, ConnRecord>();
  readonly listeners = new Map<string, ListenerRecord>();
  readonly handles = new HandleIndex();
  readonly actions = new Map<string, ActionRecord>();
  readonly emitters = new Map<string, EmitterRecord>();
  readonly groups = new Map<string, GroupState>();
  /** Live listeners per emitter id (to drop them when watching stops). */
  readonly emitterListeners = new Map<string, Set<ListenerRecord>>();
  /** Stale sessions that still hold listeners or handles: abandoned ones, and closed ones past the orphan grace. */
  readonly stale = new Set<ConnRecord>();
  private readonly countKeys = new Map<string, Map<string, string>>();
  /** True when counts changed during the current event (one series point per event). */
  countsChanged = false;

  private readonly connList: RetainedList<ConnectionModel, ConnRecord>;
  private readonly listenerList: RetainedList<ListenerModel, ListenerRecord>;
  private readonly handleList: RetainedList<HandleModel, HandleRecord>;
  private readonly actionList: RetainedList<ActionModel, ActionRecord>;
  private readonly emitterList: RetainedList<EmitterModel, EmitterRecord>;
  private readonly series: CountsSeries;
  /** Sessions whose connection was forgotten, removed at the next compaction. */
  private readonly removedSessions = new Set<SessionModel>();

  constructor(
    options: Required<AnalysisOptions>,
    isPinned: (id: string) => boolean,
  ) {
    const m = this.model;
    const limit = options.retainDead;
    const pinned = <R extends { model: { id: string } }>(record: R): boolean => isPinned(record.model.id);
    this.connList = new RetainedList(m.connections, limit, pinned, (c) => this.forgetConnection(c));
    this.listenerList = new RetainedList(m.listeners, limit, pinned, (l) => {
      if (this.listeners.get(l.model.id) === l) this.listeners.delete(l.model.id);
      m.pruned.listeners++;
    });
    this.handleList = new RetainedList(m.handles, limit, pinned, (h) => {
      this.handles.forget(h);
      m.pruned.handles++;
    });
    this.actionList = new RetainedList(m.actions, limit, pinned, (a) => {
      if (this.actions.get(a.model.id) === a) this.actions.delete(a.model.id);
      m.pruned.actions++;
    });
    this.emitterList = new RetainedList(m.emitters, limit, () => false, (e) => {
      if (this.emitters.get(e.model.id) === e) this.emitters.delete(e.model.id);
    });
    this.series = new CountsSeries(m.series, options.seriesLimit);
  }

  /** An open finding stopped referencing `id`: whatever it names may be pruned again. */
  released(id: string): void {
    const conn = this.conns.get(id);
    if (conn) this.connList.released(conn);
    const listener = this.listeners.get(id);
    if (listener) this.listenerList.released(listener);
    const handle = this.handles.byModelId(id);
    if (handle) this.handleList.released(handle);
    const action = this.actions.get(id);
    if (action) this.actionList.released(action);
  }

  /** Removes forgotten entities from the model arrays and brings the series up to date (before the model is read). */
  compact(): void {
    this.series.sync();
    this.connList.compact();
    this.listenerList.compact();
    this.handleList.compact();
    this.actionList.compact();
    this.emitterList.compact();
    this.compactSessions();
  }

  private compactSessions(): void {
    if (this.removedSessions.size === 0) return;
    const sessions = this.model.sessions;
    let write = 0;
    for (const s of sessions) if (!this.removedSessions.has(s)) sessions[write++] = s;
    sessions.length = write;
    this.removedSessions.clear();
    const index = new Map<SessionModel, number>();
    sessions.forEach((s, i) => index.set(s, i));
    // Every connection record, also those whose id a newer one reused (pruned ones are about to leave).
    for (const conn of this.connList.records) conn.model.session = index.get(conn.session.model) ?? -1;
  }

  /** Appends a series point if counts changed during this event. */
  endEvent(seq: number, t: number): void {
    if (!this.countsChanged) return;
    this.countsChanged = false;
    this.series.record(seq, t, this.global);
  }

  // --- connections and sessions -------------------------------------------

  openConnection(e: ConnOpenEvent): ConnRecord | undefined {
    const existing = this.conns.get(e.conn);
    if (existing && existing.model.state !== 'closed') return undefined;
    const group = this.group(groupOf(e));
    // The previous session ended: its `counts` (the peak) stop moving.
    if (group.latest) group.latest.model.endedSeq = e.seq;
    this.global.connections++;
    group.live.connections++;
    this.countsChanged = true;
    group.peak = copyCounts(group.live);
    const sessionModel: SessionModel = {
      index: ++group.sessions,
      group: group.name,
      conn: e.conn,
      openedSeq: e.seq,
      openedT: e.t,
      counts: group.peak,
    };
    const session: SessionRecord = { model: sessionModel, conn: undefined };
    group.latest = session;
    const model: ConnectionModel = {
      id: e.conn,
      server: e.server ?? null,
      transport: e.transport,
      state: 'open',
      openedSeq: e.seq,
      openedT: e.t,
      actions: Array.isArray(e.actions) ? e.actions : [],
      bytesIn: 0,
      bytesOut: 0,
      msgsIn: 0,
      msgsOut: 0,
      lastActivity: e.t,
      lastInbound: e.t,
      deadWrites: 0,
      session: this.model.sessions.length,
    };
    if (e.label !== undefined) model.label = e.label;
    if (e.client !== undefined) model.client = e.client;
    if (e.peer !== undefined) model.peer = e.peer;
    if (e.stack !== undefined) model.stack = e.stack;
    if (typeof e.protocol === 'string') model.protocol = e.protocol;
    const carrier = typeof e.via === 'string' ? this.conns.get(e.via) : undefined;
    if (typeof e.via === 'string') model.via = e.via;
    const conn: ConnRecord = {
      model,
      retention: 'alive',
      group,
      session,
      ownedListeners: new Set(),
      ownedHandles: new Set(),
      listenersByKey: new Map(),
      carriers: carrier && carrier.model.state !== 'closed' ? [carrier] : [],
      openCarried: 0,
      heard: false,
      abandoned: false,
      lapsed: false,
    };
    session.conn = conn;
    this.model.sessions.push(sessionModel);
    this.conns.set(e.conn, conn);
    this.connList.add(conn);
    return conn;
  }

  closeConnection(conn: ConnRecord, seq: number, t: number): void {
    conn.model.state = 'closed';
    conn.model.closedSeq = seq;
    conn.model.closedT = t;
    this.global.connections--;
    conn.group.live.connections--;
    this.countsChanged = true;
    this.maybeConnectionDead(conn);
  }

  private maybeConnectionDead(conn: ConnRecord): void {
    if (conn.ownedListeners.size > 0 || conn.ownedHandles.size > 0) return;
    // A lapsed session that let go of everything holds nothing stale any more.
    if (conn.lapsed) this.stale.delete(conn);
    if (conn.model.state === 'closed') this.connList.died(conn);
  }

  private forgetConnection(conn: ConnRecord): void {
    this.removedSessions.add(conn.session.model);
    if (this.conns.get(conn.model.id) === conn) this.conns.delete(conn.model.id);
    this.model.pruned.connections++;
    const removed = this.removedSessions.size;
    if (removed > 1024 && removed * 2 > this.model.sessions.length) this.compactSessions();
  }

  private group({ name, description }: { name: string; description: string }): GroupState {
    let group = this.groups.get(name);
    if (!group) {
      group = { name, description, live: emptyCounts(), peak: emptyCounts(), sessions: 0, latest: undefined, open: new Set(), heardOpenT: -Infinity };
      this.groups.set(name, group);
    }
    return group;
  }

  // --- emitters and listeners ---------------------------------------------

  watchEmitter(model: EmitterModel): void {
    const existing = this.emitters.get(model.id)?.model;
    if (existing && existing.unwatchedSeq === undefined) {
      existing.name = model.name;
      existing.kind = model.kind;
      return;
    }
    const record: EmitterRecord = { model, retention: 'alive', keys: new Map() };
    this.emitters.set(model.id, record);
    this.emitterList.add(record);
  }

  unwatchEmitter(emitter: EmitterRecord, seq: number): void {
    emitter.model.unwatchedSeq = seq;
    this.emitterList.died(emitter);
  }

  addListener(e: ListenerAddEvent): ListenerRecord | undefined {
    const existing = this.listeners.get(e.listener);
    if (existing && existing.model.removedSeq === undefined) return undefined;
    const emitter = this.emitters.get(e.emitter);
    const emitterName = emitter?.model.name ?? e.emitter;
    const model: ListenerModel = {
      id: e.listener,
      emitter: e.emitter,
      emitterName,
      event: e.event,
      owner: e.owner ?? null,
      once: e.once === true,
      preexisting: e.preexisting === true,
      addedSeq: e.seq,
      addedT: e.t,
    };
    if (e.stack !== undefined) model.stack = e.stack;
    const owner = model.owner !== null ? this.conns.get(model.owner) : undefined;
    const record: ListenerRecord = { model, retention: 'alive', key: emitter ? emitterListenerKey(emitter, e.event) : listenerKey(e.emitter, e.event), group: owner?.group, owner };
    this.listeners.set(e.listener, record);
    this.listenerList.add(record);
    let byEmitter = this.emitterListeners.get(e.emitter);
    if (!byEmitter) this.emitterListeners.set(e.emitter, (byEmitter = new Set()));
    byEmitter.add(record);
    if (owner) {
      owner.ownedListeners.add(record);
      bumpMap(owner.listenersByKey, record.key, 1);
    }
    this.countListener(record, 1);
    return record;
  }

  removeListener(record: ListenerRecord, seq: number, t: number, how: string): void {
    const model = record.model;
    model.removedSeq = seq;
    model.removedT = t;
    model.how = how;
    const byEmitter = this.emitterListeners.get(model.emitter);
    byEmitter?.delete(record);
    if (byEmitter?.size === 0) this.emitterListeners.delete(model.emitter);
    this.countListener(record, -1);
    this.listenerList.died(record);
    if (record.owner) {
      record.owner.ownedListeners.delete(record);
      bumpMap(record.owner.listenersByKey, record.key, -1);
      this.maybeConnectionDead(record.owner);
    }
  }

  private countListener(record: ListenerRecord, delta: number): void {
    const name = record.model.emitterName;
    bump(this.global.listeners, name, delta);
    const group = record.group;
    if (group) {
      bump(group.live.listeners, name, delta);
      raise(group.peak.listeners, group.live.listeners, name);
    }
    this.countsChanged = true;
  }

  // --- handles -------------------------------------------------------------

  storeHandle(e: HandleStoreEvent): HandleRecord {
    const existing = this.handles.get(e.table, e.handle);
    const owner = e.owner !== null && e.owner !== undefined ? this.conns.get(e.owner) : undefined;
    const type = typeof e.handleType === 'string' && e.handleType ? e.handleType : 'handle';
    const countKey = this.countKey(e.table, type);
    let record: HandleRecord;
    if (existing) {
      // A re-stored id keeps its model and record (and its history of stale accesses).
      if (existing.model.state === 'live') this.countHandle(existing, -1);
      existing.owner?.ownedHandles.delete(existing);
      this.handleList.revived(existing);
      record = existing;
      record.countKey = countKey;
      record.group = owner?.group;
      record.owner = owner;
      const model = record.model;
      model.type = type;
      model.owner = e.owner ?? null;
      model.state = 'live';
      model.storedSeq = e.seq;
      model.storedT = e.t;
      delete model.droppedSeq;
      delete model.droppedT;
      delete model.parent;
      delete model.stack;
    } else {
      const model: HandleModel = {
        id: handleModelId(e.table, e.handle),
        table: e.table,
        handle: e.handle,
        type,
        owner: e.owner ?? null,
        state: 'live',
        storedSeq: e.seq,
        storedT: e.t,
        accesses: 0,
        staleAccesses: [],
      };
      record = { model, retention: 'alive', countKey, group: owner?.group, owner };
      this.handles.set(record);
      this.handleList.add(record);
    }
    if (e.parent !== undefined) record.model.parent = handleModelId(e.table, e.parent);
    if (e.stack !== undefined) record.model.stack = e.stack;
    owner?.ownedHandles.add(record);
    this.countHandle(record, 1);
    return record;
  }

  /** `table/type`, one string per pair: counts are keyed by it on every store and drop. */
  private countKey(table: string, type: string): string {
    let byType = this.countKeys.get(table);
    if (!byType) this.countKeys.set(table, (byType = new Map()));
    let key = byType.get(type);
    if (key === undefined) byType.set(type, (key = `${table}/${type}`));
    return key;
  }

  /** Dropped, or taken (ownership left the table). */
  handleGone(record: HandleRecord, seq: number, t: number): void {
    record.model.state = 'dropped';
    record.model.droppedSeq = seq;
    record.model.droppedT = t;
    this.countHandle(record, -1);
    this.handleList.died(record);
    if (record.owner) {
      record.owner.ownedHandles.delete(record);
      this.maybeConnectionDead(record.owner);
    }
  }

  private countHandle(record: HandleRecord, delta: number): void {
    bump(this.global.handles, record.countKey, delta);
    const group = record.group;
    if (group) {
      bump(group.live.handles, record.countKey, delta);
      raise(group.peak.handles, group.live.handles, record.countKey);
    }
    this.countsChanged = true;
  }

  // --- actions -------------------------------------------------------------

  startAction(e: ActionStartEvent): ActionRecord {
    const model: ActionModel = {
      id: e.action,
      connection: e.conn ?? null,
      name: e.name,
      source: e.source,
      startedSeq: e.seq,
      startedT: e.t,
      timeout: e.timeout,
    };
    const record: ActionRecord = { model, retention: 'alive' };
    this.actions.set(e.action, record);
    this.actionList.add(record);
    return record;
  }

  settleAction(record: ActionRecord): void {
    this.actionList.died(record);
  }
}
