/** What a connection owns right now. */
export interface Owned {
  listeners: number;
  handles: number;
}

/** Cleanup observed while an action runs on a connection. */
export interface CleanupTally {
  listenersRemoved: number;
  handlesDropped: number;
}

type Kind = 'listeners' | 'handles';

/**
 * Live listeners and handles per owning connection, so an action can say what
 * a connection cleaned up and what it still owns. Entries exist only while a
 * connection owns something, so the ledger is bounded by what the app keeps alive.
 */
export class OwnershipLedger {
  private readonly owned = new Map<string, Owned>();
  private readonly tallies = new Map<string, CleanupTally>();

  acquire(owner: string | null, kind: Kind): void {
    if (owner === null) return;
    let entry = this.owned.get(owner);
    if (!entry) this.owned.set(owner, (entry = { listeners: 0, handles: 0 }));
    entry[kind]++;
  }

  /** `cleanup` is false when the agent merely stopped watching (the listener may still be attached). */
  release(owner: string | null, kind: Kind, cleanup: boolean): void {
    if (owner === null) return;
    const entry = this.owned.get(owner);
    if (!entry || entry[kind] === 0) return;
    entry[kind]--;
    if (entry.listeners === 0 && entry.handles === 0) this.owned.delete(owner);
    const tally = cleanup ? this.tallies.get(owner) : undefined;
    if (!tally) return;
    if (kind === 'listeners') tally.listenersRemoved++;
    else tally.handlesDropped++;
  }

  ownedBy(owner: string): Owned {
    const entry = this.owned.get(owner);
    return { listeners: entry?.listeners ?? 0, handles: entry?.handles ?? 0 };
  }

  /** Start counting what `owner` releases; the returned tally fills in live until {@link endTally}. */
  beginTally(owner: string): CleanupTally {
    const tally = { listenersRemoved: 0, handlesDropped: 0 };
    this.tallies.set(owner, tally);
    return tally;
  }

  endTally(owner: string): void {
    this.tallies.delete(owner);
  }
}
