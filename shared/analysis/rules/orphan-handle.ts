import { createdAt, describeConnection, duration, plural } from '../explain.js';
import type { FindingUpdate } from '../findings.js';
import type { ConnRecord, HandleRecord } from '../records.js';
import type { At, Rule, RuleContext } from './rule.js';

/**
 * `orphan-handle`: a handle still live `handleGrace` ms after the connection
 * that stored it closed. One finding per abandoned root — a handle whose
 * parent is not live and held by the same connection — with its live
 * descendants counted in it. Resolves when the root is dropped or taken;
 * descendants left behind then are reported as roots of their own.
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
      const owner = handle.owner;
      const wasRoot = resolve(ctx, handle, at);
      if (!owner || !graceOver(ctx, owner, at.t)) return;
      const state = ctx.state;
      if (wasRoot) {
        // Its live descendants (a take leaves them in the table) are abandoned roots now.
        for (const h of owner.ownedHandles) if (h.model.parent === handle.model.id && h.model.state === 'live') report(ctx, h, owner, at.t, at.seq);
        return;
      }
      // A descendant went: its root's count follows.
      const parent = handle.model.parent ? state.handles.byModelId(handle.model.parent) : undefined;
      if (parent) update(ctx, rootOf(ctx, parent, owner), owner);
    },
    deadline(ctx, d) {
      if (d.kind === 'owner-handles') {
        const conn = ctx.state.conns.get(d.id);
        if (conn?.model.state !== 'closed') return;
        for (const handle of conn.ownedHandles) if (rootOf(ctx, handle, conn) === handle) report(ctx, handle, conn, d.t);
      } else if (d.kind === 'handle') {
        const handle = ctx.state.handles.byModelId(d.id);
        const owner = handle?.owner;
        if (!handle || !owner || handle.model.state !== 'live' || owner.model.state !== 'closed') return;
        const root = rootOf(ctx, handle, owner);
        if (root === handle) report(ctx, handle, owner, d.t);
        else update(ctx, root, owner);
      }
    },
  };
}

function graceOver(ctx: RuleContext, owner: ConnRecord, t: number): boolean {
  return owner.model.closedT !== undefined && t >= owner.model.closedT + ctx.options.handleGrace;
}

/** The topmost live ancestor held by the same connection (the handle itself when its parent is gone or someone else's). */
function rootOf(ctx: RuleContext, handle: HandleRecord, owner: ConnRecord): HandleRecord {
  let root = handle;
  const seen = new Set<HandleRecord>([handle]);
  for (;;) {
    const parentId = root.model.parent;
    const parent = parentId ? ctx.state.handles.byModelId(parentId) : undefined;
    if (!parent || parent.model.state !== 'live' || parent.owner !== owner || seen.has(parent)) return root;
    seen.add(parent);
    root = parent;
  }
}

/** Live handles below `root` held by the same connection. */
function descendants(root: HandleRecord, owner: ConnRecord): HandleRecord[] {
  const children = new Map<string, HandleRecord[]>();
  for (const h of owner.ownedHandles) {
    if (h.model.state !== 'live' || !h.model.parent) continue;
    let list = children.get(h.model.parent);
    if (!list) children.set(h.model.parent, (list = []));
    list.push(h);
  }
  const out: HandleRecord[] = [];
  const stack = [...(children.get(root.model.id) ?? [])];
  while (stack.length > 0) {
    const h = stack.shift()!;
    if (out.includes(h)) continue;
    out.push(h);
    stack.push(...(children.get(h.model.id) ?? []));
  }
  return out;
}

/** True when the handle was an open finding's root. */
function resolve(ctx: RuleContext, handle: HandleRecord, at: At): boolean {
  const finding = ctx.findings.get('orphan-handle', handle.model.id);
  if (!finding) return false;
  ctx.findings.resolve(finding, at.seq, at.t);
  return true;
}

function update(ctx: RuleContext, root: HandleRecord, owner: ConnRecord): void {
  const finding = ctx.findings.get('orphan-handle', root.model.id);
  if (finding) ctx.findings.update(finding, describe(root, owner, finding.openedT));
}

function report(ctx: RuleContext, handle: HandleRecord, owner: ConnRecord, t: number, seq?: number): void {
  const h = handle.model;
  const closedSeq = owner.model.closedSeq ?? h.storedSeq;
  ctx.findings.open({
    rule: 'orphan-handle',
    subject: h.id,
    severity: 'warning',
    ...describe(handle, owner, t),
    openedSeq: seq ?? Math.max(closedSeq, h.storedSeq),
    openedT: t,
  });
}

function describe(root: HandleRecord, owner: ConnRecord, openedT: number): FindingUpdate {
  const h = root.model;
  const c = owner.model;
  const closedT = c.closedT ?? openedT;
  const closedSeq = c.closedSeq ?? h.storedSeq;
  const below = descendants(root, owner);
  const parent = h.parent ? ` (child of ${h.parent})` : '';
  const byType = new Map<string, number>();
  for (const d of below) byType.set(d.model.type, (byType.get(d.model.type) ?? 0) + 1);
  const kinds = [...byType].map(([type, n]) => `${n} "${type}"`).join(', ');
  const children = below.length > 0 ? ` and ${plural(below.length, 'descendant')} it holds (${kinds})` : '';
  return {
    title: `"${h.type}" handle ${h.handle} in table ${h.table} outlived its connection ${c.id}` + (below.length > 0 ? ` (+${below.length})` : ''),
    message:
      `Handle ${h.handle} of type "${h.type}" in table "${h.table}"${parent}${children} ${below.length > 0 ? 'are' : 'is'} still live ` +
      `${duration(openedT - closedT)} after ${below.length > 0 ? 'their' : 'its'} owner, ${describeConnection(c.id, c)}, closed` +
      `${c.cause ? ` (${c.cause})` : ''}; it has been live for ${duration(openedT - h.storedT)}. ` +
      `${createdAt(h.stack, 'Stored')} Whatever ${below.length > 0 ? 'they hold stays' : 'it holds stays'} allocated for a peer that is gone. Drop it in ` +
      `the connection's cleanup (table.drop(id) in its 'close' handler), or store it as a child of a ` +
      `per-connection parent handle so that dropping the parent drops it too.`,
    subjects: [h.id, ...below.map((d) => d.model.id), c.id],
    evidence: h.storedSeq > closedSeq ? [closedSeq, h.storedSeq] : [h.storedSeq, closedSeq],
    ...(h.stack !== undefined && { stack: h.stack }),
  };
}
