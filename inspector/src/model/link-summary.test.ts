import { describe, expect, it } from 'vitest';
import { linkSummary } from './link-summary.js';

const live = { status: 'live', instance: 'i1' } as const;

describe('link summary', () => {
  it('is live and can act with a writable agent', () => {
    expect(linkSummary({ link: live, hubTarget: null, readonly: false, canSend: true })).toMatchObject({ word: 'live', canAct: true, actionsOff: null, readonly: false });
  });

  it('says why actions are off for a readonly agent', () => {
    const s = linkSummary({ link: live, hubTarget: { state: 'live' }, readonly: true, canSend: true });
    expect(s).toMatchObject({ word: 'live', readonly: true, canAct: false });
    expect(s.actionsOff).toMatch(/readonly: true/);
  });

  it('calls a hub target whose agent left offline, though the socket to the hub is live', () => {
    const s = linkSummary({ link: live, hubTarget: { state: 'offline', since: new Date(2024, 0, 1, 13, 20, 5).getTime() }, readonly: false, canSend: true });
    expect(s.word).toBe('offline');
    expect(s.reason).toMatch(/disconnected from the hub at 13:20:05/);
    expect(s.canAct).toBe(false);
  });

  it('gives the reason for every other state', () => {
    expect(linkSummary({ link: { status: 'reconnecting', attempt: 2, retryAt: 0, reason: 'connect ECONNREFUSED' }, hubTarget: null, readonly: false, canSend: true }).reason).toMatch(/ECONNREFUSED/);
    expect(linkSummary({ link: { status: 'recording', name: 'a.ndjson' }, hubTarget: null, readonly: false, canSend: false })).toMatchObject({ word: 'recording', canAct: false });
    expect(linkSummary({ link: { status: 'token-refused', message: 'HTTP 401' }, hubTarget: null, readonly: false, canSend: false }).reason).toBe('HTTP 401');
  });
});
