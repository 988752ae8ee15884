import { createdAt, progression, topFrame } from '../explain.js';
import type { GroupState } from '../records.js';
import type { Rule } from './rule.js';
import { describeGroup, lastSessions, strictlyIncreasing } from './growth.js';

/**
 * `connection-growth`: the open connections of one session group grew across
 * `connectionGrowthSessions` consecutive sessions while the older sessions'
 * connections stayed open and their peers idle (nothing received after the
 * next session opened; the backend may well keep writing into them) —
 * a client that reconnects without closing. Checked when a session opens;
 * resolves when the group's open connections fall back to the first
 * session's level.
 */
export function connectionGrowthRule(): Rule {
  /** Open findings by group name, with the count that resolves them. */
  const watched = new Map<string, { group: GroupState; baseline: number }>();
  return {
    id: 'connection-growth',
    connOpened(ctx, conn, e) {
      const group = conn.group;
      if (watched.has(group.name)) return;
      const sessions = lastSessions(group, ctx.options.connectionGrowthSessions);
      if (!sessions) return;
      const values = sessions.map((s) => s.endConnections ?? group.live.connections);
      if (!strictlyIncreasing(values)) return;
      const older = sessions.slice(0, -1);
      for (let i = 0; i < older.length; i++) {
        const c = older[i]!.conn?.model;
        const nextOpened = sessions[i + 1]!.model.openedT;
        // >=: agents may stamp a read with the time of the last event before it (docs/protocol.md, conn.io).
        if (!c || c.state === 'closed' || c.lastInbound >= nextOpened) return;
      }
      const first = sessions[0]!.model;
      const olderIds = older.map((s) => s.model.conn);
      const finding = ctx.findings.open({
        rule: 'connection-growth',
        subject: group.name,
        severity: 'error',
        title: `Open connections from ${describeGroup(group.name)} grow with every session`,
        message:
          `Open connections from ${describeGroup(group.name)} grew ${progression(values)} over sessions ` +
          `${first.index}–${conn.session.model.index}: each new session (a reconnect or reload) left the previous ` +
          `connection open, and ${olderIds.join(', ')} ${olderIds.length === 1 ? 'has' : 'have'} been idle since ` +
          `the next session started — the client abandoned ${olderIds.length === 1 ? 'it' : 'them'} without ` +
          `closing, so the backend never saw EOF and never ran their cleanup. ` +
          `${topFrame(conn.model.stack) ? `${createdAt(conn.model.stack, 'The newest was opened')} ` : ''}` +
          `Close the old connection before reconnecting: shutdown(2) then close(2) — a plain close() racing a ` +
          `blocked read can leave the socket open.`,
        subjects: sessions.map((s) => s.model.conn),
        evidence: sessions.map((s) => s.model.openedSeq),
        openedSeq: e.seq,
        openedT: e.t,
      });
      if (finding.resolvedSeq === undefined) watched.set(group.name, { group, baseline: values[0]! });
    },
    connClosed(ctx, conn, e) {
      const w = watched.get(conn.group.name);
      if (!w || w.group.live.connections > w.baseline) return;
      watched.delete(conn.group.name);
      const finding = ctx.findings.get('connection-growth', conn.group.name);
      if (finding) ctx.findings.resolve(finding, e.seq, e.t);
    },
  };
}
