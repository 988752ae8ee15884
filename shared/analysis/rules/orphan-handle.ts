import type { Deadline } from '../deadlines.js';
import { createdAt, describeConnection, duration } from '../explain.js';
import type { ConnRecord, HandleRecord } from '../records.js';
import type { Rule, RuleContext } from './rule.js';

/**
 * `orphan-handle`: a handle still live `handleGrace` ms after the connection
 * that stored it closed. Resolves when the handle is dropped or taken.
 */
export function orphanHandleRule(): Rule {
  return {
    id: 'orphan-handle',
    connClosed(ctx, conn, e) {
      if (conn.ownedHandles.size > 0) ctx.schedule(e.t + ctx.options.handleGrace, 'owner-handles', conn.model.id);
    },
    handleStored(ctx, handle, e) {
      // The same id stored again: the old handle is gone.
      resolve(ctx, handle, e);
      const owner = handle.owner;
      if (owner?.model.closedT === undefined) return;
      const due = Math.max(owner.model.closedT + ctx.options.handleGrace, handle.model.storedT);
      ctx.schedule(due, 'handle', handle.model.id);
    },
    handleGone(ctx, handle, at) {
      resolve(ctx, handle, at);
    },
    deadline(ctx, d) {
      if (d.kind === 'owner-handles') {
        const conn = ctx.state.conns.get(d.id);
        if (conn?.model.state !== 'closed') return;
        for (const handle of conn.ownedHandles) open(ctx, handle, conn, d);
      } else if (d.kind === 'handle') {
        const handle = ctx.state.handles.byModelId(d.id);
        const owner = handle?.owner;
        if (handle && owner && handle.model.state === 'live' && owner.model.state === 'closed') open(ctx, handle, owner, d);
      }
    },
  };
}

function resolve(ctx: RuleContext, handle: HandleRecord, at: { seq: number; t: number }): void {
  const finding = ctx.findings.get('orphan-handle', handle.model.id);
  if (finding) ctx.findings.resolve(finding, at.seq, at.t);
}

function open(ctx: RuleContext, handle: HandleRecord, owner: ConnRecord, d: Deadline): void {
  const h = handle.model;
  const c = owner.model;
  const closedT = c.closedT ?? d.t;
  const closedSeq = c.closedSeq ?? h.storedSeq;
  const parent = h.parent ? ` (child of ${h.parent})` : '';
  ctx.findings.open({
    rule: 'orphan-handle',
    subject: h.id,
    severity: 'warning',
    title: `"${h.type}" handle ${h.handle} in table ${h.table} outlived its connection ${c.id}`,
    message:
      `Handle ${h.handle} of type "${h.type}" in table "${h.table}"${parent} is still live ` +
      `${duration(d.t - closedT)} after its owner, ${describeConnection(c.id, c)}, closed` +
      `${c.cause ? ` (${c.cause})` : ''}; it has been live for ${duration(d.t - h.storedT)}. ` +
      `${createdAt(h.stack, 'Stored')} Whatever it holds stays allocated for a peer that is gone. Drop it in ` +
      `the connection's cleanup (table.drop(id) in its 'close' handler), or store it as a child of a ` +
      `per-connection parent handle so that dropping the parent drops it too.`,
    subjects: [h.id, c.id],
    evidence: h.storedSeq > closedSeq ? [closedSeq, h.storedSeq] : [h.storedSeq, closedSeq],
    openedSeq: Math.max(closedSeq, h.storedSeq),
    openedT: d.t,
  });
}
