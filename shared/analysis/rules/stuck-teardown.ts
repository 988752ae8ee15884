import type { Finding } from '../../protocol.js';
import { describeConnection, duration, plural } from '../explain.js';
import type { Rule } from './rule.js';

/**
 * `stuck-teardown`: a disconnect/close action settled `stuck` (the
 * connection was not closed when its timeout hit). Resolves when that
 * connection closes.
 */
export function stuckTeardownRule(): Rule {
  /** Open findings per connection id, resolved together when it closes. */
  const openByConn = new Map<string, Finding[]>();
  return {
    id: 'stuck-teardown',
    actionSettled(ctx, action, e) {
      if (e.result.verdict !== 'stuck') return;
      const a = action.model;
      const connId = a.connection ?? e.conn;
      const conn = connId !== null ? ctx.state.conns.get(connId) : undefined;
      const c = conn?.model;
      const remaining = e.result.remaining;
      // Named as the model tracks it (as the UI's rows and timeline show it): our FIN sent is
      // `closing`, where the agent's settle result calls a one-sided end `half-open`.
      const state = c && c.state !== 'closed' ? c.state : e.result.state;
      const still = [
        state ? `still ${state}` : 'still not closed',
        remaining ? `still owning ${plural(remaining.listeners, 'listener')} and ${plural(remaining.handles, 'handle')}` : '',
      ].filter(Boolean);
      const target = connId !== null ? describeConnection(connId, c) : 'the agent';
      const finding = ctx.findings.open({
        rule: 'stuck-teardown',
        subject: a.id,
        severity: 'error',
        title: `"${a.name}" on ${connId ?? 'the agent'} did not finish within ${duration(a.timeout || e.result.duration)}`,
        message:
          `The "${a.name}" action (${a.source === 'inspector' ? 'run from the inspector' : 'run from code'}) on ${target} ` +
          `waited ${duration(e.result.duration)} and the connection was ${still.join(', ')}. A graceful ` +
          `disconnect can wait forever on a peer that never answers (or on a read parked in a worker): bound it ` +
          `with a deadline that falls back to close() — shutdown then close — or destroy().`,
        subjects: connId !== null ? [a.id, connId] : [a.id],
        evidence: [a.startedSeq, e.seq],
        openedSeq: e.seq,
        openedT: e.t,
      });
      if (connId === null) return;
      if (c?.state === 'closed') {
        // It closed between the timeout and the verdict: stuck, but over.
        ctx.findings.resolve(finding, e.seq, e.t);
        return;
      }
      const list = openByConn.get(connId);
      if (list) list.push(finding);
      else openByConn.set(connId, [finding]);
    },
    connClosed(ctx, conn, e) {
      const list = openByConn.get(conn.model.id);
      if (!list) return;
      openByConn.delete(conn.model.id);
      for (const finding of list) ctx.findings.resolve(finding, e.seq, e.t);
    },
  };
}
