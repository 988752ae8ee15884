import { describe, expect, it } from 'vitest';
import { StreamBuilder, reloadStream } from '../fixtures/stream-builder.js';

/** Past every grace period of the default options. */
const LATER = 10_000;

/** `clients` clients of server s1, each subscribed to "tick" on e1. */
function subscribedClients(clients: number): StreamBuilder {
  const s = new StreamBuilder();
  s.listen('s1');
  s.watch('e1', 'bus');
  for (let i = 1; i <= clients; i++) {
    s.open(`c${i}`, { server: 's1' });
    s.add(`c${i}/tick`, 'e1', 'tick', `c${i}`);
  }
  return s;
}

describe('listener-growth', () => {
  it('flags the reload leak once two abandoned sessions still hold their subscriptions', () => {
    const two = reloadStream({ sessions: 2, fixed: false, client: 'rn-app' });
    expect(two.analyze({}, two.t + 60_000).findings({ rule: 'listener-growth' })).toEqual([]);

    const s = reloadStream({ sessions: 3, fixed: false, client: 'rn-app' });
    // c2 read last at its open: it is abandoned the abandon grace (3 s) later.
    const io = s.events.find((e) => e.type === 'conn.io' && e.conn === 'c2');
    const c2LastRead = io?.type === 'conn.io' ? io.lastIn! : NaN;
    expect(s.analyze({}, c2LastRead + 2999).findings({ rule: 'listener-growth' })).toEqual([]);
    const a = s.analyze({}, c2LastRead + 3000);
    const findings = a.findings({ rule: 'listener-growth' });
    expect(findings.map((f) => f.id)).toEqual([
      'listener-growth:e1:message',
      'listener-growth:e1:status',
      'listener-growth:e1:presence',
    ]);
    const opens = a.model.sessions.map((session) => session.openedSeq);
    expect(findings[0]).toMatchObject({
      severity: 'error',
      subjects: ['e1', 'c1', 'c2', 'c3'],
      evidence: [...opens, s.events.length],
      openedSeq: s.events.length,
      openedT: c2LastRead + 3000,
      stack: ['at subscribe (/app/bridge.js:42:7)'],
    });
    expect(findings[0]!.message).toContain('grew 1 → 2 → 3 over sessions 1–3');
    expect(findings[0]!.message).toContain('client "rn-app"');
    expect(findings[0]!.message).toContain('(c1, c2) are still open');
    expect(findings[0]!.message).toContain('subscribe (/app/bridge.js:42:7)');
  });

  it('follows the growth while it is open: counts, sessions and subjects 1 → 5, c1…c5', () => {
    const s = reloadStream({ sessions: 3, fixed: false, client: 'rn-app' });
    const a = s.analyze({}, s.t + LATER);
    const [opened] = a.findings({ rule: 'listener-growth' });
    a.takeChanges();
    for (let i = 4; i <= 5; i++) {
      s.wait(500);
      s.open(`c${i}`, { client: 'rn-app' });
      for (const event of ['message', 'status', 'presence']) s.add(`c${i}/${event}`, 'e1', event, `c${i}`, [`at subscribe (/app/bridge.js:4${i}:7)`]);
      s.io(`c${i}`, s.t);
    }
    for (const e of s.events.slice(a.model.seq)) a.apply(e);
    a.advance(s.t + LATER);
    const [followed] = a.findings({ rule: 'listener-growth' });
    expect(followed).toMatchObject({ id: opened!.id, openedSeq: opened!.openedSeq, openedT: opened!.openedT });
    expect(followed!.message).toContain('grew 1 → 2 → 3 → 4 → 5 over sessions 1–5');
    expect(followed!.message).toContain('(c1, c2, c3, c4) are still open');
    expect(followed!.subjects).toEqual(['e1', 'c1', 'c2', 'c3', 'c4', 'c5']);
    expect(a.findings({ rule: 'listener-growth', includeResolved: true })).toHaveLength(3);
    const updated = a.takeChanges().updated.filter((f) => f.rule === 'listener-growth');
    expect(updated.map((f) => f.id)).toEqual(['listener-growth:e1:message', 'listener-growth:e1:status', 'listener-growth:e1:presence']);
  });

  it('does not fire when each session cleans up before the next (the fix)', () => {
    const s = reloadStream({ sessions: 5, fixed: true, client: 'rn-app' });
    expect(s.analyze({}, s.t + 60_000).findings({ includeResolved: true })).toEqual([]);
  });

  it('honours listenerGrowthSessions', () => {
    const s = reloadStream({ sessions: 3, fixed: false });
    expect(s.analyze({ listenerGrowthSessions: 4 }, s.t + LATER).findings({ rule: 'listener-growth' })).toEqual([]);
    const four = reloadStream({ sessions: 4, fixed: false });
    expect(four.analyze({ listenerGrowthSessions: 4 }, four.t + LATER).findings({ rule: 'listener-growth' })).toHaveLength(3);
  });

  it('resolves once fewer stale sessions hold such listeners', () => {
    const s = reloadStream({ sessions: 3, fixed: false, client: 'rn-app' });
    s.wait(LATER);
    // The first abandoned connection finally times out and runs its cleanup.
    const removals = ['message', 'status', 'presence'].map((event) => s.remove(`c1/${event}`, 'e1', event));
    s.close('c1', 'error', 'ETIMEDOUT');
    const a = s.analyze();
    expect(a.findings({ rule: 'listener-growth' })).toEqual([]);
    const resolved = a.findings({ rule: 'listener-growth', includeResolved: true });
    expect(resolved.map((f) => f.resolvedSeq)).toEqual(removals);
  });

  it('counts per client group: an unrelated client reconnecting properly does not look like growth', () => {
    const s = new StreamBuilder();
    s.watch('e1', 'manager');
    for (let i = 1; i <= 4; i++) {
      // Client A keeps its one session; client B reloads properly each time.
      if (i === 1) {
        s.open('a1', { client: 'A' });
        s.add('a1/l', 'e1', 'message', 'a1');
      }
      if (i > 1) {
        s.remove(`b${i - 1}/l`, 'e1', 'message');
        s.close(`b${i - 1}`);
      }
      s.open(`b${i}`, { client: 'B' });
      s.add(`b${i}/l`, 'e1', 'message', `b${i}`);
    }
    expect(s.analyze({}, s.t + 60_000).findings({ includeResolved: true })).toEqual([]);
  });

  it('never counts concurrently active sessions, at any number of clients connecting at the same instant', () => {
    for (const clients of [1, 4, 16, 64]) {
      const s = new StreamBuilder();
      s.listen('s1');
      s.watch('e1', 'bus');
      // All connect within the same few ms, before any of them has sent anything.
      for (let i = 1; i <= clients; i++) s.open(`c${i}`, { server: 's1' });
      // Then each subscribes and keeps a trickle of requests, seen through coalesced conn.io.
      for (let i = 1; i <= clients; i++) s.add(`c${i}/tick`, 'e1', 'tick', `c${i}`);
      for (let tick = 1; tick <= 20; tick++) {
        s.wait(500);
        for (let i = 1; i <= clients; i++) s.io(`c${i}`, s.t, tick * 100);
      }
      const a = s.analyze({}, s.t + 200);
      expect(a.findings({ includeResolved: true }), `${clients} clients`).toEqual([]);
    }
  });

  it('never counts the sessions of anonymous clients that subscribe, unsubscribe and reload cleanly', () => {
    // Three clients of one server, no client identity: one group. A stays
    // subscribed; B and C reload (cleaning up) and subscribe, then both
    // unsubscribe, round after round: counts wander 1 → 2 → 3 → 1.
    const s = new StreamBuilder();
    s.listen('s1');
    s.watch('e1', 'manager');
    s.open('a', { server: 's1' });
    s.add('a/l', 'e1', 'message', 'a');
    for (let round = 1; round <= 5; round++) {
      for (const client of ['b', 'c']) {
        const conn = `${client}${round}`;
        if (round > 1) s.close(`${client}${round - 1}`);
        s.open(conn, { server: 's1' });
        s.add(`${conn}/l`, 'e1', 'message', conn);
      }
      s.remove(`b${round}/l`, 'e1', 'message');
      s.remove(`c${round}/l`, 'e1', 'message');
      s.wait(400);
      for (const conn of ['a', `b${round}`, `c${round}`]) s.io(conn, s.t);
    }
    expect(s.analyze({}, s.t + 1000).findings({ rule: 'listener-growth', includeResolved: true })).toEqual([]);
  });

  it('closed sessions count once the orphan grace has passed: a batch of closes before the cleanup is not growth', () => {
    const s = subscribedClients(16);
    // Every client reloads at once: the closes arrive before the close handlers' removals.
    for (let i = 1; i <= 16; i++) s.close(`c${i}`);
    s.wait(50);
    for (let i = 1; i <= 16; i++) s.remove(`c${i}/tick`, 'e1', 'tick');
    expect(s.analyze({}, s.t + LATER).findings({ includeResolved: true })).toEqual([]);

    // A server that never removes them: listener-growth (and an orphan-listener per listener).
    const leaky = new StreamBuilder();
    leaky.listen('s1');
    leaky.watch('e1', 'bus');
    for (let i = 1; i <= 4; i++) {
      leaky.open(`c${i}`, { server: 's1' });
      leaky.add(`c${i}/tick`, 'e1', 'tick', `c${i}`, [`at Socket.<anonymous> (/app/node_modules/lib/x.js:1:1)`, 'at onSubscribe (/app/server.js:12:5)']);
    }
    leaky.close('c1');
    const firstClosedT = leaky.t;
    for (let i = 2; i <= 4; i++) leaky.close(`c${i}`);
    expect(leaky.analyze({}, firstClosedT + 999).findings()).toEqual([]);
    const a = leaky.analyze({}, leaky.t + 1000);
    const [growth] = a.findings({ rule: 'listener-growth' });
    expect(growth!.subjects).toEqual(['e1', 'c1', 'c2', 'c3', 'c4']);
    expect(growth!.message).toContain('grew 1 → 2 → 3 → 4 over sessions 1–4');
    expect(growth!.message).toContain('c1, c2, c3, c4 closed without removing theirs');
    expect(growth!.message).toContain('added at onSubscribe (/app/server.js:12:5)');
    expect(a.findings({ rule: 'orphan-listener' })).toHaveLength(4);
  });

  it('follows what the stale sessions themselves do while open: a late subscription, a late cleanup', () => {
    const s = reloadStream({ sessions: 3, fixed: false, client: 'rn-app' });
    s.wait(LATER);
    // The abandoned c1 and c2 subscribe to one more event, one after the other.
    s.add('c1/extra', 'e1', 'extra', 'c1');
    s.add('c2/extra', 'e1', 'extra', 'c2');
    let a = s.analyze();
    const extra = a.findings({ rule: 'listener-growth' }).find((f) => f.id === 'listener-growth:e1:extra');
    expect(extra?.subjects).toEqual(['e1', 'c1', 'c2']);

    // A server that never removes them, until one closed session's cleanup runs late.
    const leaky = subscribedClients(4);
    for (let i = 1; i <= 4; i++) leaky.close(`c${i}`);
    leaky.wait(LATER);
    leaky.remove('c2/tick', 'e1', 'tick');
    a = leaky.analyze();
    const [growth] = a.findings({ rule: 'listener-growth' });
    expect(growth!.subjects).toEqual(['e1', 'c1', 'c3', 'c4']);
    expect(growth!.message).toContain('grew 1 → 2 → 3 over sessions 1–4');
  });

  it('an abandoned session that talks again is not abandoned: the growth resolves', () => {
    const s = reloadStream({ sessions: 3, fixed: false, client: 'rn-app' });
    s.wait(LATER);
    const talk = s.io('c2', s.t);
    const a = s.analyze();
    expect(a.findings({ rule: 'listener-growth' })).toEqual([]);
    expect(a.findings({ rule: 'listener-growth', includeResolved: true }).map((f) => f.resolvedSeq)).toEqual([talk, talk, talk]);
  });

  it('opens again (#2) when a resolved leak grows again', () => {
    const s = reloadStream({ sessions: 3, fixed: false, client: 'rn-app' });
    s.wait(LATER);
    for (const old of ['c1', 'c2']) {
      for (const event of ['message', 'status', 'presence']) s.remove(`${old}/${event}`, 'e1', event);
      s.close(old, 'error', 'ETIMEDOUT');
    }
    for (let i = 4; i <= 6; i++) {
      s.wait(500);
      s.open(`c${i}`, { client: 'rn-app' });
      for (const event of ['message', 'status', 'presence']) s.add(`c${i}/${event}`, 'e1', event, `c${i}`);
      s.io(`c${i}`, s.t);
    }
    const ids = s.analyze({}, s.t + LATER).findings({ rule: 'listener-growth', includeResolved: true }).map((f) => f.id);
    expect(ids.filter((id) => id.startsWith('listener-growth:e1:message'))).toEqual(['listener-growth:e1:message', 'listener-growth:e1:message#2']);
  });
});
