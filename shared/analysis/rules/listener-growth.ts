import { createdAt, progression } from '../explain.js';
import type { GroupState } from '../records.js';
import type { Rule } from './rule.js';
import { describeGroup, lastSessions, strictlyIncreasing } from './growth.js';

/** Listener keys (emitter+event) whose high a group remembers. */
const MAX_HIGHS = 1000;

interface Watched {
  group: GroupState;
  key: string;
  /** The first session's count: the finding resolves once the count is back to it. */
  baseline: number;
  subject: string;
}

/**
 * `listener-growth`: the live listeners for one emitter+event, counted per
 * session group, grew across `listenerGrowthSessions` consecutive sessions.
 * The ended sessions count at their end; the running one counts now, so the
 * leak is flagged as soon as the Nth session subscribes (counts 3, 6, then a
 * 7th listener). Only a count the group has never had before is growth:
 * the counts of many anonymous clients of one server wander up and down,
 * and a rise that merely repeats an earlier one is not flagged again.
 * Resolves when the group's count falls back to the first session's level.
 */
export function listenerGrowthRule(): Rule {
  /** Open findings by listener key, with what resolves them. */
  const watched = new Map<string, Watched>();
  /**
   * Per group and listener key: the most listeners it has had at once. Kept
   * when the count falls to zero (clients that all unsubscribe together and
   * then resubscribe one by one are not growth either); the oldest keys go
   * past MAX_HIGHS per group.
   */
  const highs = new Map<GroupState, Map<string, number>>();
  return {
    id: 'listener-growth',
    listenerAdded(ctx, listener, e) {
      const group = listener.group;
      if (!group) return;
      let high = highs.get(group);
      if (!high) highs.set(group, (high = new Map()));
      const count = group.listenersByKey.get(listener.key) ?? 0;
      const before = high.get(listener.key) ?? 0;
      if (count <= before) return;
      // Re-inserted, so the keys forgotten first are those that stopped rising.
      high.delete(listener.key);
      high.set(listener.key, count);
      if (high.size > MAX_HIGHS) high.delete(high.keys().next().value!);
      if (watched.has(listener.key)) return;
      const n = ctx.options.listenerGrowthSessions;
      const sessions = lastSessions(group, n);
      if (!sessions) return;
      const key = listener.key;
      const values = sessions.map((s) => (s.endListeners ? (s.endListeners.get(key) ?? 0) : (group.listenersByKey.get(key) ?? 0)));
      if (!strictlyIncreasing(values)) return;
      const l = listener.model;
      const subject = `${l.emitter}:${l.event}`;
      const first = sessions[0]!.model;
      const last = sessions[sessions.length - 1]!.model;
      const stillOpen = sessions.slice(0, -1).filter((s) => s.conn && s.conn.model.state !== 'closed').map((s) => s.model.conn);
      const finding = ctx.findings.open({
        rule: 'listener-growth',
        subject,
        severity: 'error',
        title: `"${l.event}" listeners on ${l.emitterName} grow with every session of ${describeGroup(group.name)}`,
        message:
          `The "${l.event}" listeners on ${l.emitterName} (emitter ${l.emitter}) owned by ${describeGroup(group.name)} ` +
          `grew ${progression(values)} over sessions ${first.index}–${last.index} (each session is a new connection, ` +
          `e.g. a reload): every session adds listeners and the old ones are never removed` +
          `${stillOpen.length > 0 ? ` — the old sessions' connections (${stillOpen.join(', ')}) are still open, so their cleanup never ran` : ''}. ` +
          `${createdAt(l.stack, 'The newest was added')} Node only warns at 11 listeners. Remove each session's ` +
          `listeners when its connection closes, and make sure the client really closes the old connection ` +
          `before reconnecting (shutdown then close).`,
        subjects: [l.emitter, ...sessions.map((s) => s.model.conn)],
        evidence: [...sessions.map((s) => s.model.openedSeq), e.seq],
        openedSeq: e.seq,
        openedT: e.t,
      });
      if (finding.resolvedSeq === undefined) {
        watched.set(key, { group, key, baseline: values[0]!, subject });
      }
    },
    listenerRemoved(ctx, listener, at) {
      const w = watched.get(listener.key);
      if (!w || w.group !== listener.group) return;
      if ((w.group.listenersByKey.get(w.key) ?? 0) > w.baseline) return;
      watched.delete(w.key);
      const finding = ctx.findings.get('listener-growth', w.subject);
      if (finding) ctx.findings.resolve(finding, at.seq, at.t);
    },
  };
}
