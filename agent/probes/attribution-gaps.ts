import type { HandleId } from '../../shared/protocol.js';
import type { ProbeContext } from './context.js';

/** Most connections reported; past that the inspector already knows detection is degraded. */
const MAX_REPORTED = 1000;

/**
 * With `attribution: 'sync'` only work running inside a connection's event
 * dispatch (or `runAs`) has an owner: a handler that subscribes after an
 * await runs as nobody, and its leak could never be flagged. When a listener
 * or handle is created with no owner after connection work has run, the
 * agent says so (`attribution.lost`), once per connection whose work ran
 * last, so a report is never silently blind.
 */
export class AttributionGaps {
  private readonly reported = new Set<string | null>();

  constructor(private readonly ctx: ProbeContext) {}

  /**
   * A listener (its id) or a handle (its table and id) was created with no
   * owner. The subject's name is built only when reported: this runs on
   * every unowned store.
   */
  unowned(listenerOrTable: string, handle?: HandleId): void {
    if (this.ctx.options.attribution !== 'sync') return;
    const conn = this.ctx.lastOwner;
    if (conn === null || this.reported.has(conn) || this.reported.size >= MAX_REPORTED) return;
    const subject = handle === undefined ? listenerOrTable : `${listenerOrTable}:${handle}`;
    this.reported.add(conn);
    this.ctx.sink.publish({
      type: 'attribution.lost',
      conn,
      subject,
      reason:
        "attribution is 'sync': work that continues after an await, a timer or a queue runs with no owner, " +
        `so ${subject} was created by nobody as far as the agent can tell (probably ${conn}'s work)`,
    });
  }
}
