/**
 * Shared wording of `stale-handle` and `double-drop`: both are a call on a
 * handle id that is not live, reported once per id with every call as evidence.
 */
import type { HandleAccessEvent, HandleDropEvent, RuleId, Severity } from '../../protocol.js';
import { duration, topFrame } from '../explain.js';
import type { HandleRecord } from '../records.js';
import { handleModelId } from '../state.js';
import type { RuleContext } from './rule.js';

export interface MisuseWording {
  rule: RuleId;
  severity: Severity;
  /** `retrieved`, `taken`, `dropped`. */
  verb: string;
  title: string;
  /** What would have prevented it. */
  fix: string;
}

export function reportMisuse(
  ctx: RuleContext,
  e: HandleAccessEvent | HandleDropEvent,
  handle: HandleRecord | undefined,
  wording: MisuseWording,
): void {
  const id = handleModelId(e.table, e.handle);
  const existing = ctx.findings.get(wording.rule, id);
  if (existing) {
    ctx.findings.addEvidence(existing, e.seq);
    return;
  }
  const h = handle?.model;
  const where = topFrame(e.stack);
  const caller = `${where ? ` from ${where}` : ''}${e.owner ? ` on behalf of connection ${e.owner}` : ''}`;
  let what: string;
  const evidence: number[] = [];
  if (h?.droppedSeq !== undefined && h.droppedT !== undefined) {
    evidence.push(h.droppedSeq);
    const stored = topFrame(h.stack);
    what =
      `Handle ${e.handle} of type "${h.type}" in table "${e.table}" was ${wording.verb}${caller} ` +
      `${duration(e.t - h.droppedT)} after it had been dropped (seq ${h.droppedSeq})` +
      `${h.owner ? `; it belonged to connection ${h.owner}` : ''}${stored ? ` and was stored at ${stored}` : ''}.`;
  } else {
    what =
      `Handle ${e.handle} in table "${e.table}" was ${wording.verb}${caller}, but it was never stored ` +
      `(as far as this stream shows${ctx.state.model.gaps.length > 0 ? ': some events were lost in a gap' : ''}).`;
  }
  evidence.push(e.seq);
  ctx.findings.open({
    rule: wording.rule,
    subject: id,
    severity: wording.severity,
    title: wording.title,
    message: `${what} ${wording.fix}`,
    subjects: e.owner ? [id, e.owner] : [id],
    evidence,
    openedSeq: e.seq,
    openedT: e.t,
    ...(e.stack !== undefined && { stack: e.stack }),
  });
}
