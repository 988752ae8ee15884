import { describe, expect, it } from 'vitest';
import { EventLog } from './event-log.js';

describe('snapshot of what is still alive', () => {
  it('forgets a closed connection once a reused handle id moved to another owner and was dropped', () => {
    const log = new EventLog(4, () => 0);
    const open = (conn: string) => log.publish({ type: 'conn.open', conn, server: null, transport: 'custom', actions: [] });
    open('c1');
    open('c2');
    // A foreign table (mirrorHandles) reuses id 7.
    log.publish({ type: 'handle.store', table: 'ffi', handle: 7, handleType: 'room', owner: 'c1' });
    log.publish({ type: 'handle.store', table: 'ffi', handle: 7, handleType: 'room', owner: 'c2' });
    log.publish({ type: 'handle.drop', table: 'ffi', handle: 7, ok: true, owner: 'c2' });
    log.publish({ type: 'conn.close', conn: 'c1', cause: 'peer-end' });
    // Let the ring wrap so the snapshot is all an inspector would get.
    for (let i = 0; i < 4; i++) log.publish({ type: 'mark', label: `m${i}` });
    expect(log.snapshot().map((e) => (e.type === 'conn.open' ? e.conn : e.type))).toEqual(['c2']);
  });
});
