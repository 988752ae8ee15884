/**
 * Watching must not change what an emitter does: the same random sequence of
 * listener operations runs on a plain emitter and on a watched one (watching
 * stopping partway through), and the app must see the same calls, counts,
 * lists and return values, and the same own properties once the watch ended.
 * While watched, the agent's live records must match what the emitter holds.
 */
import { EventEmitter, getEventListeners } from 'node:events';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { startProbes, type Harness } from './harness.test-util.js';

const EVENTS = ['a', 'b'] as const;
const CALLBACKS = 3;

/** Live listener records per event name, from the published stream. */
function liveRecords(h: Harness): Map<string, number> {
  const live = new Map<string, string>();
  for (const e of h.events()) {
    if (e.type === 'listener.add') live.set(e.listener, e.event);
    if (e.type === 'listener.remove') live.delete(e.listener);
  }
  const counts = new Map<string, number>();
  for (const event of live.values()) counts.set(event, (counts.get(event) ?? 0) + 1);
  return counts;
}

type EmitterOp =
  | { op: 'on' | 'once' | 'prependListener' | 'prependOnceListener' | 'off'; event: number; callback: number }
  | { op: 'removeAllListeners'; event: number | null }
  | { op: 'emit'; event: number }
  | { op: 'unwatch' };

const emitterOp: fc.Arbitrary<EmitterOp> = fc.oneof(
  fc.record({
    op: fc.constantFrom('on', 'once', 'prependListener', 'prependOnceListener', 'off') as fc.Arbitrary<'on'>,
    event: fc.integer({ min: 0, max: EVENTS.length - 1 }),
    callback: fc.integer({ min: 0, max: CALLBACKS - 1 }),
  }),
  fc.record({ op: fc.constant('removeAllListeners' as const), event: fc.option(fc.integer({ min: 0, max: EVENTS.length - 1 })) }),
  fc.record({ op: fc.constant('emit' as const), event: fc.integer({ min: 0, max: EVENTS.length - 1 }) }),
  fc.constant({ op: 'unwatch' as const }),
);

/** Runs `ops` on `emitter`; `onUnwatch` ends the watch. Returns everything the app can observe. */
function runEmitter(emitter: EventEmitter, ops: EmitterOp[], onUnwatch: () => void, check: () => void): unknown[] {
  const seen: unknown[] = [];
  const callbacks = Array.from({ length: CALLBACKS }, (_, i) => () => seen.push(`called ${i}`));
  const ids = (list: Function[]) => list.map((fn) => callbacks.indexOf(fn as () => number));
  for (const step of ops) {
    let result: unknown;
    switch (step.op) {
      case 'emit':
        result = emitter.emit(EVENTS[step.event]!);
        break;
      case 'removeAllListeners':
        result = step.event === null ? emitter.removeAllListeners() : emitter.removeAllListeners(EVENTS[step.event]!);
        break;
      case 'unwatch':
        onUnwatch();
        break;
      default:
        result = emitter[step.op](EVENTS[step.event]!, callbacks[step.callback]!);
    }
    seen.push(
      result === emitter ? 'this' : result,
      EVENTS.map((e) => [emitter.listenerCount(e), ids(emitter.listeners(e)), emitter.rawListeners(e).length]),
      emitter.eventNames(),
    );
    check();
  }
  seen.push(Object.keys(emitter));
  return seen;
}

type TargetOp =
  | { op: 'add'; type: number; callback: number; once: boolean; capture: boolean; signal: number | null }
  | { op: 'remove'; type: number; callback: number; capture: boolean }
  | { op: 'dispatch'; type: number }
  | { op: 'abort'; signal: number }
  | { op: 'unwatch' };

