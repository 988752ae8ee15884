import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { startProbes, strip } from './harness.test-util.js';

/** [event, how] of every listener.remove, in order. */
function removals(h: ReturnType<typeof startProbes>): Array<[string, string, string]> {
  return h.ofType('listener.remove').map((e) => [e.listener, e.event, e.how]);
}

describe('watchEmitter on an EventEmitter', () => {
  it('reports listeners attached before watching as preexisting', () => {
    const h = startProbes();
    const manager = new EventEmitter();
    manager.on('update', () => {});
    manager.once('ready', () => {});
    h.probes.watchEmitter(manager, { name: 'manager' });
    expect(strip(h.events())).toEqual([
      { type: 'emitter.watch', emitter: 'e1', name: 'manager', kind: 'EventEmitter' },
      { type: 'listener.add', listener: 'l1', emitter: 'e1', event: 'update', owner: null, once: false, preexisting: true },
      { type: 'listener.add', listener: 'l2', emitter: 'e1', event: 'ready', owner: null, once: true, preexisting: true },
    ]);
  });

  it('sees every add alias with owner and creation stack, and returns what Node returns', () => {
    const h = startProbes();
    const port = {};
    const owner = h.probes.trackConnection(port);
    const manager = new EventEmitter();
    h.probes.watchEmitter(manager, { name: 'manager' });
    const fn = () => {};
    h.probes.runAs(port, () => {
      expect(manager.on('a', fn)).toBe(manager);
      expect(manager.addListener('b', fn)).toBe(manager);
      expect(manager.prependListener('a', fn)).toBe(manager);
      expect(manager.once('c', fn)).toBe(manager);
      expect(manager.prependOnceListener('c', fn)).toBe(manager);
    });
    const adds = h.ofType('listener.add');
    expect(adds.map((e) => [e.event, e.owner, e.once])).toEqual([
      ['a', owner, false],
      ['b', owner, false],
      ['a', owner, false],
      ['c', owner, true],
      ['c', owner, true],
    ]);
    for (const add of adds) expect(add.stack?.[0]).toMatch(/listeners\.test\.ts:\d+:\d+/);
    expect(manager.listenerCount('a')).toBe(2);
    expect(manager.listenerCount('c')).toBe(2);
  });

  it('off/removeListener remove the most recent duplicate, as Node does', () => {
    const h = startProbes();
    const manager = new EventEmitter();
    h.probes.watchEmitter(manager, { name: 'm' });
    const fn = () => {};
    const other = () => {};
    manager.on('x', fn); // l1
    manager.on('x', other); // l2
    manager.on('x', fn); // l3
    manager.off('x', fn);
    manager.removeListener('x', fn);
    manager.removeListener('x', () => {}); // never added: nothing
    expect(removals(h)).toEqual([
      ['l3', 'x', 'remove'],
      ['l1', 'x', 'remove'],
    ]);
    expect(manager.rawListeners('x')).toEqual([other]);
  });

  it('reports once listeners that fired, and ones removed before firing', () => {
    const h = startProbes();
    const manager = new EventEmitter();
    h.probes.watchEmitter(manager, { name: 'm' });
    const calls: unknown[] = [];
    const handler = (v: unknown) => calls.push(v);
    manager.once('ready', handler); // l1
    manager.once('gone', handler); // l2
    manager.off('gone', handler);
    manager.emit('ready', 1);
    manager.emit('ready', 2);
    expect(calls).toEqual([1]);
    expect(removals(h)).toEqual([
      ['l2', 'gone', 'remove'],
      ['l1', 'ready', 'once-fired'],
    ]);
  });

  it('removeAllListeners(event) and removeAllListeners() report remove-all', () => {
    const h = startProbes();
    const manager = new EventEmitter();
    const sym = Symbol('tick');
    h.probes.watchEmitter(manager, { name: 'm' });
    manager.on('a', () => {}); // l1
    manager.on('a', () => {}); // l2
    manager.on('b', () => {}); // l3
    manager.on(sym, () => {}); // l4
    manager.removeAllListeners('a');
    expect(removals(h)).toEqual([
      ['l1', 'a', 'remove-all'],
      ['l2', 'a', 'remove-all'],
    ]);
    manager.removeAllListeners();
    expect(removals(h).slice(2)).toEqual([
      ['l3', 'b', 'remove-all'],
      ['l4', 'Symbol(tick)', 'remove-all'],
    ]);
    expect(manager.eventNames()).toEqual([]);
  });

  it('removeAllListeners() with a removeListener meta-listener reports each listener once', () => {
    const h = startProbes();
    const manager = new EventEmitter();
    h.probes.watchEmitter(manager, { name: 'm' });
    const seen: string[] = [];
    manager.on('removeListener', (event: string) => seen.push(event)); // l1
    manager.on('a', () => {}); // l2
    manager.on('b', () => {}); // l3
    manager.removeAllListeners();
    expect(seen).toEqual(['a', 'b']);
    expect(removals(h).sort()).toEqual([
      ['l1', 'removeListener', 'remove-all'],
      ['l2', 'a', 'remove-all'],
      ['l3', 'b', 'remove-all'],
    ]);
  });

  it('unwatch restores the instance methods and reports the listeners it stops following', () => {
    const h = startProbes();
    const manager = new EventEmitter();
    const unwatch = h.probes.watchEmitter(manager, { name: 'm' });
    expect(Object.hasOwn(manager, 'on')).toBe(true);
    manager.on('a', () => {});
    unwatch();
    unwatch();
    expect(Object.hasOwn(manager, 'on')).toBe(false);
    expect(manager.on).toBe(EventEmitter.prototype.on);
    manager.on('b', () => {});
    expect(strip(h.events()).slice(2)).toEqual([
      { type: 'listener.remove', listener: 'l1', emitter: 'e1', event: 'a', how: 'unwatch' },
      { type: 'emitter.unwatch', emitter: 'e1' },
    ]);
    expect(manager.listenerCount('a')).toBe(1);
  });

  it('watching the same emitter twice returns the same watch', () => {
    const h = startProbes();
    const manager = new EventEmitter();
    const first = h.probes.watchEmitter(manager, { name: 'm' });
    expect(h.probes.watchEmitter(manager, { name: 'again' })).toBe(first);
    expect(h.ofType('emitter.watch')).toHaveLength(1);
  });

  it('reports lost track when the app replaces a patched method', () => {
    const h = startProbes();
    const manager = new EventEmitter();
    const unwatch = h.probes.watchEmitter(manager, { name: 'm' });
    const replaced = function (this: EventEmitter, event: string, fn: () => void) {
      return EventEmitter.prototype.on.call(this, event, fn);
    };
    manager.on = replaced;
    manager.on('a', () => {});
    manager.off('a', () => {});
    expect(h.ofType('emitter.lost-track')).toMatchObject([{ emitter: 'e1', reason: expect.stringContaining('on()') }]);
    unwatch();
    // The app's replacement stays in place.
    expect(manager.on).toBe(replaced);
    expect(h.ofType('emitter.lost-track')).toHaveLength(1);
  });

  it('never throws into the app when its own bookkeeping fails', () => {
    const h = startProbes();
    const manager = new EventEmitter();
    h.probes.watchEmitter(manager, { name: 'm' });
    const sabotaged = () => {
      throw new Error('sabotaged');
    };
    manager.rawListeners = sabotaged;
    manager.listenerCount = sabotaged;
    const fn = () => {};
    expect(manager.on('a', fn)).toBe(manager);
    expect(manager.listeners('a')).toEqual([fn]);
    expect(h.warnings).toHaveLength(1);
  });

  it('ignores targets that are neither EventEmitter nor EventTarget', () => {
    const h = startProbes();
    const unwatch = h.probes.watchEmitter({}, { name: 'x' });
    expect(() => unwatch()).not.toThrow();
    expect(h.events()).toEqual([]);
  });
});

