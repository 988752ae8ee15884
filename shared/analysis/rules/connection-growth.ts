import type { Finding } from '../../protocol.js';
import { createdAt, duration, progression, topFrame } from '../explain.js';
import type { FindingUpdate } from '../findings.js';
import type { ConnRecord, GroupState } from '../records.js';
import type { At, Rule, RuleContext } from './rule.js';
import { bySession, idList, sessionEvidence, sessionRange } from './growth.js';

/**
 * `connection-growth`: abandoned connections pile up in one session group —
 * `connectionGrowthSessions - 1` of them or more, each still open although
 * its peer has sent nothing since a newer session of the group opened (for
 * the abandon grace at least): a client that reconnects without closing.
 * Concurrently active connections never count. While open, the finding
 * follows the growth; it resolves when fewer abandoned connections remain
 * (they closed, or talked again).
 */
export function connectionGrowthRule(): Rule {
  /** Open findings by group name. */
  const watched = new Map<string, Finding>();

  const recount = (ctx: RuleContext, group: GroupState, at: At): void => {
    const abandoned = [...group.open].filter((c) => c.abandoned).sort(bySession);
    const open = watched.get(group.name);
    if (abandoned.length < ctx.options.connectionGrowthSessions - 1) {
      if (!open) return;
      watched.delete(group.name);
      ctx.findings.resolve(open, at.seq, at.t);
      return;
    }
    const spec = describe(ctx, group, abandoned, open ? open.openedSeq : at.seq);
    if (open) {
      ctx.findings.update(open, spec);
      return;
    }
    const finding = ctx.findings.open({
      rule: 'connection-growth',
      subject: group.name,
      severity: 'error',
      ...spec,
      openedSeq: at.seq,
      openedT: at.t,
    });
    if (finding.resolvedSeq === undefined) watched.set(group.name, finding);
  };

  const onChange = (ctx: RuleContext, conn: ConnRecord, at: At): void => {
    if (conn.model.via === undefined) recount(ctx, conn.group, at);
  };

  return {
    id: 'connection-growth',
    sessionStale: onChange,
    sessionRevived: onChange,
    connOpened(ctx, conn, e) {
      // A newer session opened: an open finding's counts move on.
      if (watched.has(conn.group.name)) recount(ctx, conn.group, e);
    },
  };
}

function describe(ctx: RuleContext, group: GroupState, abandoned: readonly ConnRecord[], openedSeq: number): FindingUpdate {
  // One more abandoned connection with every session, then the running session's own.
  const values = abandoned.map((_, i) => i + 1);
  const latest = group.latest?.conn;
  const running = latest !== undefined && latest.model.state !== 'closed' && !latest.abandoned;
  if (running) values.push(abandoned.length + 1);
  const sessions = running ? [...abandoned, latest] : [...abandoned];
  const ids = abandoned.map((c) => c.model.id);
  const many = ids.length !== 1;
  const newest = latest?.model;
  return {
    title: `Open connections from ${group.description} grow with every session`,
    message:
      `Open connections from ${group.description} grew ${progression(values)} over ${sessionRange(sessions)}: each ` +
      `new session (a reconnect or reload) left the previous connection open, and ${idList(ids)} ${many ? 'have' : 'has'} ` +
      `been idle since a newer session started (nothing received for ${duration(ctx.options.abandonGrace)} or more) — ` +
      `the client abandoned ${many ? 'them' : 'it'} without closing, so the backend never saw EOF and never ran ` +
      `their cleanup. ${newest && topFrame(newest.stack) ? `${createdAt(newest.stack, 'The newest was opened')} ` : ''}` +
      `Close the old connection before reconnecting: shutdown(2) then close(2) — a plain close() racing a ` +
      `blocked read can leave the socket open.`,
    subjects: sessions.map((c) => c.model.id),
    evidence: sessionEvidence(sessions, openedSeq),
    ...(newest?.stack !== undefined && { stack: newest.stack }),
  };
}
