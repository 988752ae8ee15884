import type { AgentEvent } from '../../../shared/protocol.js';

/**
 * A synthetic reload-leak stream: each session opens a connection, adds 3
 * manager listeners and talks once; old sockets stay open. Analyse it with a
 * `now` past the abandon grace (3 s) for the growth findings.
 */
export function reloadLeakStream(sessions: number, closeOld: boolean): AgentEvent[] {
  const events: AgentEvent[] = [];
  let seq = 0;
  let t = 0;
  const push = (e: Record<string, unknown>) => events.push({ ...e, seq: ++seq, t: (t += 10) } as unknown as AgentEvent);
  push({ type: 'emitter.watch', emitter: 'e1', name: 'manager', kind: 'EventEmitter' });
  let listener = 0;
  for (let s = 1; s <= sessions; s++) {
    const conn = `c${s}`;
    if (closeOld && s > 1) {
      const old = `c${s - 1}`;
      push({ type: 'conn.close', conn: old, cause: 'peer-end' });
      for (let k = 2; k >= 0; k--) push({ type: 'listener.remove', listener: `l${listener - k}`, emitter: 'e1', event: 'update', how: 'remove' });
    }
    push({ type: 'conn.open', conn, server: 's1', transport: 'tcp', client: 'app', actions: [] });
    for (let k = 0; k < 3; k++) push({ type: 'listener.add', listener: `l${++listener}`, emitter: 'e1', event: 'update', owner: conn, once: false });
    // The session's client talks (subscribes) once, then goes silent.
    push({ type: 'conn.io', conn, bytesIn: 100, bytesOut: 100, lastActivity: t, lastIn: t });
  }
  return events;
}