describe('watchEmitter on an EventTarget', () => {
  it('sees add/remove, deduplicates as the DOM does, and attributes owners', () => {
    const h = startProbes();
    const target = new EventTarget();
    h.probes.watchEmitter(target, { name: 'bus' });
    const owner = h.probes.trackConnection({});
    const fn = () => {};
    h.probes.runAs(owner, () => target.addEventListener('msg', fn)); // l1
    target.addEventListener('msg', fn); // duplicate: ignored
    target.addEventListener('msg', fn, { capture: true }); // l2: capture differs
    target.removeEventListener('msg', fn);
    target.removeEventListener('msg', fn, true); // Node 20 ignores a boolean here: nothing removed
    target.removeEventListener('msg', fn, { capture: true });
    target.removeEventListener('msg', fn); // nothing left
    const adds = h.ofType('listener.add');
    expect(adds.map((e) => [e.listener, e.owner, e.once])).toEqual([
      ['l1', owner, false],
      ['l2', null, false],
    ]);
    expect(adds[0]!.stack?.[0]).toMatch(/listeners\.test\.ts/);
    expect(removals(h)).toEqual([
      ['l1', 'msg', 'remove'],
      ['l2', 'msg', 'remove'],
    ]);
    expect(h.ofType('emitter.watch')).toMatchObject([{ kind: 'EventTarget', name: 'bus' }]);
  });

  it('reports { once: true } listeners that fired, and they behave as without the agent', () => {
    const run = (target: EventTarget) => {
      const received: unknown[] = [];
      target.addEventListener('open', function (this: unknown, e: Event) {
        received.push(['fn', this === target, e.type, e.eventPhase]);
      }, { once: true });
      target.addEventListener('open', { handleEvent: (e: Event) => received.push(['obj', e.currentTarget === target, e.type]) }, { once: true });
      target.dispatchEvent(new Event('open'));
      target.dispatchEvent(new Event('open'));
      return received;
    };
    const plain = run(new EventTarget());
    const h = startProbes();
    const watched = new EventTarget();
    h.probes.watchEmitter(watched, { name: 'bus' });
    expect(run(watched)).toEqual(plain);
    expect(plain).toHaveLength(2);
    expect(removals(h)).toEqual([
      ['l1', 'open', 'once-fired'],
      ['l2', 'open', 'once-fired'],
    ]);
  });

  it('removeEventListener of a once listener before it fires', () => {
    const h = startProbes();
    const target = new EventTarget();
    h.probes.watchEmitter(target, { name: 'bus' });
    let calls = 0;
    const fn = () => calls++;
    target.addEventListener('x', fn, { once: true });
    target.removeEventListener('x', fn);
    target.dispatchEvent(new Event('x'));
    expect(calls).toBe(0);
    expect(removals(h)).toEqual([['l1', 'x', 'remove']]);
  });

  it('reports listeners removed by their AbortSignal', () => {
    const h = startProbes();
    const target = new EventTarget();
    h.probes.watchEmitter(target, { name: 'bus' });
    const controller = new AbortController();
    let calls = 0;
    target.addEventListener('x', () => calls++, { signal: controller.signal });
    target.addEventListener('y', () => calls++, { signal: AbortSignal.abort() }); // never added
    controller.abort();
    target.dispatchEvent(new Event('x'));
    target.dispatchEvent(new Event('y'));
    expect(calls).toBe(0);
    expect(h.ofType('listener.add')).toHaveLength(1);
    expect(removals(h)).toEqual([['l1', 'x', 'abort']]);
  });

  it('unwatch restores the methods; once wrappers left behind still deliver', () => {
    const h = startProbes();
    const target = new EventTarget();
    const unwatch = h.probes.watchEmitter(target, { name: 'bus' });
    let calls = 0;
    target.addEventListener('x', () => calls++, { once: true });
    unwatch();
    expect(Object.hasOwn(target, 'addEventListener')).toBe(false);
    target.dispatchEvent(new Event('x'));
    expect(calls).toBe(1);
    expect(strip(h.events()).slice(2)).toEqual([
      { type: 'listener.remove', listener: 'l1', emitter: 'e1', event: 'x', how: 'unwatch' },
      { type: 'emitter.unwatch', emitter: 'e1' },
    ]);
  });
});
