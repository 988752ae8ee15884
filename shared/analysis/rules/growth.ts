/** Shared by the two growth rules: per-session values of one group. */
import type { GroupState, SessionRecord } from '../records.js';

/** The last `n` sessions of a group (oldest first), the latest one still running; undefined if fewer. */
export function lastSessions(group: GroupState, n: number): SessionRecord[] | undefined {
  const recent = group.recent;
  if (recent.length < n) return undefined;
  return recent.slice(recent.length - n);
}

export function strictlyIncreasing(values: number[]): boolean {
  for (let i = 1; i < values.length; i++) if (!(values[i]! > values[i - 1]!)) return false;
  return true;
}

/** `client "app"`, `server s1`, `server-less connections`. */
export function describeGroup(name: string): string {
  if (name === 'custom') return 'connections registered without a server or client identity';
  if (name.startsWith('server:')) return `clients of server ${name.slice('server:'.length)}`;
  return `client "${name}"`;
}
