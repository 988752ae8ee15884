/**
 * Which sessions are stale: growth means what stale sessions leave behind
 * piling up, never what concurrently active sessions hold.
 *
 * - A closed session is stale once the orphan grace has passed (what it
 *   still holds then is left over: `lapsed`).
 * - An open session is abandoned when its client left it without closing:
 *   a newer session of its group, opened after its peer last sent anything,
 *   is active (its peer talked), and the peer has stayed silent for the
 *   abandon grace. A session that talks again is no longer abandoned.
 * - A session carried by another connection (`via`: a socket.io session, an
 *   HTTP/2 stream) is never abandoned by itself: its carrier's liveness
 *   (heartbeats, the HTTP/2 connection) decides. A carrier is part of a live
 *   session while it carries an open one, and what its sessions receive
 *   counts as its own activity.
 * - An HTTP/1 connection (`protocol: 'http'`) carries requests: idle between
 *   them it is a keep-alive connection the server reaps after its
 *   keepAliveTimeout, never an abandoned session — until it is upgraded
 *   (`conn.protocol`, e.g. to a WebSocket).
 */
import type { Deadline } from './deadlines.js';
import type { AnalysisOptions } from './options.js';
import type { ConnRecord } from './records.js';
import type { At } from './rules/rule.js';
import type { AnalysisState } from './state.js';

export interface StalenessListener {
  /** The session became stale (abandoned, or lapsed while still holding something). */
  stale(conn: ConnRecord, at: At): void;
  /** An abandoned session talked again or closed: it no longer counts as abandoned. */
  revived(conn: ConnRecord, at: At): void;
}

export class Staleness {
  constructor(
    private readonly state: AnalysisState,
    private readonly options: Readonly<Required<AnalysisOptions>>,
    private readonly schedule: (t: number, kind: Deadline['kind'], id: string) => void,
    private readonly listener: StalenessListener,
  ) {}

  opened(conn: ConnRecord, at: At): void {
    if (conn.model.via !== undefined) {
      for (const carrier of conn.carriers) this.carry(carrier, at);
      return;
    }
    if (conn.model.protocol !== 'http') conn.group.open.add(conn);
  }

  /** The connection now speaks `protocol` (`conn.protocol`): an upgraded HTTP/1 connection can be abandoned. */
  speaks(conn: ConnRecord, protocol: string, at: At): void {
    const wasHttp = conn.model.protocol === 'http';
    conn.model.protocol = protocol;
    if (!wasHttp || protocol === 'http' || conn.model.via !== undefined) return;
    conn.group.open.add(conn);
    if (this.superseded(conn)) this.check(conn, at.t);
  }

  /** The session now also uses `carrier` as its transport (`conn.via`). */
  carriedBy(conn: ConnRecord, carrier: ConnRecord, at: At): void {
    if (conn.model.state === 'closed' || carrier.model.state === 'closed' || conn.carriers.includes(carrier) || carrier === conn) return;
    conn.carriers.push(carrier);
    this.carry(carrier, at);
  }

  /** The peer sent something (`lastInbound` already moved). */
  heard(conn: ConnRecord, at: At): void {
    if (conn.abandoned) this.revive(conn, at);
    if (!conn.heard) {
      conn.heard = true;
      const group = conn.group;
      const opened = conn.model.openedT;
      if (opened > group.heardOpenT) {
        group.heardOpenT = opened;
        // An active newer session supersedes every open one of its group whose peer has been silent since before it opened.
        for (const other of group.open) {
          if (other !== conn && !other.abandoned && other.model.lastInbound < opened) this.check(other, at.t);
        }
      }
    }
    const t = conn.model.lastInbound;
    for (const carrier of conn.carriers) {
      if (carrier.model.state === 'closed' || carrier.model.lastInbound >= t) continue;
      carrier.model.lastInbound = t;
      this.heard(carrier, at);
    }
  }

  closed(conn: ConnRecord, at: At): void {
    conn.group.open.delete(conn);
    if (conn.abandoned) this.revive(conn, at);
    for (const carrier of conn.carriers) {
      carrier.openCarried--;
      if (carrier.openCarried === 0 && carrier.model.state !== 'closed') this.check(carrier, at.t);
    }
    if (conn.ownedListeners.size > 0 || conn.ownedHandles.size > 0) this.schedule(at.t + this.options.orphanGrace, 'lapse', conn.model.id);
  }

  deadline(d: Deadline, seq: number): void {
    const conn = this.state.conns.get(d.id);
    if (!conn) return;
    const at = { seq, t: d.t };
    if (d.kind === 'lapse') {
      // The closedT check skips a deadline left by an earlier connection with the same id.
      if (conn.lapsed || conn.model.closedT === undefined || conn.model.closedT + this.options.orphanGrace !== d.t) return;
      conn.lapsed = true;
      if (conn.ownedListeners.size === 0 && conn.ownedHandles.size === 0) return;
      this.state.stale.add(conn);
      this.listener.stale(conn, { seq: conn.model.closedSeq ?? seq, t: d.t });
      return;
    }
    if (d.kind !== 'abandon' || conn.abandonCheck !== d.t) return;
    conn.abandonCheck = undefined;
    if (conn.model.state === 'closed' || conn.abandoned || conn.openCarried > 0 || !this.superseded(conn)) return;
    if (d.t < conn.model.lastInbound + this.options.abandonGrace) {
      this.check(conn, d.t);
      return;
    }
    conn.abandoned = true;
    conn.model.abandoned = true;
    this.state.stale.add(conn);
    this.listener.stale(conn, at);
  }

  /** An active newer session of its group opened after its peer last sent anything. */
  private superseded(conn: ConnRecord): boolean {
    return conn.group.heardOpenT > conn.model.lastInbound;
  }

  /** Schedules an abandonment check (at most one pending per connection). */
  private check(conn: ConnRecord, now: number): void {
    if (conn.model.via !== undefined) return;
    const due = Math.max(conn.model.lastInbound + this.options.abandonGrace, now);
    if (conn.abandonCheck !== undefined && conn.abandonCheck <= due) return;
    conn.abandonCheck = due;
    this.schedule(due, 'abandon', conn.model.id);
  }

  /** A session on `carrier` opened or moved to it: the carrier is busy and part of a live session. */
  private carry(carrier: ConnRecord, at: At): void {
    carrier.openCarried++;
    if (carrier.model.lastInbound < at.t) carrier.model.lastInbound = at.t;
    this.heard(carrier, at);
  }

  private revive(conn: ConnRecord, at: At): void {
    conn.abandoned = false;
    delete conn.model.abandoned;
    if (!conn.lapsed) this.state.stale.delete(conn);
    this.listener.revived(conn, at);
  }
}
