import type { AgentEvent } from './protocol.js';

/**
 * Remembers the events that define what is still alive (open connections,
 * attached listeners, live handles, running actions, open findings…), so an
 * inspector attaching after the ring buffer wrapped still learns about them.
 * Bounded by what the app itself keeps alive.
 */
export class LiveState {
  private readonly retained = new Map<string, AgentEvent>();
  /** Live listeners and handles per owning connection. */
  private readonly owned = new Map<string, number>();
  private readonly closedConns = new Set<string>();

  get size(): number {
    return this.retained.size;
  }

  apply(e: AgentEvent): void {
    switch (e.type) {
      case 'server.listen':
        this.retained.set(`s:${e.server}`, e);
        break;
      case 'server.close':
        this.retained.delete(`s:${e.server}`);
        break;
      case 'conn.open':
        this.retained.set(`c:${e.conn}`, e);
        break;
      case 'conn.peer-end':
        this.retained.set(`cp:${e.conn}`, e);
        break;
      case 'conn.local-end':
        this.retained.set(`cl:${e.conn}`, e);
        break;
      case 'conn.io':
        this.retained.set(`ci:${e.conn}`, e);
        break;
      case 'conn.close':
        // Keep a closed connection while it still owns something: the owner
        // of an orphan must stay explainable.
        if ((this.owned.get(e.conn) ?? 0) > 0) {
          this.retained.set(`cx:${e.conn}`, e);
          this.closedConns.add(e.conn);
        } else this.forgetConn(e.conn);
        break;
      case 'emitter.watch':
        this.retained.set(`e:${e.emitter}`, e);
        break;
      case 'emitter.lost-track':
        this.retained.set(`el:${e.emitter}`, e);
        break;
      case 'emitter.unwatch':
        this.retained.delete(`e:${e.emitter}`);
        this.retained.delete(`el:${e.emitter}`);
        break;
      case 'listener.add':
        this.retained.set(`l:${e.listener}`, e);
        this.own(e.owner, 1);
        break;
      case 'listener.remove': {
        const added = this.retained.get(`l:${e.listener}`);
        if (added?.type === 'listener.add') {
          this.retained.delete(`l:${e.listener}`);
          this.own(added.owner, -1);
        }
        break;
      }
      case 'handle.table':
        this.retained.set(`t:${e.table}`, e);
        break;
      case 'handle.store': {
        // A foreign table may reuse an id: the previous holder no longer owns it.
        const key = `h:${e.table}:${e.handle}`;
        const previous = this.retained.get(key);
        if (previous?.type === 'handle.store') this.own(previous.owner, -1);
        this.retained.set(key, e);
        this.own(e.owner, 1);
        break;
      }
      case 'handle.take':
      case 'handle.drop': {
        if (!e.ok) break;
        const stored = this.retained.get(`h:${e.table}:${e.handle}`);
        if (stored?.type === 'handle.store') {
          this.retained.delete(`h:${e.table}:${e.handle}`);
          this.own(stored.owner, -1);
        }
        break;
      }
      case 'action.start':
        this.retained.set(`a:${e.action}`, e);
        break;
      case 'action.settle':
        this.retained.delete(`a:${e.action}`);
        break;
      case 'finding.open':
        this.retained.set(`f:${e.finding.id}`, e);
        break;
      case 'finding.resolve':
        this.retained.delete(`f:${e.id}`);
        break;
      default:
        break;
    }
  }

  /** Retained events older than `beforeSeq`, in seq order. */
  before(beforeSeq: number): AgentEvent[] {
    const out: AgentEvent[] = [];
    for (const e of this.retained.values()) if (e.seq < beforeSeq) out.push(e);
    return out.sort((a, b) => a.seq - b.seq);
  }

  clear(): void {
    this.retained.clear();
    this.owned.clear();
    this.closedConns.clear();
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
    for (const prefix of ['c', 'cp', 'cl', 'ci', 'cx']) this.retained.delete(`${prefix}:${conn}`);
    this.closedConns.delete(conn);
  }
}
