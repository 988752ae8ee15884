import type { Finding } from '../../protocol.js';
import { createdAt, progression } from '../explain.js';
import type { FindingUpdate } from '../findings.js';
import type { ConnRecord, ListenerRecord } from '../records.js';
import type { At, Rule, RuleContext } from './rule.js';
import { bySession, idList, sessionRange } from './growth.js';

interface Watched {
  finding: Finding;
  emitter: string;
  event: string;
}

/**
 * `listener-growth`: listeners for one emitter+event pile up from stale
 * sessions — sessions that closed (past the orphan grace) or that their
 * client abandoned — `listenerGrowthSessions - 1` of them or more, each
 * still holding some. What concurrently active sessions hold is never
 * growth, however many there are. While open, the finding follows the
 * growth (its counts, sessions and subjects); it resolves when fewer stale
 * sessions hold such listeners.
 */
export function listenerGrowthRule(): Rule {
  /** Open findings by listener key. */
  const watched = new Map<string, Watched>();

  const recount = (ctx: RuleContext, key: string, sample: ListenerRecord | undefined, at: At): void => {
    const holders = [...ctx.state.stale].filter((c) => (c.listenersByKey.get(key) ?? 0) > 0).sort(bySession);
    const open = watched.get(key);
    if (holders.length < ctx.options.listenerGrowthSessions - 1) {
      if (!open) return;
      watched.delete(key);
      ctx.findings.resolve(open.finding, at.seq, at.t);
      return;
    }
    const listener = sample ?? newestListener(holders, key);
    if (!listener) return;
    const l = listener.model;
    const spec = describe(holders, key, l.emitter, l.event, l.emitterName, open ? open.finding.openedSeq : at.seq);
    if (open) {
      ctx.findings.update(open.finding, spec);
      return;
    }
    const finding = ctx.findings.open({
      rule: 'listener-growth',
      subject: `${l.emitter}:${l.event}`,
      severity: 'error',
      ...spec,
      openedSeq: at.seq,
      openedT: at.t,
    });
    if (finding.resolvedSeq === undefined) watched.set(key, { finding, emitter: l.emitter, event: l.event });
  };

  const recountKeys = (ctx: RuleContext, conn: ConnRecord, at: At): void => {
    for (const key of [...conn.listenersByKey.keys()]) recount(ctx, key, undefined, at);
  };

  return {
    id: 'listener-growth',
    sessionStale: recountKeys,
    sessionRevived: recountKeys,
    listenerAdded(ctx, listener, e) {
      // A stale session subscribing late, or a newer session adding to an open growth (its counts move on).
      if ((listener.owner && ctx.state.stale.has(listener.owner)) || watched.has(listener.key)) recount(ctx, listener.key, undefined, e);
    },
    listenerRemoved(ctx, listener, at) {
      if ((listener.owner && ctx.state.stale.has(listener.owner)) || watched.has(listener.key)) recount(ctx, listener.key, undefined, at);
    },
  };
}

/** The most recently added live listener for `key` that a stale session holds. */
function newestListener(holders: readonly ConnRecord[], key: string): ListenerRecord | undefined {
  let newest: ListenerRecord | undefined;
  for (const conn of holders) {
    for (const listener of conn.ownedListeners) {
      if (listener.key === key && (!newest || listener.model.addedSeq > newest.model.addedSeq)) newest = listener;
    }
  }
  return newest;
}

function describe(
  holders: readonly ConnRecord[],
  key: string,
  emitter: string,
  event: string,
  emitterName: string,
  openedSeq: number,
): FindingUpdate {
  // How many the stale sessions left, one session after another, then with the running session's own.
  const values: number[] = [];
  let held = 0;
  for (const conn of holders) values.push((held += conn.listenersByKey.get(key) ?? 0));
  const groups = [...new Set(holders.map((c) => c.group))];
  // The newest session of each group, when it holds some too: the running session the growth continues into.
  const running = groups
    .map((g) => g.latest?.conn)
    .filter((c): c is ConnRecord => c !== undefined && !holders.includes(c) && (c.listenersByKey.get(key) ?? 0) > 0);
  if (running.length > 0) values.push(running.reduce((n, c) => n + (c.listenersByKey.get(key) ?? 0), held));
  const sessions = [...holders, ...running].sort(bySession);
  const abandoned = holders.filter((c) => c.abandoned).map((c) => c.model.id);
  const closed = holders.filter((c) => !c.abandoned).map((c) => c.model.id);
  const why: string[] = [];
  if (abandoned.length > 0) {
    why.push(
      `the old sessions' connections (${idList(abandoned)}) are still open, so their cleanup never ran: ` +
        `their peers have sent nothing since a newer session opened — the client abandoned them without closing`,
    );
  }
  if (closed.length > 0) why.push(`${idList(closed)} closed without removing ${closed.length === 1 ? 'its' : 'theirs'}`);
  const newest = newestListener(holders, key)!.model;
  const owners = groups.map((g) => g.description).join(' and ');
  return {
    title: `"${event}" listeners on ${emitterName} grow with every session of ${owners}`,
    message:
      `The "${event}" listeners on ${emitterName} (emitter ${emitter}) owned by ${owners} grew ` +
      `${progression(values)} over ${sessionRange(sessions)} (each session is a new connection, e.g. a reload): ` +
      `every session adds listeners and the old ones are never removed — ${why.join('; ')}. ` +
      `${createdAt(newest.stack, 'The newest left behind was added')} Node only warns at 11 listeners. Remove each ` +
      `session's listeners when its connection closes, and make sure the client really closes the old ` +
      `connection before reconnecting (shutdown then close).`,
    subjects: [emitter, ...sessions.map((c) => c.model.id)],
    evidence: [...new Set([...sessions.map((c) => c.session.model.openedSeq), openedSeq])],
    ...(newest.stack !== undefined && { stack: newest.stack }),
  };
}
