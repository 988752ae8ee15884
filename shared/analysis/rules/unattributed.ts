import type { Finding } from '../../protocol.js';
import { plural } from '../explain.js';
import type { FindingUpdate } from '../findings.js';
import type { Rule } from './rule.js';
import { idList } from './growth.js';

/**
 * `unattributed`: the agent could not tell which connection some work
 * belonged to (`attribution.lost`), so leaks of that work cannot be
 * flagged: detection is degraded, and a clean report would be a blind one.
 * One finding per run that follows every report; it never resolves.
 */
export function unattributedRule(): Rule {
  let finding: Finding | undefined;
  const subjects: string[] = [];
  const connections: string[] = [];
  let reports = 0;
  let reason = '';
  return {
    id: 'unattributed',
    attributionLost(ctx, e) {
      reports++;
      reason ||= typeof e.reason === 'string' ? e.reason : '';
      if (typeof e.subject === 'string' && subjects.length < 100 && !subjects.includes(e.subject)) subjects.push(e.subject);
      if (typeof e.conn === 'string' && e.conn && !connections.includes(e.conn)) connections.push(e.conn);
      const spec: FindingUpdate = {
        title: 'Leak detection is degraded: the owner of some work could not be determined',
        message:
          `The agent could not tell which connection owned work it saw (${plural(reports, 'report')}, first ` +
          `${subjects[0] ?? 'unknown'}${connections.length > 0 ? `; work that probably continued connection${connections.length === 1 ? '' : 's'} ${idList(connections)}` : ''}): ` +
          `${reason || 'a listener or handle was created with no owner while connection work was running'}. ` +
          `Listeners and handles without an owner are never flagged as leaked, so this report can miss leaks. ` +
          `Use attribution: 'async' (the default), or run such work as its connection with agent.runAs(connection, fn).`,
        subjects: [...connections, ...subjects],
        evidence: finding ? [...finding.evidence, e.seq] : [e.seq],
      };
      if (finding && finding.resolvedSeq === undefined) ctx.findings.update(finding, spec);
      else finding = ctx.findings.open({ rule: 'unattributed', subject: 'attribution', severity: 'warning', ...spec, openedSeq: e.seq, openedT: e.t });
    },
  };
}
