import { AgentError } from '../errors.js';
import type { SettleResult } from '../../shared/protocol.js';
import type { ActOptions } from '../types.js';
import { liveState } from './connection.js';
import type { ConnectionRegistry } from './connections.js';
import type { ProbeContext } from './context.js';

interface Running {
  settleNow(): void;
}

/**
 * Runs a teardown or app action on a connection and reports how it went:
 * `clean` once the connection closed (and its close handlers ran), `stuck` if
 * it did not within the timeout, `failed` if the action threw or rejected.
 */
export class ConnectionActions {
  private readonly running = new Set<Running>();

  constructor(
    private readonly ctx: ProbeContext,
    private readonly connections: ConnectionRegistry,
  ) {}

  async act(conn: string, name: string, options: ActOptions): Promise<SettleResult> {
    const record = this.connections.openById(conn);
    if (!record) throw new AgentError('UNKNOWN_CONNECTION', `no open connection "${conn}"`);
    const action = record.actions.get(name);
    if (!action) throw new AgentError('UNKNOWN_ACTION', `connection "${conn}" has no action "${name}"`);
    if (record.busy) throw new AgentError('ACTION_BUSY', `an action is already running on connection "${conn}"`);

    const { ctx } = this;
    // The agent has already decided it (agent.ts actionTimeout); the default is for direct callers.
    const timeout = options.timeout ?? ctx.options.actionTimeout;
    const actionId = ctx.nextId('a');
    const startedAt = ctx.sink.now();
    record.busy = true;
    const tally = ctx.ledger.beginTally(record.id);
    ctx.sink.publish({ type: 'action.start', action: actionId, conn, name, source: options.source, timeout });

    return new Promise<SettleResult>((resolve) => {
      let settled = false;
      const settle = (outcome: Partial<SettleResult> & Pick<SettleResult, 'verdict'>): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.running.delete(running);
        const waiterAt = record.closeWaiters.indexOf(onClosed);
        if (waiterAt >= 0) record.closeWaiters.splice(waiterAt, 1);
        ctx.ledger.endTally(record.id);
        record.busy = false;
        const result: SettleResult = {
          duration: ctx.sink.now() - startedAt,
          listenersRemoved: tally.listenersRemoved,
          handlesDropped: tally.handlesDropped,
          ...outcome,
        };
        ctx.sink.publish({ type: 'action.settle', action: actionId, conn, name, result });
        resolve(result);
      };
      const stuck = (): void => {
        // Closed just now, its waiters not run yet: that is still a clean teardown.
        if (record.closed) settle({ verdict: 'clean' });
        else settle({ verdict: 'stuck', state: liveState(record), remaining: ctx.ledger.ownedBy(record.id) });
      };
      const onClosed = (): void => settle({ verdict: 'clean' });
      const failed = (err: unknown): void => settle({ verdict: 'failed', error: describeError(err) });
      const running: Running = { settleNow: stuck };
      this.running.add(running);
      record.closeWaiters.push(onClosed);
      const timer = setTimeout(stuck, timeout);
      // A pending verdict must not keep the host process alive.
      timer.unref?.();

      try {
        const outcome = action.run();
        if (isThenable(outcome)) outcome.then(undefined, failed);
      } catch (err) {
        failed(err);
      }
    });
  }

  /** Settles every running action now (as `stuck`: the agent stops waiting). */
  close(): void {
    for (const running of [...this.running]) running.settleNow();
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (typeof value === 'object' || typeof value === 'function') && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

/** What an action threw, as `SettleResult.error`. */
export function describeError(err: unknown): { code?: string; message: string } {
  const { code, message } = (typeof err === 'object' && err !== null ? err : {}) as { code?: unknown; message?: unknown };
  return {
    ...(typeof code === 'string' && { code }),
    message: typeof message === 'string' ? message : String(err),
  };
}
