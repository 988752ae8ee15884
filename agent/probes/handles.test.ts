import { describe, expect, it } from 'vitest';
import { HandleError } from '../errors.js';
import { startProbes, strip } from './harness.test-util.js';

function thrown(fn: () => unknown): HandleError {
  try {
    fn();
  } catch (err) {
    if (err instanceof HandleError) return err;
    throw err;
  }
  throw new Error('expected a HandleError');
}

describe('handleTable', () => {
  it('stores, retrieves and drops with owner, publishing each operation', () => {
    const h = startProbes();
    const owner = h.probes.trackConnection({});
    const table = h.probes.handleTable<{ name: string }>('rooms');
    const room = { name: 'lobby' };
    const id = h.probes.runAs(owner, () => table.store(room, { type: 'room' }));
    expect(id).toBe(1);
    expect(table.size).toBe(1);
    expect(table.has(id)).toBe(true);
    expect(table.retrieve(id)).toBe(room);
    expect(table.drop(id)).toBe(true);
    expect(table.size).toBe(0);
    expect(table.has(id)).toBe(false);

    const events = strip(h.events().filter((e) => e.type.startsWith('handle.')));
    expect(events).toEqual([
      { type: 'handle.table', table: 'rooms', mirror: false },
      { type: 'handle.store', table: 'rooms', handle: 1, handleType: 'room', owner, stack: expect.any(Array) },
      // A successful retrieve is the hot path: no stack.
      { type: 'handle.retrieve', table: 'rooms', handle: 1, ok: true, owner: null },
      { type: 'handle.drop', table: 'rooms', handle: 1, ok: true, owner: null, stack: expect.any(Array) },
    ]);
    expect((events[1]!.stack as string[])[0]).toMatch(/handles\.test\.ts/);
  });

  it('store options whose getters throw: nothing reaches the app, the handle is stored as a plain one', () => {
    const h = startProbes();
    const table = h.probes.handleTable<string>('odd');
    const options = Object.defineProperty({}, 'type', { get: () => { throw new Error('app getter'); } });
    const id = table.store('value', options);
    expect(table.retrieve(id)).toBe('value');
    const stored = strip(h.events().filter((e) => e.type === 'handle.store'));
    expect(stored).toEqual([{ type: 'handle.store', table: 'odd', handle: id, handleType: 'handle', owner: null, stack: expect.any(Array) }]);
  });

  it('never reuses ids, and the same name gives the same table', () => {
    const h = startProbes();
    const table = h.probes.handleTable('t');
    const first = table.store('a');
    table.drop(first);
    expect(table.store('b')).toBe(2);
    expect(h.probes.handleTable('t')).toBe(table);
    expect(h.ofType('handle.table')).toHaveLength(1);
    expect(h.ofType('handle.store')[0]).toMatchObject({ handleType: 'handle' });
  });

  it('a retrieve after drop (the dispose race) throws HANDLE_DROPPED and is recorded, instead of aborting', async () => {
    const h = startProbes();
    const table = h.probes.handleTable('rooms');
    const id = table.store({ room: 1 }, { type: 'room' });
    // The server's async task looks the handle up after the client's sync reply dropped it.
    const task = (async () => {
      await Promise.resolve();
      return table.retrieve(id);
    })();
    table.drop(id);
    const err = await task.then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(HandleError);
    expect(err).toMatchObject({ code: 'HANDLE_DROPPED', table: 'rooms', handle: id });
    const stale = h.ofType('handle.retrieve').at(-1)!;
    expect(stale).toMatchObject({ handle: id, ok: false });
    expect(stale.stack?.[0]).toMatch(/handles\.test\.ts/);
  });

  it('distinguishes ids never issued (HANDLE_NOT_FOUND) from taken ones (HANDLE_DROPPED)', () => {
    const h = startProbes();
    const table = h.probes.handleTable('t');
    expect(thrown(() => table.retrieve(42)).code).toBe('HANDLE_NOT_FOUND');
    expect(thrown(() => table.take('1')).code).toBe('HANDLE_NOT_FOUND');
    const id = table.store('value');
    expect(table.take(id)).toBe('value');
    expect(thrown(() => table.retrieve(id)).code).toBe('HANDLE_DROPPED');
    expect(thrown(() => table.take(id)).code).toBe('HANDLE_DROPPED');
    expect(h.ofType('handle.take').map((e) => e.ok)).toEqual([false, true, false]);
  });

  it('a double drop returns false and is recorded', () => {
    const h = startProbes();
    const table = h.probes.handleTable('t');
    const id = table.store('x');
    expect(table.drop(id)).toBe(true);
    expect(table.drop(id)).toBe(false);
    expect(table.drop(99)).toBe(false);
    expect(h.ofType('handle.drop').map((e) => [e.handle, e.ok])).toEqual([
      [id, true],
      [id, false],
      [99, false],
    ]);
  });

  it('dropping a parent drops its live children first', () => {
    const h = startProbes();
    const table = h.probes.handleTable('media');
    const room = table.store('room', { type: 'room' });
    const audio = table.store('audio', { type: 'track', parent: room });
    const video = table.store('video', { type: 'track', parent: room });
    const layer = table.store('layer', { type: 'layer', parent: video });
    table.drop(audio);
    expect(table.drop(room)).toBe(true);
    expect(table.size).toBe(0);
    expect(h.ofType('handle.store').map((e) => e.parent)).toEqual([undefined, room, room, video]);
    expect(h.ofType('handle.drop').map((e) => [e.handle, e.cascadeFrom])).toEqual([
      [audio, undefined],
      [layer, video],
      [video, room],
      [room, undefined],
    ]);
  });

  it('keeps every stored handle however many others come and go, and however many are stored at once', () => {
    const h = startProbes({ stackFrames: 0 });
    const table = h.probes.handleTable<string>('t');
    const room = table.store('room') as number;
    // A long-lived handle among many short-lived ones.
    for (let i = 0; i < 10_000; i++) table.drop(table.store('request'));
    expect(table.retrieve(room)).toBe('room');
    // More handles stored at once than a table keeps in its first slots.
    const kept: number[] = [];
    for (let i = 0; i < 10_000; i++) {
      const id = table.store(`child ${i}`, { parent: room }) as number;
      if (i % 2 === 0) kept.push(id);
      else table.drop(id);
    }
    expect(table.size).toBe(1 + kept.length);
    kept.forEach((id, i) => expect(table.retrieve(id)).toBe(`child ${2 * i}`));
    const snapshot = h.probes.holdings.events().filter((e) => e.type === 'handle.store');
    expect(snapshot.map((e) => e.handle).sort((a, b) => Number(a) - Number(b))).toEqual([room, ...kept]);

    expect(table.drop(room)).toBe(true);
    expect(table.size).toBe(0);
    expect(h.ofType('handle.drop').filter((e) => e.cascadeFrom === room)).toHaveLength(kept.length);
    expect(kept.some((id) => table.has(id))).toBe(false);
    expect(h.probes.holdings.events()).toEqual([]);
  });
});

