/** Shared by the two growth rules: stale sessions, in session order, and how to name them. */
import type { ConnRecord } from '../records.js';

/** `client "app"`, `clients of server s1`, `socket.io sessions of server s1` (a group's base name and, for carried sessions, protocol). */
export function describeGroup(base: string, protocol?: string): string {
  if (protocol !== undefined) {
    if (base === 'custom') return `${protocol} sessions registered without a server`;
    if (base.startsWith('server:')) return `${protocol} sessions of server ${base.slice('server:'.length)}`;
    return `${protocol} sessions of client "${base}"`;
  }
  if (base === 'custom') return 'connections registered without a server or client identity';
  if (base.startsWith('server:')) return `clients of server ${base.slice('server:'.length)}`;
  return `client "${base}"`;
}

/** Oldest session first (sessions of one group by index; groups by name). */
export function bySession(a: ConnRecord, b: ConnRecord): number {
  if (a.group !== b.group) return a.group.name < b.group.name ? -1 : 1;
  return a.session.model.index - b.session.model.index;
}

/** `sessions 1–3` within one group; `12 sessions of 3 groups` across several. */
export function sessionRange(sessions: readonly ConnRecord[]): string {
  const groups = new Set(sessions.map((s) => s.group));
  if (groups.size !== 1) return `${sessions.length} sessions of ${groups.size} groups`;
  const indexes = sessions.map((s) => s.session.model.index);
  return `sessions ${Math.min(...indexes)}–${Math.max(...indexes)}`;
}

/** `c1, c2` or `c1, c2, … (9 more)`. */
export function idList(ids: readonly string[], max = 8): string {
  return ids.length <= max ? ids.join(', ') : `${ids.slice(0, max).join(', ')}, … (${ids.length - max} more)`;
}
