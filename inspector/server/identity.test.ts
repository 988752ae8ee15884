/**
 * Identity of dialling agents: what someone holding only the pairing token
 * can do to a target. The real agents are real processes
 * (e2e/fixtures/attach-agent.ts); the impostors are raw sockets that know
 * the pairing token and nothing else, pairing with a key of their own or,
 * like agents older than pairing, putting the token on the URL.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { AgentEvent } from '../../shared/protocol.js';
import { FixtureAgent, memoryLogger, RawAgent, RecordingSocket, relay, tempDir, waitFor } from './attach.test-util.js';
import { startInspectorServer, type InspectorServer, type TargetInfo } from './index.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function hub() {
  const ui = await tempDir();
  cleanups.push(() => ui.remove());
  const server = await startInspectorServer({ port: 0, token: 'ui-token', uiDir: ui.path, logger: memoryLogger() });
  cleanups.push(() => server.close());
  const list = new RecordingSocket(`ws://127.0.0.1:${server.port}/ui?token=ui-token`);
  cleanups.push(() => list.close());
  const targets = (): TargetInfo[] => (list.messages.filter((m) => m.type === 'targets').at(-1)?.targets as TargetInfo[] | undefined) ?? [];
  return { server, targets };
}

function agent(server: InspectorServer, name: string): FixtureAgent {
  const fixture = new FixtureAgent({ HUB_URL: `ws://127.0.0.1:${server.port}/agent?token=ui-token`, AGENT_NAME: name });
  cleanups.push(() => fixture.kill());
  return fixture;
}

function watch(server: InspectorServer, key: string): RecordingSocket {
  const socket = new RecordingSocket(`ws://127.0.0.1:${server.port}/target/${encodeURIComponent(key)}?token=ui-token`);
  cleanups.push(() => socket.close());
  return socket;
}

const events = (socket: RecordingSocket) => socket.messages.flatMap((m) => (m.type === 'batch' ? (m.events as AgentEvent[]) : []));
const labels = (socket: RecordingSocket) => events(socket).flatMap((e) => (e.type === 'mark' ? [e.label] : []));

/** A dialler that holds the pairing token and nothing else, claiming the name `alpha` with `instance`. */
async function impostor(server: InspectorServer, how: 'pair' | 'legacy', instance: string): Promise<RawAgent> {
  const raw = await RawAgent.dial(server.port, 'ui-token', how);
  cleanups.push(() => raw.close());
  raw.hello('alpha', instance);
  return raw;
}

const FORGED = [
  { type: 'batch', events: [{ type: 'conn.open', seq: 4, t: 1, conn: 'forged', server: null, transport: 'custom', actions: [] }, { type: 'mark', seq: 5, t: 2, label: 'forged' }], now: 2 },
  { type: 'gap', from: 6, to: 1e300, count: 1e300, reason: 'evicted' },
];

