/**
 * Property tests of the analysis reducer: random but well-formed event
 * streams (ids colliding in every order, gaps, clock moves) never make it
 * throw, and a second run over the same stream gives the same findings,
 * the same model and the same change notifications (determinism is what
 * lets the agent, the UI and a replayed recording agree). Seeded and bounded.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AgentEvent, EventInput } from '../protocol.js';
import { createAnalysis } from './index.js';
import type { AnalysisOptions } from './options.js';

const SEED = 7_031_999;

const conn = fc.integer({ min: 0, max: 8 }).map((n) => `c${n}`);
const owner = fc.oneof(conn, fc.constant(null));
const emitter = fc.constantFrom('e1', 'e2');
const listener = fc.integer({ min: 0, max: 30 }).map((n) => `l${n}`);
const table = fc.constantFrom('rooms', 'tracks');
const handle = fc.oneof(fc.integer({ min: 0, max: 15 }), fc.integer({ min: 0, max: 15 }).map((n) => `h${n}`));
const action = fc.integer({ min: 0, max: 5 }).map((n) => `a${n}`);
const client = fc.constantFrom('app-A', 'app-B');
const settle = fc.record({
  verdict: fc.constantFrom('clean', 'stuck', 'failed' as const),
  duration: fc.nat(5000),
  listenersRemoved: fc.nat(5),
  handlesDropped: fc.nat(5),
});

const event: fc.Arbitrary<EventInput> = fc.oneof(
  fc.record({ type: fc.constant('server.listen' as const), server: fc.constantFrom('s1', 's2'), transport: fc.constant('tcp' as const), address: fc.constant('127.0.0.1:1') }),
  fc.record({ type: fc.constant('server.close' as const), server: fc.constantFrom('s1', 's2') }),
  {
    weight: 3,
    arbitrary: fc.record(
      { type: fc.constant('conn.open' as const), conn, server: fc.constantFrom('s1', 's2', null), transport: fc.constant('unix' as const), actions: fc.constant([]), client },
      { requiredKeys: ['type', 'conn', 'server', 'transport', 'actions'] },
    ),
  },
  fc.record({ type: fc.constant('conn.peer-end' as const), conn }),
  fc.record({ type: fc.constant('conn.local-end' as const), conn }),
  { weight: 2, arbitrary: fc.record({ type: fc.constant('conn.close' as const), conn, cause: fc.constantFrom('peer-end', 'local-end', 'destroy', 'error', 'unknown' as const) }) },
  fc.record({ type: fc.constant('conn.error' as const), conn, code: fc.constant('EPIPE'), message: fc.constant('broken pipe') }),
  fc.record({ type: fc.constant('conn.io' as const), conn, bytesIn: fc.nat(), bytesOut: fc.nat(), msgsIn: fc.nat(), msgsOut: fc.nat(), lastActivity: fc.nat(10_000) }),
  fc.record({ type: fc.constant('conn.write-after-close' as const), conn, state: fc.constantFrom('closed', 'peer-ended', 'local-ended' as const) }),
  fc.record({ type: fc.constant('emitter.watch' as const), emitter, name: fc.constantFrom('manager', 'bus'), kind: fc.constantFrom('EventEmitter', 'EventTarget' as const) }),
  fc.record({ type: fc.constant('emitter.unwatch' as const), emitter }),
  fc.record({ type: fc.constant('emitter.lost-track' as const), emitter, reason: fc.constant('removeAllListeners') }),
  { weight: 4, arbitrary: fc.record({ type: fc.constant('listener.add' as const), listener, emitter, event: fc.constantFrom('update', 'close'), owner, once: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ type: fc.constant('listener.remove' as const), listener, emitter, event: fc.constantFrom('update', 'close'), how: fc.constantFrom('remove', 'remove-all', 'once-fired', 'abort', 'unwatch' as const) }) },
  fc.record({ type: fc.constant('handle.table' as const), table, mirror: fc.boolean() }),
  { weight: 3, arbitrary: fc.record({ type: fc.constant('handle.store' as const), table, handle, handleType: fc.constantFrom('room', 'track'), owner, parent: handle }, { requiredKeys: ['type', 'table', 'handle', 'handleType', 'owner'] }) },
  fc.record({ type: fc.constantFrom('handle.retrieve', 'handle.take' as const), table, handle, ok: fc.boolean(), owner }),
  { weight: 2, arbitrary: fc.record({ type: fc.constant('handle.drop' as const), table, handle, ok: fc.boolean(), owner, cascadeFrom: handle }, { requiredKeys: ['type', 'table', 'handle', 'ok', 'owner'] }) },
  fc.record({ type: fc.constant('action.start' as const), action, conn: fc.oneof(conn, fc.constant(null)), name: fc.constantFrom('disconnect', 'close'), source: fc.constantFrom('inspector', 'code' as const), timeout: fc.nat(3000) }),
  fc.record({ type: fc.constant('action.settle' as const), action, conn: fc.oneof(conn, fc.constant(null)), name: fc.constantFrom('disconnect', 'close'), result: settle }),
  fc.record({ type: fc.constant('mark' as const), label: fc.string({ maxLength: 5 }) }),
) as fc.Arbitrary<EventInput>;

/** One step of a stream: an event some ms later, a gap, or the clock moving on with no event. */
type Step = { kind: 'event'; dt: number; event: EventInput } | { kind: 'gap'; count: number; reason: 'evicted' | 'slow-consumer' } | { kind: 'advance'; dt: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 20, arbitrary: fc.record({ kind: fc.constant('event' as const), dt: fc.nat(400), event }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('gap' as const), count: fc.integer({ min: 1, max: 5 }), reason: fc.constantFrom('evicted', 'slow-consumer' as const) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('advance' as const), dt: fc.nat(3000) }) },
);

