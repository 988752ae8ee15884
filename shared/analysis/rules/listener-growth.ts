import type { Finding } from '../../protocol.js';
import { createdAt, progression } from '../explain.js';
import type { FindingUpdate } from '../findings.js';
import type { ConnRecord, GroupState, ListenerRecord } from '../records.js';
import type { At, Rule, RuleContext } from './rule.js';
import { bySession, idList, openingSeqs, sessionEvidence, sessionRange, withSeqs } from './growth.js';
import { SharedSubjects } from './shared-subjects.js';

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
  /**
   * By listener key, what its stale holders add up to; dropped when they may
   * have changed. A newer session adding or removing such listeners moves
   * only the running part of an open finding, and a reload leak's sessions
   * pile up in the thousands: each of its listeners must not cost a pass
   * over all of them.
   */
  const stale = new Map<string, StaleHolders>();
  const shared = new SharedSubjects();

  const recount = (ctx: RuleContext, key: string, at: At): void => {
    let held = stale.get(key);
    if (!held) {
      held = staleHolders(ctx, key, shared);
      stale.set(key, held);
    }
    const open = watched.get(key);
    if (held.holders.length < ctx.options.listenerGrowthSessions - 1) {
      if (!open) return;
      watched.delete(key);
      ctx.findings.resolve(open.finding, at.seq, at.t);
      return;
    }
    if (!held.newest) return;
    const l = held.newest.model;
    const spec = describe(held, key, l.emitter, l.event, l.emitterName, open ? open.finding.openedSeq : at.seq);
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
    // Which sessions are stale changed: every key's holders may have.
    stale.clear();
    for (const key of [...conn.listenersByKey.keys()]) recount(ctx, key, at);
  };

  /** A listener of `owner` came or went: its key's stale holders changed if the owner is (or was) one. */
  const moved = (ctx: RuleContext, listener: ListenerRecord, at: At): void => {
    const owner = listener.owner;
    const ownerStale = owner !== undefined && ctx.state.stale.has(owner);
    if (ownerStale || (owner && stale.get(listener.key)?.holderSet.has(owner))) stale.delete(listener.key);
    if (ownerStale || watched.has(listener.key)) recount(ctx, listener.key, at);
  };

  return {
    id: 'listener-growth',
    sessionStale: recountKeys,
    sessionRevived: recountKeys,
    // A stale session subscribing late, or a newer session adding to an open growth (its counts move on).
    listenerAdded: moved,
    listenerRemoved: moved,
  };
}

/** The stale sessions holding listeners for one key, and what the finding says of them. */
interface StaleHolders {
  /** In session order. */
  holders: ConnRecord[];
  holderSet: Set<ConnRecord>;
  /** How many they left, one session after another. */
  values: number[];
  groups: GroupState[];
  /** Why they are left: abandoned, closed. */
  why: string;
  owners: string;
  newest: ListenerRecord | undefined;
  /** Their ids, their sessions' opening seqs (as many as a finding keeps) and session index range: the finding's lists when a running session only follows them. */
  ids: string[];
  seqs: number[];
  first: number;
  last: number;
  /** The lists last built from them, alone and with a running session: the same until the finding or its running session changes. */
  alone?: BuiltLists;
  followed?: BuiltLists;
  /** Where its subjects lists are shared with other keys' findings. */
  shared: SharedSubjects;
  /** The finding's wording around its counts and range, the same for every event until the holders change. */
  text?: Wording;
  /** Their counts as last worded, with the running total they ended with. */
  counted?: { total: number | undefined; text: string };
}

/** A finding's title, and its message but for the progression and the range of sessions. */
interface Wording {
  title: string;
  head: string;
  tail: string;
}

interface BuiltLists {
  runner: ConnRecord | undefined;
  emitter: string;
  openedSeq: number;
  lists: SessionLists;
}