describe('hub: a target belongs to the process that proved it', () => {
  it.each(['pair', 'legacy'] as const)('a %s dialler with only the pairing token cannot take over a live target or write into its history', async (how) => {
    const { server, targets } = await hub();
    const alpha = agent(server, 'alpha');
    const { instance } = await alpha.ready();
    await waitFor(() => targets().find((t) => t.key === 'alpha' && t.state === 'live'), 'alpha live');
    await alpha.command('marks 3 real');
    const view = watch(server, 'alpha');
    await waitFor(() => labels(view).length === 3, 'the real marks');

    const forger = await impostor(server, how, instance);
    await forger.stream(...FORGED);
    // A target of its own, visibly a second one; the real one still live, still verified.
    const duplicate = await waitFor(() => targets().find((t) => t.key === 'alpha#2'), 'the impostor listed apart');
    expect(duplicate).toMatchObject({ name: 'alpha', duplicateOf: 'alpha', verified: how === 'pair', state: 'live' });
    expect(targets().find((t) => t.key === 'alpha')).toMatchObject({ state: 'live', instance, verified: true });

    // Actions and marks from the UI still go to the real agent, and only to it.
    view.send({ type: 'mark', id: 'ui-1', label: 'from-the-ui' });
    await waitFor(() => labels(view).includes('from-the-ui'), 'the mark through the real agent');
    await alpha.command('mark real-after');
    await waitFor(() => labels(view).includes('real-after'), 'the real agent still streaming');
    expect(forger.requests.filter((r) => r.type !== 'subscribe')).toEqual([]);
    // Its history is the real agent's alone: no forged events, no gap to 1e300.
    const history = watch(server, 'alpha');
    await waitFor(() => labels(history).includes('real-after'), 'the history');
    expect(labels(history)).toEqual(['real1', 'real2', 'real3', 'from-the-ui', 'real-after']);
    expect(events(history).some((e) => e.type === 'conn.open')).toBe(false);
    expect(history.messages.filter((m) => m.type === 'gap')).toEqual([]);
    expect(alpha.lines.filter((l) => l.type === 'error')).toEqual([]);
  });

  it('nor claim an offline target’s run: the real process resumes it when it comes back', async () => {
    const { server, targets } = await hub();
    const link = await relay(server.port);
    cleanups.push(() => link.close());
    const alpha = new FixtureAgent({ HUB_URL: `ws://127.0.0.1:${link.port}/agent?token=ui-token`, AGENT_NAME: 'alpha' });
    cleanups.push(() => alpha.kill());
    const { instance } = await alpha.ready();
    await waitFor(() => targets().find((t) => t.key === 'alpha' && t.state === 'live'), 'alpha live');
    await alpha.command('marks 2 before');
    const view = watch(server, 'alpha');
    await waitFor(() => labels(view).length === 2, 'the marks');
    link.cut();
    await waitFor(() => targets().find((t) => t.key === 'alpha' && t.state === 'offline'), 'alpha offline');

    const forger = await impostor(server, 'legacy', instance);
    await forger.stream(...FORGED);
    await waitFor(() => targets().find((t) => t.key === 'alpha#2'), 'the impostor listed apart');
    await alpha.command('marks 2 during');
    await waitFor(() => targets().find((t) => t.key === 'alpha' && t.state === 'live'), 'the real agent back', 20_000);
    await alpha.command('mark after');
    await waitFor(() => labels(view).includes('after'), 'the resumed stream');
    expect(labels(view)).toEqual(['before1', 'before2', 'during1', 'during2', 'after']);
    expect(view.messages.filter((m) => m.type === 'gap' || m.type === 'hello').map((m) => m.type)).toEqual(['hello']);
    expect(events(view).some((e) => e.type === 'conn.open')).toBe(false);
  });

  it('a second live process of the same name is listed apart; a restart whose old socket lingers takes the target over', async () => {
    const { server, targets } = await hub();
    const first = agent(server, 'alpha');
    await first.ready();
    await waitFor(() => targets().find((t) => t.key === 'alpha' && t.state === 'live'), 'alpha live');
    const second = agent(server, 'alpha');
    const { instance: secondInstance } = await second.ready();
    await waitFor(() => targets().find((t) => t.key === 'alpha#2' && t.instance === secondInstance), 'the second process listed apart');
    expect(targets().find((t) => t.key === 'alpha')!.state).toBe('live');

    // Frozen, the first process cannot answer pings: a new process of its name takes its target as a restart.
    process.kill(first.child.pid!, 'SIGSTOP');
    cleanups.push(() => void (first.child.exitCode === null && process.kill(first.child.pid!, 'SIGCONT')));
    const third = agent(server, 'alpha');
    const { instance: thirdInstance } = await third.ready();
    await waitFor(() => targets().find((t) => t.key === 'alpha' && t.instance === thirdInstance && t.state === 'live'), 'the restart in the first target', 20_000);
    const history = watch(server, 'alpha');
    await waitFor(() => history.messages.filter((m) => m.type === 'hello').length === 2, 'two runs');
  });

  it('an agent older than pairing still works, unverified: it resumes after a drop, and cannot take a live one over', async () => {
    const { server, targets } = await hub();
    const dial = async () => {
      const raw = await RawAgent.dial(server.port, 'ui-token', 'legacy');
      cleanups.push(() => raw.close());
      raw.hello('legacy', 'inst-old');
      return raw;
    };
    const old = await dial();
    await old.stream({ type: 'batch', events: [{ type: 'mark', seq: 1, t: 1, label: 'one' }], now: 1 });
    await waitFor(() => targets().find((t) => t.key === 'legacy' && t.state === 'live'), 'listed');
    expect(targets().find((t) => t.key === 'legacy')).toMatchObject({ verified: false });
    await dial();
    await waitFor(() => targets().find((t) => t.key === 'legacy#2'), 'a live one cannot be claimed');
    old.close();
    await waitFor(() => targets().find((t) => t.key === 'legacy' && t.state === 'offline'), 'offline');
    const back = await dial();
    const subscribe = await waitFor(() => back.requests.find((r) => r.type === 'subscribe'), 'the resume');
    expect(subscribe).toMatchObject({ since: 1 });
  });
});
