/**
 * Internal bookkeeping behind the public model: each model object is wrapped
 * in a record that carries the indexes the reducer and rules need, so no step
 * ever scans every listener or handle.
 */
import type { Retained } from './retention.js';
import type { ActionModel, ConnectionModel, CountsSnapshot, EmitterModel, HandleModel, ListenerModel, SessionModel } from './types.js';

/** Everything one session group (a client, or a server without client ids) has alive. */
export interface GroupState {
  name: string;
  /** How findings name it (`clients of server s1`). */
  description: string;
  /** Live counts of what the group's connections own. */
  live: CountsSnapshot;
  /** The latest session's `counts`: the most that was alive at once since it opened. */
  peak: CountsSnapshot;
  sessions: number;
  /** The newest session. */
  latest: SessionRecord | undefined;
  /** Open sessions that could be abandoned (not carried by another connection). */
  open: Set<ConnRecord>;
  /** When the newest session its peer has talked on opened: older silent ones are superseded by it. */
  heardOpenT: number;
}

export interface SessionRecord {
  model: SessionModel;
  conn: ConnRecord | undefined;
}

export interface ConnRecord extends Retained<ConnectionModel> {
  group: GroupState;
  session: SessionRecord;
  ownedListeners: Set<ListenerRecord>;
  ownedHandles: Set<HandleRecord>;
  /** Live listeners it owns per emitter+event key. */
  listenersByKey: Map<string, number>;
  /** The connections that carried this app-level session (`via`, then `conn.via`). */
  carriers: ConnRecord[];
  /** Open sessions this connection carries: while one is, it is part of a live session. */
  openCarried: number;
  /** Its peer has sent something (a read, its FIN, a session it carries). */
  heard: boolean;
  /** Open, silent for the abandon grace and superseded by a newer session of its group. */
  abandoned: boolean;
  /** Closed, and the orphan grace has passed. */
  lapsed: boolean;
  /** When an abandonment check is due, so at most one is pending. */
  abandonCheck?: number;
}

export interface ListenerRecord extends Retained<ListenerModel> {
  /** `${emitter}\u0000${event}`: the listener-growth key. */
  key: string;
  /** The group its owner belonged to when it was added. */
  group: GroupState | undefined;
  owner: ConnRecord | undefined;
}

export interface HandleRecord extends Retained<HandleModel> {
  /** `table/type`: the counts key. */
  countKey: string;
  group: GroupState | undefined;
  owner: ConnRecord | undefined;
}

export type ActionRecord = Retained<ActionModel>;

export interface EmitterRecord extends Retained<EmitterModel> {
  /**
   * Its listeners' keys by event, one string each: a key built per listener
   * is a new string that every map it is looked up in must hash and compare
   * by content (six times per listener added or removed).
   */
  keys: Map<string, string>;
}

export function listenerKey(emitter: string, event: string): string {
  return `${emitter}\u0000${event}`;
}

/** Most keys an emitter keeps: one with ever new event names (`reply:17`) must not grow without bound. */
const MAX_EMITTER_KEYS = 1024;

/** The key of `emitter`'s listeners for `event`, the same string every time. */
export function emitterListenerKey(emitter: EmitterRecord, event: string): string {
  let key = emitter.keys.get(event);
  if (key !== undefined) return key;
  if (emitter.keys.size >= MAX_EMITTER_KEYS) emitter.keys.clear();
  emitter.keys.set(event, (key = listenerKey(emitter.model.id, event)));
  return key;
}

export function emptyCounts(): CountsSnapshot {
  return { connections: 0, listeners: {}, handles: {} };
}

export function copyCounts(counts: CountsSnapshot): CountsSnapshot {
  return { connections: counts.connections, listeners: { ...counts.listeners }, handles: { ...counts.handles } };
}

export function bump(record: Record<string, number>, key: string, delta: number): void {
  record[key] = (record[key] ?? 0) + delta;
}

/** Raises `peak[key]` to `live[key]` if it is higher. */
export function raise(peak: Record<string, number>, live: Record<string, number>, key: string): void {
  const value = live[key] ?? 0;
  if (value > (peak[key] ?? 0)) peak[key] = value;
}

export function bumpMap(map: Map<string, number>, key: string, delta: number): void {
  const n = (map.get(key) ?? 0) + delta;
  if (n === 0) map.delete(key);
  else map.set(key, n);
}