const targetOp: fc.Arbitrary<TargetOp> = fc.oneof(
  fc.record({
    op: fc.constant('add' as const),
    type: fc.integer({ min: 0, max: EVENTS.length - 1 }),
    callback: fc.integer({ min: 0, max: CALLBACKS }),
    once: fc.boolean(),
    capture: fc.boolean(),
    signal: fc.option(fc.integer({ min: 0, max: 1 }), { freq: 3 }),
  }),
  fc.record({
    op: fc.constant('remove' as const),
    type: fc.integer({ min: 0, max: EVENTS.length - 1 }),
    callback: fc.integer({ min: 0, max: CALLBACKS }),
    capture: fc.boolean(),
  }),
  fc.record({ op: fc.constant('dispatch' as const), type: fc.integer({ min: 0, max: EVENTS.length - 1 }) }),
  fc.record({ op: fc.constant('abort' as const), signal: fc.integer({ min: 0, max: 1 }) }),
  fc.constant({ op: 'unwatch' as const }),
);

function runTarget(target: EventTarget, ops: TargetOp[], onUnwatch: () => void, check: () => void = () => {}): unknown[] {
  const seen: unknown[] = [];
  // Functions, and one { handleEvent } object, as the DOM allows.
  const callbacks: EventListenerOrEventListenerObject[] = [
    ...Array.from({ length: CALLBACKS }, (_, i) => () => seen.push(`called ${i}`)),
    { handleEvent: () => seen.push('called object') },
  ];
  const controllers = [new AbortController(), new AbortController()];
  for (const step of ops) {
    switch (step.op) {
      case 'add': {
        const options = { once: step.once, capture: step.capture, ...(step.signal !== null && { signal: controllers[step.signal]!.signal }) };
        seen.push(target.addEventListener(EVENTS[step.type]!, callbacks[step.callback]!, options));
        break;
      }
      case 'remove':
        seen.push(target.removeEventListener(EVENTS[step.type]!, callbacks[step.callback]!, step.capture));
        break;
      case 'dispatch':
        seen.push(target.dispatchEvent(new Event(EVENTS[step.type]!)));
        break;
      case 'abort':
        controllers[step.signal]!.abort();
        break;
      case 'unwatch':
        onUnwatch();
        break;
    }
    check();
  }
  // Every listener still registered, whatever the watch did: dispatch each type twice more.
  for (const type of EVENTS) {
    target.dispatchEvent(new Event(type));
    target.dispatchEvent(new Event(type));
  }
  seen.push(Object.keys(target));
  return seen;
}

/**
 * A watched emitter for one run: `end` stops the watch (unwatch, or the
 * agent closing), `check` compares the agent's live records with `held`
 * (what the emitter really holds per event) while the watch lasts.
 */
function watchedRun(target: object, closeAgent: boolean, held: (event: string) => number) {
  const h = startProbes({}, 1000);
  const unwatch = h.probes.watchEmitter(target, { name: 'w' });
  let watching = true;
  return {
    h,
    end: () => {
      watching = false;
      if (closeAgent) h.probes.close();
      else unwatch();
    },
    check: () => {
      if (!watching) return;
      const records = liveRecords(h);
      for (const e of EVENTS) expect(records.get(e) ?? 0).toBe(held(e));
    },
  };
}

describe('watching leaves listener behaviour as it is', () => {
  it('an EventEmitter: same calls, counts, lists and return values as without the agent, over random operations', () => {
    fc.assert(
      fc.property(fc.array(emitterOp, { maxLength: 40 }), fc.boolean(), (ops, closeAgent) => {
        const plain = runEmitter(new EventEmitter(), ops, () => {}, () => {});
        const watched = new EventEmitter();
        const { h, end, check } = watchedRun(watched, closeAgent, (e) => watched.listenerCount(e));
        const observed = runEmitter(watched, ops, end, check);
        h.probes.close();
        expect(observed).toEqual(plain);
        // Once the watch ended, nothing of it stays on the emitter.
        expect(Object.getOwnPropertyNames(watched).sort()).toEqual(Object.getOwnPropertyNames(new EventEmitter()).sort());
        expect(h.warnings).toEqual([]);
      }),
      { numRuns: Number(process.env.WATCH_RUNS ?? 300) },
    );
  });

  it('an EventTarget: same calls and return values as without the agent, during and after the watch', () => {
    fc.assert(
      fc.property(fc.array(targetOp, { maxLength: 30 }), fc.boolean(), (ops, closeAgent) => {
        const plain = runTarget(new EventTarget(), ops, () => {});
        const watched = new EventTarget();
        const { h, end, check } = watchedRun(watched, closeAgent, (e) => getEventListeners(watched, e).length);
        const observed = runTarget(watched, ops, end, check);
        h.probes.close();
        expect(observed).toEqual(plain);
        expect(Object.getOwnPropertyNames(watched)).toEqual([]);
        expect(h.warnings).toEqual([]);
      }),
      { numRuns: Number(process.env.WATCH_RUNS ?? 300) },
    );
  });
});

