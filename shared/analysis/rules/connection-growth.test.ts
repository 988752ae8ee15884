import { describe, expect, it } from 'vitest';
import { StreamBuilder, reloadStream } from '../fixtures/stream-builder.js';

const LATER = 10_000;

describe('connection-growth', () => {
  it('flags a client that reconnects without closing, once two old connections stayed silent for the abandon grace', () => {
    const s = reloadStream({ sessions: 3, fixed: false });
    expect(s.analyze().findings({ rule: 'connection-growth' })).toEqual([]);
    const a = s.analyze({}, s.t + LATER);
    const [finding] = a.findings({ rule: 'connection-growth' });
    const opens = a.model.sessions.map((session) => session.openedSeq);
    expect(finding).toMatchObject({
      id: 'connection-growth:server:s1',
      severity: 'error',
      subjects: ['c1', 'c2', 'c3'],
      evidence: [...opens, s.events.length],
    });
    expect(finding!.message).toContain('grew 1 → 2 → 3 over sessions 1–3');
    expect(finding!.message).toContain('c1, c2 have been idle since a newer session started (nothing received for 3 s or more)');
    expect(finding!.message).toContain('shutdown(2) then close(2)');
    expect(a.model.connections.map((c) => c.abandoned ?? false)).toEqual([true, true, false]);
  });

  it('follows the growth while it is open (1 → 5, c1…c5)', () => {
    const s = reloadStream({ sessions: 3, fixed: false });
    const a = s.analyze({}, s.t + LATER);
    const [opened] = a.findings({ rule: 'connection-growth' });
    for (let i = 4; i <= 5; i++) {
      s.wait(500);
      s.open(`c${i}`);
      s.io(`c${i}`, s.t);
    }
    for (const e of s.events.slice(a.model.seq)) a.apply(e);
    a.advance(s.t + LATER);
    const [followed] = a.findings({ rule: 'connection-growth' });
    expect(followed).toMatchObject({ id: opened!.id, openedSeq: opened!.openedSeq, subjects: ['c1', 'c2', 'c3', 'c4', 'c5'] });
    expect(followed!.message).toContain('grew 1 → 2 → 3 → 4 → 5 over sessions 1–5');
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
    expect(s.analyze({}, s.t + 200).findings({ includeResolved: true })).toEqual([]);
  });

  it('a newer session that never talked does not supersede anyone: clients slow to start are not abandoned', () => {
    const s = new StreamBuilder();
    // Sixteen clients connect; on a busy machine none gets to send anything for 5 s.
    for (let i = 1; i <= 16; i++) s.open(`c${i}`);
    s.wait(5000);
    for (let i = 1; i <= 16; i++) s.io(`c${i}`, s.t);
    expect(s.analyze({}, s.t + 100).findings({ includeResolved: true })).toEqual([]);
  });

  it('does not fire for clients that connect within a second of each other and talk after all connected', () => {
    for (const clients of [4, 16]) {
      const s = new StreamBuilder();
      for (let i = 1; i <= clients; i++) {
        s.open(`c${i}`);
        s.wait(50);
      }
      // conn.io is coalesced: each connection's first reads are published up to a second later.
      s.wait(900);
      for (let round = 1; round <= 10; round++) {
        for (let i = 1; i <= clients; i++) s.io(`c${i}`, s.t - 400, round * 10);
        s.wait(1000);
      }
      expect(s.analyze({}, s.t).findings({ includeResolved: true }), `${clients} clients`).toEqual([]);
    }
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
    expect(s.analyze({}, s.t + LATER).findings({ rule: 'connection-growth' })).toMatchObject([{ subjects: ['c1', 'c2', 'c3'] }]);
  });

  it('resolves when the abandoned connections close', () => {
    const s = reloadStream({ sessions: 4, fixed: false });
    s.wait(LATER);
    s.close('c1', 'error', 'ECONNRESET');
    const secondClose = s.close('c2', 'error', 'ECONNRESET');
    s.close('c3', 'error', 'ECONNRESET');
    const a = s.analyze();
    expect(a.findings({ rule: 'connection-growth' })).toEqual([]);
    expect(a.findings({ rule: 'connection-growth', includeResolved: true })).toMatchObject([{ resolvedSeq: secondClose }]);
  });

  it('a session carried by another connection (an HTTP/2 stream) is never abandoned, nor is its carrier while it carries one', () => {
    const s = new StreamBuilder();
    s.listen('s1');
    // One HTTP/2 connection per client, each with a server-streaming call the client never writes to again.
    for (let i = 1; i <= 16; i++) {
      s.open(`t${i}`);
      s.open(`t${i}/1`, { via: `t${i}`, protocol: 'grpc' });
      s.peerEnd(`t${i}/1`);
    }
    const a = s.analyze({}, s.t + 60_000);
    expect(a.findings({ includeResolved: true })).toEqual([]);
    expect(a.model.sessions.filter((x) => x.group === 'server:s1/grpc')).toHaveLength(16);
  });

  it('what a carried session receives is its carrier activity: unary calls keep their HTTP/2 connection busy', () => {
    const s = new StreamBuilder();
    for (let i = 1; i <= 4; i++) s.open(`t${i}`);
    // No conn.io for the carriers (HTTP/2 reads are consumed natively): only the calls they carry.
    for (let round = 1; round <= 20; round++) {
      s.wait(500);
      for (let i = 1; i <= 4; i++) {
        s.open(`t${i}/${round}`, { via: `t${i}`, protocol: 'grpc' });
        s.close(`t${i}/${round}`, 'local-end');
      }
    }
    expect(s.analyze({}, s.t + 100).findings({ includeResolved: true })).toEqual([]);
    // Once the calls stop, a carrier superseded by an active newer connection is an ordinary silent connection again.
    s.wait(LATER);
    for (let i = 5; i <= 6; i++) {
      s.open(`t${i}`);
      s.wait(10);
      s.io(`t${i}`, s.t);
    }
    expect(s.analyze({}, s.t + LATER).findings({ rule: 'connection-growth' })).toHaveLength(1);
  });

  it('a socket.io session moving from polling to an upgrade keeps every connection it used from counting as abandoned', () => {
    const s = new StreamBuilder();
    for (let i = 1; i <= 8; i++) {
      s.open(`p${i}`);
      s.open(`sio${i}`, { via: `p${i}`, protocol: 'socket.io' });
      s.open(`q${i}`);
      s.via(`sio${i}`, `q${i}`);
      s.open(`w${i}`);
      s.via(`sio${i}`, `w${i}`);
    }
    expect(s.analyze({}, s.t + 60_000).findings({ includeResolved: true })).toEqual([]);
  });

  it('an HTTP/1 keep-alive connection is never abandoned, until it is upgraded to something else', () => {
    const s = new StreamBuilder();
    // A client with a server-sent-events stream (it never writes again) and pooled keep-alive connections.
    for (let i = 1; i <= 6; i++) s.open(`h${i}`, { protocol: 'http' });
    expect(s.analyze({}, s.t + 60_000).findings({ includeResolved: true })).toEqual([]);
    // WebSockets upgraded from those connections, abandoned by a reloading client: growth.
    for (let i = 1; i <= 3; i++) s.push({ type: 'conn.protocol', conn: `h${i}`, protocol: 'websocket' });
    s.open('h7', { protocol: 'http' });
    s.io('h7', s.t);
    const a = s.analyze({}, s.t + 60_000);
    expect(a.findings({ rule: 'connection-growth' })).toMatchObject([{ subjects: ['h1', 'h2', 'h3', 'h7'] }]);
    expect(a.model.connections.find((c) => c.id === 'h1')!.protocol).toBe('websocket');
  });
});