const options: fc.Arbitrary<AnalysisOptions> = fc.record(
  {
    orphanGrace: fc.nat(2000),
    handleGrace: fc.nat(2000),
    halfOpenGrace: fc.nat(3000),
    listenerGrowthSessions: fc.integer({ min: 2, max: 4 }),
    connectionGrowthSessions: fc.integer({ min: 2, max: 4 }),
    retainDead: fc.integer({ min: 1, max: 50 }),
    seriesLimit: fc.integer({ min: 2, max: 50 }),
  },
  { requiredKeys: [] },
);

/** Runs a stream through a fresh analysis; returns everything a consumer could observe. */
function run(steps: Step[], opts: AnalysisOptions) {
  const analysis = createAnalysis(opts);
  const changes: unknown[] = [];
  let seq = 0;
  let lastApplied = 0;
  let t = 0;
  for (const s of steps) {
    if (s.kind === 'gap') {
      analysis.applyGap({ from: seq + 1, to: seq + s.count, count: s.count, reason: s.reason });
      seq += s.count;
    } else if (s.kind === 'advance') {
      t += s.dt;
      analysis.advance(t);
    } else {
      t += s.dt;
      analysis.apply({ ...s.event, seq: ++seq, t } as AgentEvent);
      lastApplied = seq;
    }
    changes.push(analysis.takeChanges());
  }
  analysis.advance(t + 10_000);
  changes.push(analysis.takeChanges());
  return {
    findings: analysis.findings({ includeResolved: true }),
    open: analysis.findings(),
    counts: analysis.counts(),
    model: JSON.parse(JSON.stringify(analysis.model)) as unknown,
    changes: JSON.parse(JSON.stringify(changes)) as unknown,
    version: analysis.version,
    lastApplied,
  };
}

describe('analysis reducer (property)', () => {
  it('never throws on random well-formed streams and gives identical results on a second run', () => {
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 400, size: 'max' }), options, (steps, opts) => {
        const first = run(steps, opts);
        const second = run(steps, opts);
        expect(second).toEqual(first);
        // The model is at the newest event applied (a gap is not an event).
        expect(first.model).toMatchObject({ seq: first.lastApplied });
        // Finding ids are unique and deterministic in form.
        const ids = first.findings.map((f) => f.id);
        expect(new Set(ids).size).toBe(ids.length);
        for (const f of first.findings) expect(f.id.startsWith(`${f.rule}:`)).toBe(true);
      }),
      { seed: SEED, numRuns: 150, interruptAfterTimeLimit: 15_000, markInterruptAsFailure: false },
    );
  }, 30_000);

  it('reports every finding through takeChanges exactly as findings() holds it', () => {
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 400, size: 'max' }), options, (steps, opts) => {
        const { findings, open, changes } = run(steps, opts);
        const opened = new Map<string, number>();
        const resolved = new Set<string>();
        for (const c of changes as { opened: { id: string }[]; resolved: { id: string }[] }[]) {
          for (const f of c.opened) opened.set(f.id, (opened.get(f.id) ?? 0) + 1);
          for (const f of c.resolved) resolved.add(f.id);
        }
        // Every finding the analysis holds was announced, and an open one was not announced as resolved afterwards.
        for (const f of findings) expect(opened.has(f.id)).toBe(true);
        for (const f of open) expect(f.resolvedSeq).toBeUndefined();
      }),
      { seed: SEED + 1, numRuns: 100, interruptAfterTimeLimit: 10_000, markInterruptAsFailure: false },
    );
  }, 30_000);
});
