import type { AgentEvent } from '../shared/protocol.js';
import type { LiveHoldings } from './types.js';

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

/** Closed connections kept before the first sweep for those that no longer own anything. */
const FIRST_SWEEP = 64;

/**
 * Remembers the events that define what is still alive (open connections,
 * watched emitters, tables, running actions…), so an inspector attaching
 * after the ring buffer wrapped still learns about them. Attached listeners
 * and stored handles are not copied here: the probes hold them already
 * ({@link LiveHoldings}), and a second copy cost the app a map set and
 * delete on each of its hottest calls. Bounded by what the app itself
 * keeps alive. One map per kind of thing, keyed by the event's own ids.
 */
export class LiveState {
  private readonly servers = new Map<string, AgentEvent>();
  private readonly conns = new Map<string, ConnEvents>();
  private readonly emitters = new Map<string, AgentEvent>();
  private readonly lostTrack = new Map<string, AgentEvent>();
  private readonly tables = new Map<string, AgentEvent>();
  private readonly actions = new Map<string, AgentEvent>();
  /** Reports that some work had no owner: detection stays degraded for the whole run. */
  private readonly attributionLost: AgentEvent[] = [];
  /** Closed connections kept because they owned something when they closed. */
  private readonly closedConns = new Set<string>();
  /** Sweep the closed connections when this many are kept (doubles with what stays: amortised). */
  private nextSweep = FIRST_SWEEP;
  private holdings: LiveHoldings | undefined;

  /** The probes' listeners and handles, which {@link before} includes. */
  holdWith(holdings: LiveHoldings): void {
    this.holdings = holdings;
  }

  get size(): number {
    let n = this.servers.size + this.emitters.size + this.lostTrack.size + this.tables.size;
    n += this.actions.size + this.attributionLost.length + (this.holdings?.size ?? 0);
    for (const conn of this.conns.values()) n += Object.keys(conn).length + (conn.via ? conn.via.length - 1 : 0);
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
        if (this.holdings?.owns(e.conn)) {
          this.conn(e.conn).close = e;
          this.closedConns.add(e.conn);
          if (this.closedConns.size >= this.nextSweep) this.sweepClosed();
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
      case 'handle.table':
        this.tables.set(e.table, e);
        break;
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

  /** Retained events older than `beforeSeq`, with the probes' listeners and handles, in seq order. */
  before(beforeSeq: number): AgentEvent[] {
    this.sweepClosed();
    const out: AgentEvent[] = [];
    const keep = (e: AgentEvent | undefined) => {
      if (e && e.seq < beforeSeq) out.push(e);
    };
    if (this.holdings) for (const e of this.holdings.events()) keep(e);
    for (const map of [this.servers, this.emitters, this.lostTrack, this.tables, this.actions]) {
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
    return out.sort((a, b) => a.seq - b.seq);
  }

  clear(): void {
    for (const map of [this.servers, this.conns, this.emitters, this.lostTrack, this.tables, this.actions]) {
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

  /** Forgets the closed connections that own nothing any more. */
  private sweepClosed(): void {
    for (const conn of this.closedConns) if (!this.holdings?.owns(conn)) this.forgetConn(conn);
    this.nextSweep = Math.max(FIRST_SWEEP, 2 * this.closedConns.size);
  }

  private forgetConn(conn: string): void {
    this.conns.delete(conn);
    this.closedConns.delete(conn);
  }
}
