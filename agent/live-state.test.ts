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

describe('what a late inspector learns about', () => {
  it('keeps each kind of still-alive event once the ring wrapped, and only the latest I/O', () => {
    const log = new EventLog(2, () => 0);
    log.publish({ type: 'server.listen', server: 's1', transport: 'unix', address: '/tmp/s' });
    log.publish({ type: 'emitter.watch', emitter: 'e1', name: 'manager', kind: 'EventEmitter' });
    log.publish({ type: 'emitter.lost-track', emitter: 'e1', reason: 'on() replaced' });
    log.publish({ type: 'conn.open', conn: 'c1', server: 's1', transport: 'unix', actions: [] });
    log.publish({ type: 'conn.io', conn: 'c1', bytesIn: 1, bytesOut: 1, msgsIn: 1, msgsOut: 1, lastActivity: 0, lastIn: 0 });
    log.publish({ type: 'conn.io', conn: 'c1', bytesIn: 2, bytesOut: 2, msgsIn: 2, msgsOut: 2, lastActivity: 0, lastIn: 0 });
    log.publish({ type: 'conn.peer-end', conn: 'c1' });
    log.publish({ type: 'conn.local-end', conn: 'c1' });
    log.publish({ type: 'listener.add', listener: 'l1', emitter: 'e1', event: 'x', owner: 'c1', once: false });
    log.publish({ type: 'listener.add', listener: 'l2', emitter: 'e1', event: 'x', owner: null, once: false });
    log.publish({ type: 'listener.remove', listener: 'l2', emitter: 'e1', event: 'x', how: 'remove' });
    log.publish({ type: 'handle.table', table: 'rooms', mirror: false });
    log.publish({ type: 'handle.store', table: 'rooms', handle: 1, handleType: 'room', owner: 'c1' });
    log.publish({ type: 'handle.store', table: 'rooms', handle: 2, handleType: 'room', owner: null });
    log.publish({ type: 'handle.drop', table: 'rooms', handle: 2, ok: true, owner: null });
    log.publish({ type: 'action.start', action: 'a1', conn: null, name: 'reset', source: 'code', timeout: 10 });
    log.publish({ type: 'conn.close', conn: 'c1', cause: 'peer-end' });
    for (let i = 0; i < 2; i++) log.publish({ type: 'mark', label: `m${i}` });
    const kept = () => log.snapshot().map((e) => `${e.type}${'conn' in e && e.type.startsWith('conn.') ? ` ${e.conn}` : ''}${e.type === 'conn.io' ? ` ${e.bytesIn}` : ''}`);
    // c1 closed but still owns l1 and handle 1: it stays explainable.
    expect(kept()).toEqual([
      'server.listen',
      'emitter.watch',
      'emitter.lost-track',
      'conn.open c1',
      'conn.io c1 2',
      'conn.peer-end c1',
      'conn.local-end c1',
      'listener.add',
      'handle.table',
      'handle.store',
      'action.start',
      'conn.close c1',
    ]);
    log.publish({ type: 'listener.remove', listener: 'l1', emitter: 'e1', event: 'x', how: 'remove' });
    log.publish({ type: 'handle.drop', table: 'rooms', handle: 1, ok: true, owner: 'c1' });
    log.publish({ type: 'action.settle', action: 'a1', conn: null, name: 'reset', result: { verdict: 'clean', duration: 1, listenersRemoved: 0, handlesDropped: 0 } });
    log.publish({ type: 'emitter.unwatch', emitter: 'e1' });
    log.publish({ type: 'server.close', server: 's1' });
    for (let i = 0; i < 2; i++) log.publish({ type: 'mark', label: `n${i}` });
    expect(kept()).toEqual(['handle.table']);
  });
});

describe('app-level sessions and blind spots for a late inspector', () => {
  it('keeps the transports an open session moved to, and the reports that some work had no owner', () => {
    const log = new EventLog(2, () => 0);
    log.publish({ type: 'conn.open', conn: 'c1', server: 's1', transport: 'tcp', actions: [] });
    log.publish({ type: 'conn.open', conn: 'c2', server: 's1', transport: 'tcp', actions: [], via: 'c1', protocol: 'socket.io' });
    log.publish({ type: 'conn.open', conn: 'c3', server: 's1', transport: 'tcp', actions: [] });
    log.publish({ type: 'conn.via', conn: 'c2', via: 'c3' });
    log.publish({ type: 'attribution.lost', conn: 'c2', subject: 'l1', reason: 'sync' });
    for (let i = 0; i < 2; i++) log.publish({ type: 'mark', label: `m${i}` });
    expect(log.snapshot().map((e) => e.type)).toEqual(['conn.open', 'conn.open', 'conn.open', 'conn.via', 'attribution.lost']);
    log.publish({ type: 'conn.close', conn: 'c2', cause: 'peer-end' });
    for (let i = 0; i < 2; i++) log.publish({ type: 'mark', label: `n${i}` });
    expect(log.snapshot().map((e) => e.type)).toEqual(['conn.open', 'conn.open', 'attribution.lost']);
  });
});
