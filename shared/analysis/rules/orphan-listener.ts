import type { Deadline } from '../deadlines.js';
import { createdAt, describeConnection, duration } from '../explain.js';
import type { ConnRecord, ListenerRecord } from '../records.js';
import type { Rule, RuleContext } from './rule.js';

/**
 * `orphan-listener`: a listener still attached `orphanGrace` ms after the
 * connection that added it closed. Resolves when the listener is removed.
 */
export function orphanListenerRule(): Rule {
  return {
    id: 'orphan-listener',
    connClosed(ctx, conn, e) {
      if (conn.ownedListeners.size > 0) ctx.schedule(e.t + ctx.options.orphanGrace, 'owner-listeners', conn.model.id);
    },
    listenerAdded(ctx, listener) {
      // Added on behalf of a connection that had already closed (late async work).
      const owner = listener.owner;
      if (owner?.model.closedT === undefined) return;
      const due = Math.max(owner.model.closedT + ctx.options.orphanGrace, listener.model.addedT);
      ctx.schedule(due, 'listener', listener.model.id);
    },
    listenerRemoved(ctx, listener, at) {
      const finding = ctx.findings.get('orphan-listener', listener.model.id);
      if (finding) ctx.findings.resolve(finding, at.seq, at.t);
    },
    deadline(ctx, d) {
      if (d.kind === 'owner-listeners') {
        const conn = ctx.state.conns.get(d.id);
        if (conn?.model.state !== 'closed') return;
        for (const listener of conn.ownedListeners) open(ctx, listener, conn, d);
      } else if (d.kind === 'listener') {
        const listener = ctx.state.listeners.get(d.id);
        const owner = listener?.owner;
        if (listener && owner && listener.model.removedSeq === undefined && owner.model.state === 'closed') {
          open(ctx, listener, owner, d);
        }
      }
    },
  };
}

function open(ctx: RuleContext, listener: ListenerRecord, owner: ConnRecord, d: Deadline): void {
  const l = listener.model;
  const c = owner.model;
  const closedT = c.closedT ?? d.t;
  const closedSeq = c.closedSeq ?? l.addedSeq;
  const addedLate = l.addedSeq > closedSeq;
  ctx.findings.open({
    rule: 'orphan-listener',
    subject: l.id,
    severity: 'warning',
    title: `"${l.event}" listener on ${l.emitterName} outlived its connection ${c.id}`,
    message:
      `A "${l.event}" listener on ${l.emitterName} (emitter ${l.emitter}, listener ${l.id}) is still attached ` +
      `${duration(d.t - closedT)} after its owner, ${describeConnection(c.id, c)}, closed` +
      `${c.cause ? ` (${c.cause})` : ''}; it has been attached for ${duration(d.t - l.addedT)}` +
      `${addedLate ? ', after the connection had already closed' : ''}. ${createdAt(l.stack, 'Added')} ` +
      `Every event on ${l.emitterName} still runs it for a peer that is gone. Remove it in the connection's ` +
      `cleanup (its 'close' handler): off/removeListener("${l.event}", fn), or removeEventListener with an ` +
      `AbortSignal that the connection aborts when it closes.`,
    subjects: [l.id, c.id],
    evidence: addedLate ? [closedSeq, l.addedSeq] : [l.addedSeq, closedSeq],
    openedSeq: Math.max(closedSeq, l.addedSeq),
    openedT: d.t,
    ...(l.stack !== undefined && { stack: l.stack }),
  });
}