function staleHolders(ctx: RuleContext, key: string, shared: SharedSubjects): StaleHolders {
  const holders = [...ctx.state.stale].filter((c) => (c.listenersByKey.get(key) ?? 0) > 0).sort(bySession);
  const values: number[] = [];
  let held = 0;
  for (const conn of holders) values.push((held += conn.listenersByKey.get(key) ?? 0));
  const groups = [...new Set(holders.map((c) => c.group))];
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
  return {
    holders,
    holderSet: new Set(holders),
    values,
    groups,
    why: why.join('; '),
    owners: groups.map((g) => g.description).join(' and '),
    newest: newestListener(holders, key),
    ids: holders.map((c) => c.model.id),
    seqs: openingSeqs(holders),
    first: Math.min(...holders.map((c) => c.session.model.index)),
    last: Math.max(...holders.map((c) => c.session.model.index)),
    shared,
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

function describe(held: StaleHolders, key: string, emitter: string, event: string, emitterName: string, openedSeq: number): FindingUpdate {
  const { holders, groups, owners } = held;
  // The newest session of each group, when it holds some too: the running session the growth continues into.
  let runner: ConnRecord | undefined;
  let runners = 0;
  // How many the stale sessions left, then with the running sessions' own.
  let total: number | undefined;
  for (const group of groups) {
    const own = runningOwn(held, group, key);
    if (own <= 0) continue;
    runner = group.latest!.conn;
    runners++;
    total = (total ?? held.values.at(-1) ?? 0) + own;
  }
  const lists = follows(held, runners, runner)
    ? followed(held, runner, emitter, openedSeq)
    : listed([...holders, ...groups.filter((g) => runningOwn(held, g, key) > 0).map((g) => g.latest!.conn!)].sort(bySession), emitter, openedSeq);
  // A running session's add and remove alternate between two sets of lists: each keeps what it was last worded with.
  const worded = lists.worded;
  if (worded && worded.total === total) return worded.update;
  const newest = held.newest!.model;
  // A running session's every listener moves the counts: only they are worded again.
  const text = (held.text ??= {
    title: `"${event}" listeners on ${emitterName} grow with every session of ${owners}`,
    head: `The "${event}" listeners on ${emitterName} (emitter ${emitter}) owned by ${owners} grew `,
    tail:
      ` (each session is a new connection, e.g. a reload): ` +
      `every session adds listeners and the old ones are never removed — ${held.why}. ` +
      `${createdAt(newest.stack, 'The newest left behind was added')} Node only warns at 11 listeners. Remove each ` +
      `session's listeners when its connection closes, and make sure the client really closes the old ` +
      `connection before reconnecting (shutdown then close).`,
  });
  const update: FindingUpdate = {
    title: text.title,
    message: `${text.head}${counted(held, total)} over ${lists.range}${text.tail}`,
    subjects: lists.subjects,
    evidence: lists.evidence,
    ...(newest.stack !== undefined && { stack: newest.stack }),
  };
  lists.worded = { total, update };
  return update;
}

/** `1 → 2 → … → 181` for the holders, then `total`: the same for each running session that holds as many. */
function counted(held: StaleHolders, total: number | undefined): string {
  let last = held.counted;
  if (!last || last.total !== total) held.counted = last = { total, text: progression(held.values, total) };
  return last.text;
}

/** How many listeners for `key` the group's newest session holds, when it is not one of the stale holders. */
function runningOwn(held: StaleHolders, group: GroupState, key: string): number {
  const c = group.latest?.conn;
  return c === undefined || held.holderSet.has(c) ? 0 : (c.listenersByKey.get(key) ?? 0);
}

interface SessionLists {
  range: string;
  subjects: string[];
  evidence: number[];
  /** The update last worded with these lists, and the running count it ends with. */
  worded?: { total: number | undefined; update: FindingUpdate };
}

/** The sessions are one group's, and the running session (if any) comes after every stale one: the lists are the holders' and then its own. */
function follows({ holders, groups }: StaleHolders, runners: number, runner: ConnRecord | undefined): boolean {
  if (groups.length !== 1 || runners > 1) return false;
  return runner === undefined || bySession(holders.at(-1)!, runner) < 0;
}

function followed(held: StaleHolders, runner: ConnRecord | undefined, emitter: string, openedSeq: number): SessionLists {
  const built = runner ? held.followed : held.alone;
  if (built && built.runner === runner && built.emitter === emitter && built.openedSeq === openedSeq) return built.lists;
  const lists = runner ? withRunner(held, runner, emitter, openedSeq) : { range: `sessions ${held.first}–${held.last}`, subjects: held.shared.share([emitter, ...held.ids]), evidence: withSeqs(held.seqs, openedSeq) };
  const again = { runner, emitter, openedSeq, lists };
  if (runner) held.followed = again;
  else held.alone = again;
  return lists;
}

function withRunner(held: StaleHolders, runner: ConnRecord, emitter: string, openedSeq: number): SessionLists {
  const index = runner.session.model.index;
  return {
    range: `sessions ${Math.min(held.first, index)}–${Math.max(held.last, index)}`,
    subjects: held.shared.followedBy(followed(held, undefined, emitter, openedSeq).subjects, runner.model.id),
    evidence: withSeqs(held.seqs, runner.session.model.openedSeq, openedSeq),
  };
}

function listed(sessions: readonly ConnRecord[], emitter: string, openedSeq: number): SessionLists {
  return { range: sessionRange(sessions), subjects: [emitter, ...sessions.map((c) => c.model.id)], evidence: sessionEvidence(sessions, openedSeq) };
}
