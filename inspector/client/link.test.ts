import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { AgentEvent } from '../../shared/protocol.js';
import { FakeAgent } from './fake-agent.test-util.js';
import { AgentLink, type AgentLinkOptions, type LinkDelivery, type LinkState, type SocketEvent, type WebSocketLike } from './link.js';

const agents: FakeAgent[] = [];
const links: AgentLink[] = [];

afterEach(async () => {
  await Promise.all(links.splice(0).map((link) => link.close()));
  await Promise.all(agents.splice(0).map((agent) => agent.close()));
});

async function startAgent(options: Parameters<typeof FakeAgent.start>[0] = {}): Promise<FakeAgent> {
  const agent = await FakeAgent.start(options);
  agents.push(agent);
  return agent;
}

function open(url: string, options: Partial<AgentLinkOptions> = {}) {
  const link = new AgentLink({ url, WebSocket, random: () => 0, ...options });
  links.push(link);
  const deliveries: LinkDelivery[] = [];
  const states: LinkState[] = [];
  link.on('message', (d) => deliveries.push(d));
  link.on('state', (s) => states.push(s));
  const seqs = (): number[] =>
    deliveries.flatMap((d) => (d.type === 'snapshot' || d.type === 'batch' ? d.events.map((e) => e.seq) : []));
  return { link, deliveries, states, seqs };
}

