/**
 * The handle table a backend without the agent would use: the same contract
 * as the agent's (integer ids from 1, children dropped with their parent,
 * typed errors) and nothing else, so host.none pays only for the app's work.
 */
import { HandleError } from '../../agent/errors.js';
import type { HandleId } from '../../shared/protocol.js';
import type { HandleTable, StoreOptions } from '../../agent/types.js';

export class PlainHandleTable<T> implements HandleTable<T> {
  private readonly live = new Map<HandleId, { value: T; children?: Set<HandleId> }>();
  private nextId = 1;

  constructor(readonly name: string) {}

  get size(): number {
    return this.live.size;
  }

  has(id: HandleId): boolean {
    return this.live.has(id);
  }

  store(value: T, options: StoreOptions = {}): HandleId {
    const id = this.nextId++;
    this.live.set(id, { value });
    if (options.parent !== undefined) {
      const parent = this.live.get(options.parent);
      if (parent) (parent.children ??= new Set()).add(id);
    }
    return id;
  }

  retrieve(id: HandleId): T {
    const entry = this.live.get(id);
    if (!entry) throw new HandleError('HANDLE_NOT_FOUND', this.name, id);
    return entry.value;
  }

  take(id: HandleId): T {
    const value = this.retrieve(id);
    this.drop(id);
    return value;
  }

  drop(id: HandleId): boolean {
    const entry = this.live.get(id);
    if (!entry) return false;
    this.live.delete(id);
    for (const child of entry.children ?? []) this.drop(child);
    return true;
  }
}
