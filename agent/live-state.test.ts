import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { EventLog } from './event-log.js';
import { startProbes } from './probes/harness.test-util.js';

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
    log.publish({ type: 'conn.open', conn: 'c2', server: 's1', transport: 'unix', actions: [] });
    log.publish({ type: 'handle.table', table: 'rooms', mirror: false });
    log.publish({ type: 'action.start', action: 'a1', conn: null, name: 'reset', source: 'code', timeout: 10 });
    log.publish({ type: 'conn.close', conn: 'c2', cause: 'peer-end' });
    for (let i = 0; i < 2; i++) log.publish({ type: 'mark', label: `m${i}` });
    // c2 closed owning nothing: forgotten.
    expect(kept(log)).toEqual([
      'server.listen',
      'emitter.watch',
      'emitter.lost-track',
      'conn.open c1',
      'conn.io c1 2',
      'conn.peer-end c1',
      'conn.local-end c1',
      'handle.table',
      'action.start',
    ]);
    log.publish({ type: 'action.settle', action: 'a1', conn: null, name: 'reset', result: { verdict: 'clean', duration: 1, listenersRemoved: 0, handlesDropped: 0 } });
    log.publish({ type: 'emitter.unwatch', emitter: 'e1' });
    log.publish({ type: 'server.close', server: 's1' });
    log.publish({ type: 'conn.close', conn: 'c1', cause: 'peer-end' });
    for (let i = 0; i < 2; i++) log.publish({ type: 'mark', label: `n${i}` });
    expect(kept(log)).toEqual(['handle.table']);
  });

  it('carries the listeners and handles the probes still hold, and a closed connection while it owns one', () => {
    const h = startProbes({}, 4);
    const manager = new EventEmitter();
    h.probes.watchEmitter(manager, { name: 'manager' });
    const rooms = h.probes.handleTable('rooms');
    const session = {};
    const c1 = h.probes.trackConnection(session);
    const update = (): void => {};
    const room = h.probes.runAs(session, () => {
      manager.on('update', update);
      return rooms.store({ name: 'lobby' });
    });
    // Nobody's, and gone again: not carried.
    manager.on('ping', update);
    manager.off('ping', update);
    rooms.drop(rooms.store({ name: 'scratch' }));
    h.probes.connectionClosed(session);
    wrap(h.log);
    expect(kept(h.log)).toEqual(['emitter.watch', 'handle.table', `conn.open ${c1}`, 'listener.add update', 'handle.store', `conn.io ${c1} 0`, `conn.close ${c1}`]);

    manager.off('update', update);
    rooms.drop(room);
    wrap(h.log);
    expect(kept(h.log)).toEqual(['emitter.watch', 'handle.table']);
  });

  it('forgets a closed connection once a reused foreign handle id moved to another owner and was dropped', () => {
    const h = startProbes({}, 4);
    const ffi = h.probes.mirrorHandles('ffi');
    const first = {};
    const second = {};
    h.probes.trackConnection(first);
    const c2 = h.probes.trackConnection(second);
    h.probes.runAs(first, () => ffi.stored(7, { type: 'room' }));
    h.probes.runAs(second, () => ffi.stored(7, { type: 'room' }));
    h.probes.runAs(second, () => ffi.dropped(7));
    h.probes.connectionClosed(first);
    wrap(h.log);
    expect(kept(h.log)).toEqual(['handle.table', `conn.open ${c2}`]);
  });
});

/** Enough marks to push everything else out of a small ring: the snapshot is then all a new inspector gets. */
function wrap(log: EventLog): void {
  for (let i = 0; i < log.capacity; i++) log.publish({ type: 'mark', label: `filler ${i}` });
}

/** The snapshot as short labels: the type, the connection of a conn.* event, a listener's event name, an I/O's bytes. */
function kept(log: EventLog): string[] {
  return log.snapshot().map((e) => {
    if (e.type === 'conn.io') return `${e.type} ${e.conn} ${e.bytesIn}`;
    if (e.type.startsWith('conn.') && 'conn' in e) return `${e.type} ${e.conn}`;
    if (e.type === 'listener.add') return `${e.type} ${e.event}`;
    return e.type;
  });
}

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
