import type { HandleId } from '../protocol.js';
import type { HandleRecord } from './records.js';

/**
 * Handle records by table, then by handle id. Every handle event names its
 * table and id; looking them up in two steps spares building and hashing a
 * `table:id` string per event, which profiling showed to be the largest
 * single cost of a store/drop pair.
 */
export class HandleIndex {
  private readonly tables = new Map<string, Map<HandleId, HandleRecord>>();

  get(table: string, handle: HandleId): HandleRecord | undefined {
    return this.tables.get(table)?.get(handle);
  }

  set(record: HandleRecord): void {
    const { table, handle } = record.model;
    let byId = this.tables.get(table);
    if (!byId) this.tables.set(table, (byId = new Map()));
    byId.set(handle, record);
  }

  /** Forgets the handle, unless its id was stored again since (a newer record). */
  forget(record: HandleRecord): void {
    const byId = this.tables.get(record.model.table);
    if (byId?.get(record.model.handle) === record) byId.delete(record.model.handle);
  }

  /**
   * The record a model id (`table:handle`, as findings and deadlines name
   * handles) stands for. Rare, so it tries each table whose name prefixes the id.
   */
  byModelId(id: string): HandleRecord | undefined {
    for (const [table, byId] of this.tables) {
      if (id.length <= table.length || !id.startsWith(table) || id[table.length] !== ':') continue;
      const rest = id.slice(table.length + 1);
      const record = byId.get(rest) ?? (String(Number(rest)) === rest ? byId.get(Number(rest)) : undefined);
      if (record) return record;
    }
    return undefined;
  }
}
