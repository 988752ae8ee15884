/**
 * The index answers as the emitter's own lists would, whether it holds its
 * entries in a list (a few) or in maps (many), and across the moves between
 * the two: random adds and removes run against a plain model of Node's lists.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ListenerAddEvent } from '../../shared/protocol.js';
import { ListenerIndex } from './listener-index.js';

type Fn = (...args: unknown[]) => unknown;
const EVENTS = ['a', 'b'] as const;

/** Plain functions and Node-style once-wrappers (carrying `.listener`) around the same functions. */
const plain: Fn[] = Array.from({ length: 3 }, () => () => {});
function onceWrapper(listener: Fn): Fn {
  const wrapper = () => {};
  return Object.assign(wrapper, { listener });
}

type Op = { op: 'add'; event: number; fn: number; once: boolean; prepend: boolean; times: number } | { op: 'remove'; event: number; fn: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    op: fc.constant('add' as const),
    event: fc.integer({ min: 0, max: 1 }),
    fn: fc.integer({ min: 0, max: plain.length - 1 }),
    once: fc.boolean(),
    prepend: fc.boolean(),
    // Several at once, so that runs cross the list's limit both ways.
    times: fc.integer({ min: 1, max: 6 }),
  }),
  fc.record({ op: fc.constant('remove' as const), event: fc.integer({ min: 0, max: 1 }), fn: fc.integer({ min: 0, max: plain.length - 1 }) }),
);

const added = {} as ListenerAddEvent;

describe('ListenerIndex', () => {
  it('finds, holds and orders what the emitter holds, with few entries or many', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
        const index = new ListenerIndex();
        /** What Node stores per event, in order. */
        const model = new Map<string, Fn[]>(EVENTS.map((e) => [e, []]));
        for (const step of ops) {
          const event = EVENTS[step.event]!;
          const stored = model.get(event)!;
          const fn = plain[step.fn]!;
          if (step.op === 'add') {
            for (let i = 0; i < step.times; i++) {
              const raw = step.once ? onceWrapper(fn) : fn;
              if (step.prepend) stored.unshift(raw);
              else stored.push(raw);
              index.add(event, raw, added, step.prepend);
            }
          } else {
            // Node's removeListener: the last stored as `fn` or wrapping it.
            const at = stored.findLastIndex((raw) => raw === fn || (raw as { listener?: Fn }).listener === fn);
            const entry = index.lastMatching(event, fn);
            if (at < 0) {
              expect(entry).toBeUndefined();
              continue;
            }
            expect(entry?.raw).toBe(stored[at]);
            stored.splice(at, 1);
            index.delete(entry!);
          }
          for (const e of EVENTS) {
            expect(index.size(e)).toBe(model.get(e)!.length);
            expect(index.ordered(e).map((entry) => entry.raw)).toEqual(model.get(e));
            for (const raw of model.get(e)!) expect(index.holds(e, raw)).toBe(true);
          }
        }
        expect(index.ordered().length).toBe(EVENTS.reduce((n, e) => n + model.get(e)!.length, 0));
      }),
      { numRuns: 300 },
    );
  });

  it('a removed entry is no longer found, in the list and in the maps', () => {
    for (const count of [3, 20]) {
      const index = new ListenerIndex();
      const fns = Array.from({ length: count }, () => () => {});
      for (const fn of fns) index.add('x', fn, added, false);
      for (const fn of fns) {
        const entry = index.lastMatching('x', fn)!;
        expect(entry.raw).toBe(fn);
        index.delete(entry);
        expect(index.lastMatching('x', fn)).toBeUndefined();
        expect(index.holds('x', fn)).toBe(false);
      }
      expect(index.size('x')).toBe(0);
      expect(index.ordered()).toEqual([]);
    }
  });
});
