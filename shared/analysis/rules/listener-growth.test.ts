import { describe, expect, it } from 'vitest';
import { StreamBuilder, reloadStream } from '../fixtures/stream-builder.js';

describe('listener-growth', () => {
  it('flags the reload leak by the time the third session has subscribed', () => {
    const two = reloadStream({ sessions: 2, fixed: false, client: 'rn-app' });
    expect(two.analyze({}, two.t + 60_000).findings({ rule: 'listener-growth' })).toEqual([]);

    const s = reloadStream({ sessions: 3, fixed: false, client: 'rn-app' });
    const a = s.analyze();
    const findings = a.findings({ rule: 'listener-growth' });
    expect(findings.map((f) => f.id)).toEqual([
      'listener-growth:e1:message',
      'listener-growth:e1:status',
      'listener-growth:e1:presence',
    ]);
    const opens = a.model.sessions.map((session) => session.openedSeq);
    const firstAdd = s.events.find((e) => e.type === 'listener.add' && e.listener === 'c3/message')!.seq;
    expect(findings[0]).toMatchObject({
      severity: 'error',
      subjects: ['e1', 'c1', 'c2', 'c3'],
      evidence: [...opens, firstAdd],
      openedSeq: firstAdd,
    });
    expect(findings[0]!.message).toContain('grew 1 → 2 → 3 over sessions 1–3');
    expect(findings[0]!.message).toContain('client "rn-app"');
    expect(findings[0]!.message).toContain('(c1, c2) are still open');
    expect(findings[0]!.message).toContain('subscribe (/app/bridge.js:43:7)');
  });

  it('does not fire when each session cleans up before the next (the fix)', () => {
    const s = reloadStream({ sessions: 5, fixed: true, client: 'rn-app' });
    expect(s.analyze({}, s.t + 60_000).findings({ includeResolved: true })).toEqual([]);
  });

  it('honours listenerGrowthSessions', () => {
    const s = reloadStream({ sessions: 3, fixed: false });
    expect(s.analyze({ listenerGrowthSessions: 4 }).findings({ rule: 'listener-growth' })).toEqual([]);
    const four = reloadStream({ sessions: 4, fixed: false });
    expect(four.analyze({ listenerGrowthSessions: 4 }).findings({ rule: 'listener-growth' })).toHaveLength(3);
  });

  it('resolves once the count falls back to the first session level', () => {
    const s = reloadStream({ sessions: 3, fixed: false, client: 'rn-app' });
    // The abandoned connections finally time out and run their cleanup.
    for (const old of ['c1', 'c2']) {
      for (const event of ['message', 'status', 'presence']) s.remove(`${old}/${event}`, 'e1', event);
      s.close(old, 'error', 'ETIMEDOUT');
    }
    const a = s.analyze();
    expect(a.findings({ rule: 'listener-growth' })).toEqual([]);
    const resolved = a.findings({ rule: 'listener-growth', includeResolved: true });
    expect(resolved).toHaveLength(3);
    const lastRemoval = s.events.find((e) => e.type === 'listener.remove' && e.listener === 'c2/message')!.seq;
    expect(resolved[0]!.resolvedSeq).toBe(lastRemoval);
  });

  it('counts per client group: an unrelated client reconnecting does not look like growth', () => {
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

  it('does not open again and again while the counts of many anonymous clients only wander', () => {
    // Three clients of one server, no client identity: one group. A stays
    // subscribed; B and C reload (cleaning up) and subscribe, then both
    // unsubscribe, round after round: 1 → 2 → 3 at each round's sessions,
    // then back to 1. The first round cannot be told from a leak.
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
    }
    const findings = s.analyze({}, s.t + 60_000).findings({ rule: 'listener-growth', includeResolved: true });
    expect(findings.map((f) => f.id)).toEqual(['listener-growth:e1:message']);
  });

  it('does not open again when clients that all unsubscribed resubscribe one by one', () => {
    const s = new StreamBuilder();
    s.listen('s1');
    s.watch('e1', 'manager');
    const clients = ['a', 'b', 'c', 'd'];
    for (let round = 1; round <= 3; round++) {
      // Each client reloads (its old session cleaned up) and subscribes: counts rise 1, 2, 3, 4.
      for (const client of clients) {
        if (round > 1) s.close(`${client}${round - 1}`);
        s.open(`${client}${round}`, { server: 's1' });
        s.add(`${client}${round}/l`, 'e1', 'message', `${client}${round}`);
      }
      // Then all unsubscribe together.
      for (const client of clients) s.remove(`${client}${round}/l`, 'e1', 'message');
    }
    const findings = s.analyze({}, s.t + 60_000).findings({ rule: 'listener-growth', includeResolved: true });
    expect(findings.map((f) => f.id)).toEqual(['listener-growth:e1:message']);
  });

  it('opens again when a resolved leak grows past its old high', () => {
    const s = reloadStream({ sessions: 3, fixed: false, client: 'rn-app' });
    for (const old of ['c1', 'c2']) {
      for (const event of ['message', 'status', 'presence']) s.remove(`${old}/${event}`, 'e1', event);
      s.close(old, 'error', 'ETIMEDOUT');
    }
    // Leaking again from one listener per event: 2, 3, then 4 passes the old high of 3.
    for (let i = 4; i <= 6; i++) {
      s.open(`c${i}`, { client: 'rn-app' });
      for (const event of ['message', 'status', 'presence']) s.add(`c${i}/${event}`, 'e1', event, `c${i}`);
    }
    const ids = s.analyze().findings({ rule: 'listener-growth', includeResolved: true }).map((f) => f.id);
    expect(ids.filter((id) => id.startsWith('listener-growth:e1:message'))).toEqual(['listener-growth:e1:message', 'listener-growth:e1:message#2']);
  });
});
