import type { AgentEvent, HandleId, HandleStoreEvent, ListenerAddEvent } from '../shared/protocol.js';

/** What describes one connection while it matters: opened, ended by either side, its last I/O, closed. */
interface ConnEvents {
  open?: AgentEvent;
  peerEnd?: AgentEvent;
  localEnd?: AgentEvent;
  io?: AgentEvent;
  /** Every other connection this session used as its transport (`conn.via`). */
  via?: AgentEvent[];
  /** What it speaks since an upgrade (`conn.protocol`). */
  protocol?: AgentEvent;
  /** Kept only while the closed connection still owns listeners or handles. */
  close?: AgentEvent;
}

/** Most `attribution.lost` reports kept for late inspectors (one per connection at most is sent). */
const MAX_ATTRIBUTION_LOST = 100;

/**
 * Remembers the events that define what is still alive (open connections,
 * attached listeners, live handles, running actions…), so an
 * inspector attaching after the ring buffer wrapped still learns about them.
 * Bounded by what the app itself keeps alive. One map per kind of thing,
 * keyed by the event's own ids: this runs for every event the host
 * publishes, so it builds no key strings.
 */
export class LiveState {
  private readonly servers = new Map<string, AgentEvent>();
  private readonly conns = new Map<string, ConnEvents>();
  private readonly emitters = new Map<string, AgentEvent>();
  private readonly lostTrack = new Map<string, AgentEvent>();
  private readonly listeners = new Map<string, ListenerAddEvent>();
  private readonly tables = new Map<string, AgentEvent>();
  private readonly handles = new Map<string, Map<HandleId, HandleStoreEvent>>();
  private readonly actions = new Map<string, AgentEvent>();
  /** Reports that some work had no owner: detection stays degraded for the whole run. */
  private readonly attributionLost: AgentEvent[] = [];
  /** Live listeners and handles per owning connection. */
  private readonly owned = new Map<string, number>();
  private readonly closedConns = new Set<string>();

  get size(): number {
    let n = this.servers.size + this.emitters.size + this.lostTrack.size + this.listeners.size + this.tables.size;
    n += this.actions.size + this.attributionLost.length;
    for (const conn of this.conns.values()) n += Object.keys(conn).length + (conn.via ? conn.via.length - 1 : 0);
    for (const table of this.handles.values()) n += table.size;
    return n;
  }

  apply(e: AgentEvent): void {
    switch (e.type) {
      case 'server.listen':
        this.servers.set(e.server, e);
        break;
      case 'server.close':
        this.servers.delete(e.server);
        break;
      case 'conn.open':
        this.conn(e.conn).open = e;
        break;
      case 'conn.peer-end':
        this.conn(e.conn).peerEnd = e;
        break;
      case 'conn.local-end':
        this.conn(e.conn).localEnd = e;
        break;
      case 'conn.io':
        this.conn(e.conn).io = e;
        break;
      case 'conn.protocol':
        this.conn(e.conn).protocol = e;
        break;
      case 'conn.via': {
        const conn = this.conns.get(e.conn);
        if (conn && !conn.close) (conn.via ??= []).push(e);
        break;
      }
      case 'attribution.lost':
        if (this.attributionLost.length < MAX_ATTRIBUTION_LOST) this.attributionLost.push(e);
        break;
      case 'conn.close':
        // Keep a closed connection while it still owns something: the owner
        // of an orphan must stay explainable.
        if ((this.owned.get(e.conn) ?? 0) > 0) {
          this.conn(e.conn).close = e;
          this.closedConns.add(e.conn);
        } else this.forgetConn(e.conn);
        break;
      case 'emitter.watch':
        this.emitters.set(e.emitter, e);
        break;
      case 'emitter.lost-track':
        this.lostTrack.set(e.emitter, e);
        break;
      case 'emitter.unwatch':
        this.emitters.delete(e.emitter);
        this.lostTrack.delete(e.emitter);
        break;
      case 'listener.add':
        this.listeners.set(e.listener, e);
        this.own(e.owner, 1);
        break;
      case 'listener.remove': {
        const added = this.listeners.get(e.listener);
        if (added) {
          this.listeners.delete(e.listener);
          this.own(added.owner, -1);
        }
        break;
      }
      case 'handle.table':
        this.tables.set(e.table, e);
        break;
      case 'handle.store': {
        let table = this.handles.get(e.table);
        if (!table) this.handles.set(e.table, (table = new Map()));
        // A foreign table may reuse an id: the previous holder no longer owns it.
        const previous = table.get(e.handle);
        if (previous) this.own(previous.owner, -1);
        table.set(e.handle, e);
        this.own(e.owner, 1);
        break;
      }
      case 'handle.take':
      case 'handle.drop': {
        if (!e.ok) break;
        const table = this.handles.get(e.table);
        const stored = table?.get(e.handle);
        if (stored) {
          table!.delete(e.handle);
          this.own(stored.owner, -1);
        }
        break;
      }
      case 'action.start':
        this.actions.set(e.action, e);
        break;
      case 'action.settle':
        this.actions.delete(e.action);
        break;
      default:
        break;
    }
  }

  /** Retained events older than `beforeSeq`, in seq order. */
  before(beforeSeq: number): AgentEvent[] {
    const out: AgentEvent[] = [];
    const keep = (e: AgentEvent | undefined) => {
      if (e && e.seq < beforeSeq) out.push(e);
    };
    for (const map of [this.servers, this.emitters, this.lostTrack, this.listeners, this.tables, this.actions]) {
      for (const e of map.values()) keep(e);
    }
    for (const e of this.attributionLost) keep(e);
    for (const c of this.conns.values()) {
      keep(c.open);
      for (const via of c.via ?? []) keep(via);
      keep(c.protocol);
      keep(c.peerEnd);
      keep(c.localEnd);
      keep(c.io);
      keep(c.close);
    }
    for (const table of this.handles.values()) for (const e of table.values()) keep(e);
    return out.sort((a, b) => a.seq - b.seq);
  }

  clear(): void {
    for (const map of [this.servers, this.conns, this.emitters, this.lostTrack, this.listeners, this.tables, this.handles, this.actions, this.owned]) {
      map.clear();
    }
    this.closedConns.clear();
    this.attributionLost.length = 0;
  }

  private conn(id: string): ConnEvents {
    let conn = this.conns.get(id);
    if (!conn) this.conns.set(id, (conn = {}));
    return conn;
  }

  private own(owner: string | null, delta: number): void {
    if (owner === null) return;
    const n = (this.owned.get(owner) ?? 0) + delta;
    if (n > 0) {
      this.owned.set(owner, n);
      return;
    }
    this.owned.delete(owner);
    if (this.closedConns.has(owner)) this.forgetConn(owner);
  }

  private forgetConn(conn: string): void {
    this.conns.delete(conn);
    this.closedConns.delete(conn);
  }
}
