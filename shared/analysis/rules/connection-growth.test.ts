import { describe, expect, it } from 'vitest';
import { StreamBuilder, reloadStream } from '../fixtures/stream-builder.js';

describe('connection-growth', () => {
  it('flags a client that reconnects without closing, when the third session opens', () => {
    const s = reloadStream({ sessions: 3, fixed: false });
    const a = s.analyze();
    const [finding] = a.findings({ rule: 'connection-growth' });
    const opens = a.model.sessions.map((session) => session.openedSeq);
    expect(finding).toMatchObject({
      id: 'connection-growth:server:s1',
      severity: 'error',
      subjects: ['c1', 'c2', 'c3'],
      evidence: opens,
      openedSeq: opens[2],
    });
    expect(finding!.message).toContain('grew 1 → 2 → 3 over sessions 1–3');
    expect(finding!.message).toContain('c1, c2 have been idle');
    expect(finding!.message).toContain('shutdown(2) then close(2)');
  });

  it('does not fire when the old connection closes before the reconnect (the fix)', () => {
    const s = reloadStream({ sessions: 5, fixed: true });
    expect(s.analyze({}, s.t + 60_000).findings({ includeResolved: true })).toEqual([]);
  });

  it('does not fire for concurrent clients that keep talking (not idle)', () => {
    const s = new StreamBuilder();
    for (let i = 1; i <= 4; i++) {
      s.open(`c${i}`);
      s.wait(2000);
      for (let j = 1; j <= i; j++) s.io(`c${j}`, s.t);
    }
    expect(s.analyze({}, s.t + 60_000).findings({ includeResolved: true })).toEqual([]);
  });

  it('fires while the backend keeps writing into the abandoned connections (their peers send nothing)', () => {
    const s = new StreamBuilder();
    const lastRead: number[] = [];
    for (let i = 1; i <= 3; i++) {
      s.open(`c${i}`);
      s.wait(100);
      // The client subscribes (its only message), then is abandoned at the next reload.
      lastRead[i] = s.t;
      s.push({ type: 'conn.io', conn: `c${i}`, bytesIn: 50, bytesOut: 0, msgsIn: 1, msgsOut: 0, lastActivity: s.t, lastIn: s.t });
      s.wait(1400);
      // The manager keeps emitting into every connection, old ones included; nothing comes back.
      for (let j = 1; j <= i; j++) s.push({ type: 'conn.io', conn: `c${j}`, bytesIn: 50, bytesOut: 100 * i, msgsIn: 1, msgsOut: 3 * i, lastActivity: s.t, lastIn: lastRead[j]! });
    }
    expect(s.analyze().findings({ rule: 'connection-growth' })).toMatchObject([{ subjects: ['c1', 'c2', 'c3'] }]);
  });

  it('resolves when the abandoned connections close', () => {
    const s = reloadStream({ sessions: 4, fixed: false });
    s.close('c1', 'error', 'ECONNRESET');
    s.close('c2', 'error', 'ECONNRESET');
    const lastClose = s.close('c3', 'error', 'ECONNRESET');
    const a = s.analyze();
    expect(a.findings({ rule: 'connection-growth' })).toEqual([]);
    expect(a.findings({ rule: 'connection-growth', includeResolved: true })).toMatchObject([{ resolvedSeq: lastClose }]);
  });
});