describe('issue 19 cases, as reported', () => {
  it('the same callback added twice with { once: true } runs once, and once then a plain add runs once', () => {
    const h = startProbes();
    const target = new EventTarget();
    h.probes.watchEmitter(target, { name: 't' });
    let twiceOnce = 0;
    const a = () => twiceOnce++;
    target.addEventListener('x', a, { once: true });
    target.addEventListener('x', a, { once: true });
    let thenPlain = 0;
    const b = () => thenPlain++;
    target.addEventListener('y', b, { once: true });
    target.addEventListener('y', b);
    for (let i = 0; i < 3; i++) {
      target.dispatchEvent(new Event('x'));
      target.dispatchEvent(new Event('y'));
    }
    expect([twiceOnce, thenPlain]).toEqual([1, 1]);
  });

  it('after close, a once listener the app removes does not fire', () => {
    const h = startProbes();
    const target = new EventTarget();
    h.probes.watchEmitter(target, { name: 't' });
    let calls = 0;
    const fn = () => calls++;
    target.addEventListener('x', fn, { once: true });
    h.probes.close();
    target.removeEventListener('x', fn);
    target.dispatchEvent(new Event('x'));
    expect(calls).toBe(0);
  });

  it('watchEmitter adds no enumerable property, on an EventEmitter or an EventTarget', () => {
    const h = startProbes();
    const emitter = new EventEmitter();
    const target = new EventTarget();
    const before = [Object.keys(emitter), Object.keys(target)];
    h.probes.watchEmitter(emitter, { name: 'e' });
    h.probes.watchEmitter(target, { name: 't' });
    expect([Object.keys(emitter), Object.keys(target)]).toEqual(before);
    expect(JSON.stringify({ ...emitter })).toBe(JSON.stringify({ ...new EventEmitter() }));
  });

  it('when one method cannot be replaced, nothing stays patched', () => {
    const h = startProbes();
    const emitter = new EventEmitter();
    const off = emitter.off;
    Object.defineProperty(emitter, 'off', { value: off, writable: false, configurable: false, enumerable: false });
    const before = Object.getOwnPropertyNames(emitter).map((n) => [n, (emitter as unknown as Record<string, unknown>)[n]]);
    h.probes.watchEmitter(emitter, { name: 'e' });
    h.probes.close();
    expect(Object.getOwnPropertyNames(emitter).map((n) => [n, (emitter as unknown as Record<string, unknown>)[n]])).toEqual(before);
    expect(emitter.on).toBe(EventEmitter.prototype.on);
  });

  it('firing 2,000 once listeners never makes the agent read the whole listener list', () => {
    const h = startProbes({ stackFrames: 0 });
    const emitter = new EventEmitter();
    emitter.setMaxListeners(0);
    h.probes.watchEmitter(emitter, { name: 'big' });
    // What makes watching cost more than the emitter itself: a copy of its list per operation.
    let copies = 0;
    const rawListeners = emitter.rawListeners.bind(emitter);
    emitter.rawListeners = (event) => {
      copies++;
      return rawListeners(event);
    };
    let fired = 0;
    for (let i = 0; i < 2000; i++) emitter.once('tick', () => fired++);
    emitter.emit('tick');
    expect(fired).toBe(2000);
    expect(emitter.listenerCount('tick')).toBe(0);
    expect(copies).toBe(0);
    const removed = h.ofType('listener.remove');
    expect(removed).toHaveLength(2000);
    expect(removed.every((e) => e.how === 'once-fired')).toBe(true);
  });
});
