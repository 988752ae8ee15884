import type { ConnWriteAfterCloseEvent } from '../../protocol.js';
import { createdAt, describeConnection, duration } from '../explain.js';
import type { ConnectionModel } from '../types.js';
import type { Rule } from './rule.js';

/**
 * `emit-after-close`: the backend wrote to a connection that was closed or
 * whose peer had ended — after the peer left, `orphanGrace` ms or more
 * later: a write already on its way when the peer left (a queued message a
 * library flushes a moment later) is a race, not a listener that still
 * forwards to a dead peer; after our own end() or destroy(), at once. One finding per connection, with every such write
 * as evidence; it never resolves (the write happened).
 */
export function emitAfterCloseRule(): Rule {
  return {
    id: 'emit-after-close',
    wroteAfterClose(ctx, conn, e) {
      const existing = ctx.findings.get('emit-after-close', e.conn);
      if (existing) {
        ctx.findings.addEvidence(existing, e.seq);
        return;
      }
      const c = conn?.model;
      // Destroyed, its close not out yet: the write raced the teardown itself (later ones are judged against the close).
      if (e.state === 'closed' && c !== undefined && c.state !== 'closed') return;
      const stopped = stoppedAt(e, c);
      if (stopped !== undefined && byPeer(e, c) && e.t - stopped < ctx.options.orphanGrace) return;
      ctx.findings.open({
        rule: 'emit-after-close',
        subject: e.conn,
        severity: 'error',
        title: `Wrote to ${e.conn} after ${stateWords(e.state)}`,
        message:
          `The backend wrote${typeof e.bytes === 'number' ? ` ${e.bytes} bytes` : ''} to ` +
          `${describeConnection(e.conn, c)} ${since(e, c)}after ${stateWords(e.state)}. ${createdAt(e.stack, 'Written')} ` +
          `Usually a listener on a shared emitter still forwards events to this connection: remove it in the ` +
          `connection's 'close' handler (or stop writing once the peer ends), and check socket.writable before writing.`,
        subjects: [e.conn],
        evidence: [e.seq],
        openedSeq: e.seq,
        openedT: e.t,
        ...(e.stack !== undefined && { stack: e.stack }),
      });
    },
  };
}

function stateWords(state: ConnWriteAfterCloseEvent['state']): string {
  if (state === 'peer-ended') return 'its peer ended';
  if (state === 'local-ended') return 'we ended it';
  return 'it closed';
}

/**
 * The peer stopped the connection (its FIN, a reset, or it closed first): a
 * write a moment later may have been on its way. After our own end() or
 * destroy(), any write is the backend's own mistake.
 */
function byPeer(e: ConnWriteAfterCloseEvent, c: ConnectionModel | undefined): boolean {
  if (e.state === 'peer-ended') return true;
  return e.state === 'closed' && (c?.cause === 'peer-end' || c?.cause === 'error');
}

/** When the connection stopped taking writes, as the write found it, when known. */
function stoppedAt(e: ConnWriteAfterCloseEvent, c: ConnectionModel | undefined): number | undefined {
  return e.state === 'peer-ended' ? c?.peerEndedT : e.state === 'local-ended' ? c?.localEndedT : c?.closedT;
}

/** `1.5 s ` after the moment the connection stopped accepting writes, when known. */
function since(e: ConnWriteAfterCloseEvent, c: ConnectionModel | undefined): string {
  const from = stoppedAt(e, c);
  return from === undefined ? '' : `${duration(e.t - from)} `;
}
