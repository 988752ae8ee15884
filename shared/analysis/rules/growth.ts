/** Shared by the two growth rules: stale sessions, in session order, and how to name them. */
import { MAX_EVIDENCE } from '../findings.js';
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

/** `sessions 1–3` within one group; `12 sessions of 3 groups` across several. One pass, no copies: a growth finding follows thousands of sessions, event after event. */
export function sessionRange(sessions: readonly ConnRecord[]): string {
  const group = sessions[0]?.group;
  let min = Infinity;
  let max = -Infinity;
  for (const s of sessions) {
    if (s.group !== group) return `${sessions.length} sessions of ${new Set(sessions.map((c) => c.group)).size} groups`;
    min = Math.min(min, s.session.model.index);
    max = Math.max(max, s.session.model.index);
  }
  if (group === undefined) return '0 sessions of 0 groups';
  return `sessions ${min}–${max}`;
}

/** The sessions' opening seqs in order, each once, as many as a finding keeps. */
export function openingSeqs(sessions: readonly ConnRecord[]): number[] {
  const seqs = new Set<number>();
  for (const s of sessions) {
    if (seqs.size === MAX_EVIDENCE) break;
    seqs.add(s.session.model.openedSeq);
  }
  return [...seqs];
}

/**
 * `seqs`, then `a` and `b` when not among them yet, as many as a finding
 * keeps (`seqs` itself when none is added). One copy of the right size: a
 * growth finding's lists are built again for every running session.
 */
export function withSeqs(seqs: number[], a: number, b?: number): number[] {
  const room = MAX_EVIDENCE - seqs.length;
  const addA = room > 0 && !seqs.includes(a);
  const addB = b !== undefined && b !== a && room > (addA ? 1 : 0) && !seqs.includes(b);
  // Arrays to concat: a number argument takes the engine's slow path, element by element.
  if (addA && addB) return seqs.concat([a, b!]);
  if (addA) return seqs.concat([a]);
  if (addB) return seqs.concat([b!]);
  return seqs;
}

/** A growth finding's evidence: its sessions' opening seqs, then the seq it opened at. */
export function sessionEvidence(sessions: readonly ConnRecord[], openedSeq: number): number[] {
  return withSeqs(openingSeqs(sessions), openedSeq);
}

/** `c1, c2` or `c1, c2, … (9 more)`. */
export function idList(ids: readonly string[], max = 8): string {
  return ids.length <= max ? ids.join(', ') : `${ids.slice(0, max).join(', ')}, … (${ids.length - max} more)`;
}
