import type { TargetHistory } from './history.js';

/**
 * One byte budget for every target's history together. Each target is
 * bounded on its own too; when their sum passes the budget, the largest
 * history gives up its oldest lines, so a chatty target cannot starve the
 * quiet ones and many targets together cannot outgrow the hub.
 */
export class HistoryBudget {
  private readonly histories = new Set<TargetHistory>();
  private total = 0;
  private enforcing = false;

  constructor(readonly maxBytes: number) {}

  /** Bytes held by every history together. */
  get bytes(): number {
    return this.total;
  }

  add(history: TargetHistory): void {
    this.histories.add(history);
    this.total += history.bytes;
    history.onBytes = (delta) => {
      this.total += delta;
      if (delta > 0) this.enforce();
    };
  }

  remove(history: TargetHistory): void {
    if (!this.histories.delete(history)) return;
    history.onBytes = () => {};
    this.total -= history.bytes;
  }

  private enforce(): void {
    if (this.enforcing) return;
    this.enforcing = true;
    try {
      while (this.total > this.maxBytes) {
        let largest: TargetHistory | undefined;
        for (const history of this.histories) if (!largest || history.bytes > largest.bytes) largest = history;
        if (!largest) return;
        const before = largest.bytes;
        largest.shrinkTo(before - (this.total - this.maxBytes));
        // Nothing left to give (a lone hello): stop rather than spin.
        if (largest.bytes === before) return;
      }
    } finally {
      this.enforcing = false;
    }
  }
}