async function until(condition: () => boolean, what: string, timeout = 10_000): Promise<void> {
  const deadline = Date.now() + timeout;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const listen = (server: string): Omit<Extract<AgentEvent, { type: 'server.listen' }>, 'seq' | 't'> => ({
  type: 'server.listen',
  server,
  transport: 'tcp',
  address: '127.0.0.1:1',
});

describe('AgentLink', () => {
  it('goes live on hello and delivers hello, snapshot, batches and gaps in order', async () => {
    const agent = await startAgent();
    agent.publish(listen('s1'));
    agent.publish(listen('s2'));
    const { link, deliveries, states, seqs } = open(agent.url);

    await until(() => seqs().length === 2, 'the snapshot');
    agent.publish(listen('s3'));
    agent.broadcast({ type: 'gap', from: 4, to: 6, count: 3, reason: 'slow-consumer' });
    agent.seqPastGap();
    agent.publish(listen('s7'));
    await until(() => seqs().includes(7), 'the batch after the gap');

    expect(states.map((s) => s.status)).toEqual(['connecting', 'live']);
    expect(deliveries.map((d) => d.type)).toEqual(['hello', 'snapshot', 'batch', 'gap', 'batch']);
    expect(deliveries[0]).toMatchObject({ type: 'hello', kind: 'first', hello: { agent: { instance: agent.instance } } });
    expect(seqs()).toEqual([1, 2, 3, 7]);
    expect(link.lastSeq).toBe(7);
    expect(link.hello?.agent.name).toBe('fake');
  });

  it('reports a malformed frame from the agent with a stable code and keeps going', async () => {
    const agent = await startAgent();
    const { link, states, seqs } = open(agent.url);
    const problems: string[] = [];
    link.on('agent-error', (error) => problems.push(error.code));
    await until(() => states.some((s) => s.status === 'live'), 'live');
    agent.broadcast({ type: 'batch', events: [null], now: 1 });
    agent.broadcast({ type: 'gap', from: 'x' });
    agent.publish(listen('s1'));
    await until(() => seqs().includes(1), 'the next good batch');
    expect(problems).toEqual(['BAD_MESSAGE', 'BAD_MESSAGE']);
    expect(link.state.status).toBe('live');
  });

  it('refuses an agent that speaks another protocol version, and stays stopped', async () => {
    const agent = await startAgent({ protocol: 99 });
    const { link, deliveries } = open(agent.url);
    await until(() => link.state.status === 'version-mismatch', 'version-mismatch');
    const state = link.state as Extract<LinkState, { status: 'version-mismatch' }>;
    expect(state.message).toContain('protocol 99');
    expect(state.message).toContain('protocol 1');
    expect(deliveries).toEqual([]);
    // Longer than the first backoff delays: no second attempt was made.
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(agent.connections).toHaveLength(1);
    await expect(link.act('c1', 'close')).rejects.toMatchObject({ code: 'DISCONNECTED' });
  });

  it('reports a wrong token as token-refused from the 401 (Node)', async () => {
    const agent = await startAgent();
    const { link } = open(agent.url.replace('token=secret', 'token=wrong'));
    await until(() => link.state.status === 'token-refused', 'token-refused');
    expect((link.state as { message: string }).message).toMatch(/401/);
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(link.state.status).toBe('token-refused');
    expect(agent.connections).toHaveLength(0);
  });

  it('asks /status with fetch when the WebSocket hides why it failed (browsers)', async () => {
    const agent = await startAgent();
    const fetched: string[] = [];
    const { link } = open(agent.url.replace('token=secret', 'token=wrong'), {
      WebSocket: BrowserLikeWebSocket,
      fetch: (url) => {
        fetched.push(url);
        return fetch(url);
      },
    });
    await until(() => link.state.status === 'token-refused', 'token-refused');
    expect(fetched).toEqual([`http://127.0.0.1:${agent.listenPort}/status?token=wrong`]);
  });

  it('reconnects with backoff while the agent is down, then goes live', async () => {
    const probe = await startAgent();
    const port = probe.listenPort;
    await probe.close();
    agents.splice(0);

    const { link, states } = open(`ws://127.0.0.1:${port}/?token=secret`, { fetch: (url) => fetch(url) });
    await until(() => states.filter((s) => s.status === 'reconnecting').length >= 2, 'two reconnect attempts');
    const [first, second] = states.filter((s) => s.status === 'reconnecting') as Extract<LinkState, { status: 'reconnecting' }>[];
    expect(first).toMatchObject({ attempt: 1, code: 'ECONNREFUSED' });
    expect(first!.reason).toContain('ECONNREFUSED');
    expect(second!.attempt).toBe(2);
    expect(second!.retryAt).toBeGreaterThanOrEqual(first!.retryAt);

    await startAgent({ port });
    await until(() => link.state.status === 'live', 'live after the agent came up', 15_000);
  });

  it('goes offline instead of retrying when reconnect is off', async () => {
    const probe = await startAgent();
    const port = probe.listenPort;
    await probe.close();
    agents.splice(0);
    const { link } = open(`ws://127.0.0.1:${port}/?token=secret`, { reconnect: false });
    await until(() => link.state.status === 'offline', 'offline');
    expect(link.state).toMatchObject({ status: 'offline', code: 'ECONNREFUSED' });
  });

  it('resumes the same instance from its last seq without duplicates', async () => {
    const agent = await startAgent({ resendSinceEvent: true });
    agent.publish(listen('s1'));
    agent.publish(listen('s2'));
    const { link, deliveries, seqs } = open(agent.url);
    await until(() => seqs().length === 2, 'the snapshot');

    agent.dropInspectors();
    await until(() => link.state.status !== 'live', 'the link to notice the drop');
    agent.publishSilently(listen('s3'));
    agent.publishSilently(listen('s4'));
    await until(() => seqs().length === 4, 'the resumed events');

    expect(agent.connections.map((u) => u.searchParams.get('since'))).toEqual([null, '2']);
    expect(agent.connections[1]!.searchParams.get('token')).toBe('secret');
    expect(seqs()).toEqual([1, 2, 3, 4]);
    expect(deliveries.filter((d) => d.type === 'hello').map((d) => (d as { kind: string }).kind)).toEqual(['first', 'resume']);
    expect(link.state).toMatchObject({ status: 'live', resumedFrom: 2 });
  });

  it('treats a new instance as a restart: delivers its hello and starts fresh from seq 1', async () => {
    const before = await startAgent();
    before.publish(listen('old-1'));
    before.publish(listen('old-2'));
    before.publish(listen('old-3'));
    const { link, deliveries } = open(before.url);
    await until(() => link.lastSeq === 3, 'the first instance');
    const port = before.listenPort;
    await before.close();
    agents.splice(0);

    const after = await startAgent({ port });
    after.publish(listen('new-1'));
    await until(() => deliveries.some((d) => d.type === 'hello' && d.kind === 'restart'), 'the restart hello');
    await until(() => link.lastSeq === 1 && link.state.status === 'live', 'the new instance snapshot');

    // It first tried to resume the old seq, then resubscribed from scratch.
    expect(after.connections.map((u) => u.searchParams.get('since'))).toEqual(['3', null]);
    const afterRestart = deliveries.slice(deliveries.findIndex((d) => d.type === 'hello' && d.kind === 'restart'));
    expect(afterRestart[0]).toMatchObject({ hello: { agent: { instance: after.instance } } });
    expect(afterRestart[1]).toMatchObject({ type: 'snapshot', events: [{ seq: 1, server: 'new-1' }] });
  });

  it('answers requests by id and rejects with the error code, TIMEOUT or DISCONNECTED', async () => {
    const agent = await startAgent({
      answer: (request) => {
        if (request.type === 'act' && request.conn === 'missing') return { error: { code: 'UNKNOWN_CONNECTION', message: 'no connection "missing"' } };
        if (request.type === 'act' && request.conn === 'silent') return null;
        return undefined;
      },
    });
    const { link } = open(agent.url, { requestTimeout: 300 });
    await until(() => link.state.status === 'live', 'live');

    await expect(link.act('missing', 'close')).rejects.toMatchObject({ code: 'UNKNOWN_CONNECTION', message: 'no connection "missing"' });
    await expect(link.mark('m')).resolves.toMatchObject({ seq: 1 });
    await expect(link.request({ type: 'act', conn: 'silent', name: 'close' })).rejects.toMatchObject({ code: 'TIMEOUT' });
    const ids = agent.requests.map((r) => r.id);
    expect(ids).toEqual([1, 2, 3]);

    const pending = link.request({ type: 'act', conn: 'silent', name: 'close' }, { timeout: 10_000 });
    await until(() => agent.requests.length === 4, 'the request to arrive');
    agent.dropInspectors();
    await expect(pending).rejects.toMatchObject({ code: 'DISCONNECTED' });
  });

  it('throws BAD_URL for something that is not an agent URL', () => {
    expect(() => new AgentLink({ url: 'ftp://x/', WebSocket })).toThrow(expect.objectContaining({ code: 'BAD_URL' }));
    expect(() => new AgentLink({ url: 'not a url', WebSocket })).toThrow(/not an agent URL/);
  });
});

/** A WebSocket that, like a browser's, tells nothing about why it failed. */
class BrowserLikeWebSocket implements WebSocketLike {
  private readonly inner: WebSocket;
  constructor(url: string) {
    this.inner = new WebSocket(url);
    this.inner.on('error', () => undefined);
  }
  get readyState(): number {
    return this.inner.readyState;
  }
  send(data: string): void {
    this.inner.send(data);
  }
  close(code?: number, reason?: string): void {
    this.inner.close(code, reason);
  }
  addEventListener(type: 'open' | 'message' | 'error' | 'close', listener: (event: SocketEvent) => void): void {
    if (type === 'error') this.inner.on('error', () => listener({ type: 'error' }));
    else if (type === 'close') this.inner.on('close', (code) => listener({ type: 'close', code }));
    else this.inner.addEventListener(type, listener);
  }
}
