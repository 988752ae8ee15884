import type { LinkDelivery } from './link.js';

/**
 * The agent's clock as seen from this side of a live link: the last `now`
 * it sent in a hello or a batch (a snapshot's `now` is its newest event's
 * time, which may be long past), plus the local time since it arrived.
 * Messages are validated on arrival, so every `now` here is a finite number.
 */
export class AgentClockEstimate {
  private last: { now: number; at: number } | undefined;

  observe(delivery: LinkDelivery): void {
    const now = delivery.type === 'hello' ? delivery.hello.now : delivery.type === 'batch' ? delivery.now : undefined;
    if (now !== undefined) this.last = { now, at: performance.now() };
  }

  /** The agent's clock now, less `lag` ms (to stay behind events still in flight); undefined before it sent one. */
  now(lag = 0): number | undefined {
    return this.last && this.last.now + (performance.now() - this.last.at) - lag;
  }
}