describe('mirrorHandles', () => {
  it('reports a foreign table’s operations, flagging a drop of an unknown id unless told', () => {
    const h = startProbes();
    const owner = h.probes.trackConnection({});
    const mirror = h.probes.mirrorHandles('ffi');
    expect(h.probes.mirrorHandles('ffi')).toBe(mirror);
    h.probes.runAs(owner, () => mirror.stored(7, { type: 'room' }));
    mirror.stored(8, { type: 'track', parent: 7 });
    mirror.retrieved(7);
    mirror.retrieved(9, false);
    mirror.dropped(8);
    mirror.dropped(8);
    mirror.dropped(100, true);
    mirror.taken(7);
    expect(strip(h.events().filter((e) => e.type.startsWith('handle.'))).map(({ stack: _s, ...e }) => e)).toEqual([
      { type: 'handle.table', table: 'ffi', mirror: true },
      { type: 'handle.store', table: 'ffi', handle: 7, handleType: 'room', owner },
      { type: 'handle.store', table: 'ffi', handle: 8, handleType: 'track', parent: 7, owner: null },
      { type: 'handle.retrieve', table: 'ffi', handle: 7, ok: true, owner: null },
      { type: 'handle.retrieve', table: 'ffi', handle: 9, ok: false, owner: null },
      { type: 'handle.drop', table: 'ffi', handle: 8, ok: true, owner: null },
      { type: 'handle.drop', table: 'ffi', handle: 8, ok: false, owner: null },
      { type: 'handle.drop', table: 'ffi', handle: 100, ok: true, owner: null },
      { type: 'handle.take', table: 'ffi', handle: 7, ok: true, owner: null },
    ]);
  });
});
