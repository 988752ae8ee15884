import { createdAt, describeConnection, duration, plural, topFrame } from '../explain.js';
import type { ConnRecord } from '../records.js';
import type { Rule, RuleContext } from './rule.js';

/**
 * `half-open`: the peer sent EOF but our side neither ended nor closed the
 * connection within `halfOpenGrace` ms. Resolves when our side ends or closes it.
 */
export function halfOpenRule(): Rule {
  return {
    id: 'half-open',
    connPeerEnded(ctx, conn, e) {
      // An HTTP/2 stream (or any session carried by another connection) is half-closed by design while it streams back.
      if (conn.model.via !== undefined) return;
      if (conn.model.state === 'half-open') ctx.schedule(e.t + ctx.options.halfOpenGrace, 'half-open', conn.model.id);
    },
    connLocalEnded(ctx, conn, e) {
      resolve(ctx, conn, e);
    },
    connClosed(ctx, conn, e) {
      resolve(ctx, conn, e);
    },
    deadline(ctx, d) {
      if (d.kind !== 'half-open') return;
      const conn = ctx.state.conns.get(d.id);
      const c = conn?.model;
      // The peerEndedT check skips a deadline left by an earlier connection with the same id.
      if (!conn || !c || c.state !== 'half-open' || c.peerEndedT === undefined) return;
      if (c.peerEndedT + ctx.options.halfOpenGrace !== d.t) return;
      ctx.findings.open({
        rule: 'half-open',
        subject: c.id,
        severity: 'warning',
        title: `${c.id} is half-open: the peer ended, we never closed`,
        message:
          `The peer of ${describeConnection(c.id, c)} sent EOF ${duration(d.t - c.peerEndedT)} ago, but our side ` +
          `has neither ended nor closed the connection, so its per-connection cleanup has not run and it still ` +
          `owns ${plural(conn.ownedListeners.size, 'listener')} and ${plural(conn.ownedHandles.size, 'handle')}. ` +
          `${topFrame(c.stack) ? `${createdAt(c.stack, 'Opened')} ` : ''}End it when the peer does: call socket.end() (or destroy()) in the ` +
          `'end' handler, or create the server with allowHalfOpen: false.`,
        subjects: [c.id],
        evidence: [c.peerEndedSeq ?? c.openedSeq],
        openedSeq: c.peerEndedSeq ?? c.openedSeq,
        openedT: d.t,
        ...(c.stack !== undefined && { stack: c.stack }),
      });
    },
  };
}

function resolve(ctx: RuleContext, conn: ConnRecord, at: { seq: number; t: number }): void {
  const finding = ctx.findings.get('half-open', conn.model.id);
  if (finding) ctx.findings.resolve(finding, at.seq, at.t);
}
