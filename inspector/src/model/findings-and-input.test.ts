import { describe, expect, it } from 'vitest';
import { analyze } from '../../../shared/analysis/index.js';
import type { AgentEvent } from '../../../shared/protocol.js';
import { readConnectInput } from './connect-input.js';
import { findingRows, openFindingCounts } from './finding-rows.js';
import { reloadLeakStream } from './fixtures.test-util.js';
import { readRecent, rememberRecent, withoutToken } from './recent-targets.js';
import type { RunModel } from './runs.js';
import { subjectSelection } from './subjects.js';
import { buildTrace, connectionStateAt } from './teardown-trace.js';

const START = 1_700_000_000_000;

describe('findings across runs', () => {
  const model = analyze(reloadLeakStream(4, false), {}, 10_000);
  const runs: RunModel[] = [
    { run: 1, startedAt: START, endedAt: START + 60_000, model },
    { run: 2, startedAt: START + 70_000, model: analyze(reloadLeakStream(4, false), {}, 10_000) },
  ];

  it('counts only the live run: a restart does not double the badge', () => {
    const single = openFindingCounts([{ run: 1, startedAt: START, model }]);
    expect(single.open).toBeGreaterThan(0);
    expect(openFindingCounts(runs)).toEqual(single);
  });

  it("labels a dead run's open findings ended, after the open ones, worst first", () => {
    const rows = findingRows(runs, null);
    expect(rows.filter((r) => r.status === 'ended').every((r) => r.run === 1)).toBe(true);
    expect(rows.filter((r) => r.status === 'open').every((r) => r.run === 2)).toBe(true);
    expect(rows.findIndex((r) => r.status === 'ended')).toBe(rows.filter((r) => r.status === 'open').length);
    const severities = rows.filter((r) => r.status === 'open').map((r) => r.finding.severity);
    expect(severities).toEqual([...severities].sort((a, b) => ['error', 'warning', 'info'].indexOf(a) - ['error', 'warning', 'info'].indexOf(b)));
  });

  it('resolves each subject id to the kind of thing it names', () => {
    expect(subjectSelection(model, 1, 'c2')).toEqual({ run: 1, kind: 'connection', id: 'c2' });
    expect(subjectSelection(model, 1, 'e1')).toEqual({ run: 1, kind: 'emitter', id: 'e1' });
    expect(subjectSelection(model, 1, 'l3')).toEqual({ run: 1, kind: 'listener', id: 'l3' });
    expect(subjectSelection(model, 1, 'zz9')).toBeNull();
  });
});

describe('teardown verdicts', () => {
  const events = [
    { type: 'conn.open', seq: 1, t: 0, conn: 'c1', server: 's1', transport: 'tcp', actions: [] },
    { type: 'action.start', seq: 2, t: 10, action: 'a1', conn: 'c1', name: 'disconnect', source: 'inspector', timeout: 1000 },
    { type: 'conn.local-end', seq: 3, t: 10.2, conn: 'c1' },
    { type: 'conn.error', seq: 4, t: 12, conn: 'c1', code: 'ERR_STREAM_WRITE_AFTER_END', message: 'write after end' },
    { type: 'conn.write-after-close', seq: 5, t: 12, conn: 'c1', state: 'closing' },
    { type: 'conn.write-after-close', seq: 6, t: 13, conn: 'c1', state: 'closing' },
    { type: 'conn.close', seq: 7, t: 20, conn: 'c1', cause: 'local-end' },
    { type: 'action.settle', seq: 8, t: 20, action: 'a1', conn: 'c1', name: 'disconnect', result: { verdict: 'clean', duration: 10, listenersRemoved: 0, handlesDropped: 0 } },
  ] as unknown as AgentEvent[];

  it('does not call a teardown clean when it wrote into the dead connection', () => {
    const trace = buildTrace(1, events, 'a1', () => undefined)!;
    expect(trace.tone).toBe('troubled');
    expect(trace.verdictText).toBe('closed, with errors: ERR_STREAM_WRITE_AFTER_END, 2 writes after close');
  });

  it("names a stuck connection's state as the model does (our FIN sent: closing)", () => {
    const stuck = [
      ...events.slice(0, 3),
      { type: 'action.settle', seq: 4, t: 1010, action: 'a1', conn: 'c1', name: 'disconnect', result: { verdict: 'stuck', duration: 1000, listenersRemoved: 0, handlesDropped: 0, state: 'half-open', remaining: { listeners: 3, handles: 1 } } },
    ] as unknown as AgentEvent[];
    const conn = analyze(stuck).connections[0]!;
    expect(connectionStateAt(conn, 4)).toBe('closing');
    expect(connectionStateAt(conn, 1)).toBe('open');
    expect(buildTrace(1, stuck, 'a1', () => undefined, connectionStateAt(conn, 4))!.verdictText).toBe('stuck: closing, 3 listeners and 1 handle remain');
    // The stuck-teardown finding names it the same way, whatever the agent's result says.
    const finding = analyze(stuck).findings.find((f) => f.rule === 'stuck-teardown')!;
    expect(finding.message).toContain('the connection was still closing,');
  });
});

describe('connect box', () => {
  const page = 'http://127.0.0.1:9231';
  it("takes an agent's ws:// URL, or the one inside an inspector link", () => {
    expect(readConnectInput(' ws://127.0.0.1:9230/?token=abc ', page)).toEqual({ kind: 'agent', url: 'ws://127.0.0.1:9230/?token=abc' });
    expect(readConnectInput(`${page}/?agent=${encodeURIComponent('ws://10.0.0.2:9230/?token=x')}`, page)).toEqual({ kind: 'agent', url: 'ws://10.0.0.2:9230/?token=x' });
    expect(readConnectInput(`${page}/?token=hub`, page)).toEqual({ kind: 'page', href: `${page}/?token=hub` });
  });

  it('refuses a web address with what to paste instead, rather than failing to connect', () => {
    const http = readConnectInput('http://127.0.0.1:9231/', page);
    expect(http.kind).toBe('error');
    expect(http.kind === 'error' && http.message).toMatch(/web address.*ws:\/\//);
    expect(readConnectInput('ftp://x', page).kind).toBe('error');
    expect(readConnectInput('127.0.0.1 9230', page).kind).toBe('error');
    expect(readConnectInput('', page).kind).toBe('error');
  });
});

describe('recent targets', () => {
  it('never keeps a token, and rewrites what older versions stored', () => {
    expect(withoutToken('ws://127.0.0.1:9230/?token=s3cret&since=4')).toBe('ws://127.0.0.1:9230/');
    const old = ['ws://127.0.0.1:9230/?token=s3cret', 'ws://127.0.0.1:9230/?token=other', 42, null];
    expect(readRecent(old)).toEqual([{ address: 'ws://127.0.0.1:9230/', at: 0 }]);
    const list = rememberRecent(readRecent(old), 'ws://10.0.2.2:9230/?token=t0ken', 'demo-backend', 1000);
    expect(list[0]).toEqual({ address: 'ws://10.0.2.2:9230/', name: 'demo-backend', at: 1000 });
    expect(JSON.stringify(list)).not.toMatch(/s3cret|t0ken|other/);
  });
});
