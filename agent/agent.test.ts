import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Client, FakeHub, inspectAgent, testAgent, waitFor } from './transport/harness.test-util.js';

const indexPath = fileURLToPath(new URL('./index.ts', import.meta.url));

/** Runs an ES module snippet in a fresh Node process with the agent importable as `createAgent`. */
function runChild(body: string, env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const source = `const { createAgent } = await import(${JSON.stringify(indexPath)});\n${body}`;
  return new Promise((resolve) => {
    const child = execFile(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', source], { env: { ...process.env, ...env }, timeout: 15_000 }, (_err, stdout, stderr) =>
      resolve({ code: child.exitCode, stdout, stderr }),
    );
  });
}

describe('createAgent', () => {
  it('listens on loopback, announces itself and streams what the app does', async () => {
    const a = testAgent({ name: 'bridge-backend', client: 'app-1', token: 'secret' });
    await a.ready;
    expect(a.url).toBe(`ws://127.0.0.1:${a.port}/?token=secret`);
    expect(a.port).toBeGreaterThan(0);
    const c = await inspectAgent(a);
    expect(c.of('hello')[0]).toMatchObject({
      protocol: 1,
      agent: { name: 'bridge-backend', client: 'app-1', pid: process.pid, runtime: `node ${process.version}`, instance: a.info.instance },
    });
    expect(a.inspectors).toBe(1);
    a.mark('cycle 1');
    await c.until(() => c.events().some((e) => e.type === 'mark' && e.label === 'cycle 1'), 'the mark');
  });

  it('runs agent-wide actions from code and from inspectors', async () => {
    const a = testAgent();
    a.defineAction('scenario', async () => ({ scenario: 'leaky' }), { label: 'Switch scenario' });
    a.defineAction('explode', () => {
      throw Object.assign(new Error('boom'), { code: 'EBOOM' });
    });
    await a.ready;
    const c = await inspectAgent(a);
    expect(c.of('hello')[0]).toMatchObject({ actions: [{ name: 'scenario', label: 'Switch scenario', source: 'app' }, { name: 'explode', source: 'app' }] });
    expect(await c.request({ type: 'act', id: 1, name: 'scenario' })).toMatchObject({ result: { verdict: 'clean', value: { scenario: 'leaky' } } });
    expect(await c.request({ type: 'act', id: 2, name: 'explode' })).toMatchObject({ result: { verdict: 'failed', error: { code: 'EBOOM', message: 'boom' } } });
    expect(await c.request({ type: 'act', id: 3, name: 'missing' })).toMatchObject({ error: { code: 'UNKNOWN_ACTION' } });
    expect(await a.act(null, 'scenario')).toMatchObject({ verdict: 'clean', value: { scenario: 'leaky' } });
    await c.until(() => c.events().filter((e) => e.type === 'action.settle').length === 3, 'three settles');
    const starts = c.events().filter((e) => e.type === 'action.start');
    expect(starts.map((e) => e.type === 'action.start' && [e.conn, e.name, e.source])).toEqual([
      [null, 'scenario', 'inspector'],
      [null, 'explode', 'inspector'],
      [null, 'scenario', 'code'],
    ]);
  });

  it('settles an agent-wide action that never returns as stuck after its timeout', async () => {
    const a = testAgent({ listen: false });
    a.defineAction('hang', () => new Promise(() => {}));
    expect(await a.act(null, 'hang', { timeout: 50 })).toMatchObject({ verdict: 'stuck' });
  });

  it('does not listen with listen: false', async () => {
    const a = testAgent({ listen: false });
    await a.ready;
    expect([a.url, a.port]).toEqual(['', 0]);
  });
});

describe('the host never sees an exception', () => {
  it('reports a taken port as an error event, resolves ready and keeps running', async () => {
    const uncaught: unknown[] = [];
    const onUncaught = (err: unknown) => uncaught.push(err);
    process.on('uncaughtException', onUncaught);
    process.on('unhandledRejection', onUncaught);
    try {
      const first = testAgent();
      await first.ready;
      const errors: (Error & { code?: string })[] = [];
      const second = testAgent({ port: first.port });
      second.on('error', (err) => errors.push(err));
      await second.ready;
      expect(errors.map((e) => e.code)).toEqual(['EADDRINUSE']);
      expect(errors[0]!.message).toContain(String(first.port));
      expect(second.url).toBe('');
      // With no 'error' listener the logger gets it instead of a throw.
      const logged: string[] = [];
      const third = testAgent({ port: first.port, logger: { warn() {}, error: (m) => logged.push(m) } });
      await third.ready;
      expect(logged.some((m) => m.startsWith('EADDRINUSE'))).toBe(true);
      // The first agent still serves.
      const c = await inspectAgent(first);
      expect(c.of('hello')).toHaveLength(1);
      await new Promise((r) => setTimeout(r, 50));
      expect(uncaught).toEqual([]);
    } finally {
      process.off('uncaughtException', onUncaught);
      process.off('unhandledRejection', onUncaught);
    }
  });

  it('in a real process: a taken port is logged, the host runs on and exits normally', async () => {
    const first = testAgent();
    await first.ready;
    const child = await runChild(
      `const a = createAgent({ port: Number(process.env.TAKEN_PORT) });
       await a.ready;
       setTimeout(() => console.log('still running, url=' + JSON.stringify(a.url)), 50);`,
      { TAKEN_PORT: String(first.port) },
    );
    expect(child.stderr).toContain('EADDRINUSE');
    expect(child.stdout).toContain('still running, url=""');
    expect(child.code).toBe(0);
  });

  it('in a real process: the agent alone does not keep the process alive', async () => {
    const child = await runChild(
      `const a = createAgent({ port: 0, dial: 'ws://127.0.0.1:1/', logger: false });
       await a.ready;
       console.log('listening on ' + a.port);`,
    );
    expect(child.stdout).toMatch(/listening on [1-9]/);
    expect(child.code).toBe(0);
  });

  it('keeps a throwing inspector listener away from the host', async () => {
    const a = testAgent();
    a.on('inspector', () => {
      throw new Error('listener bug');
    });
    await a.ready;
    const c = await inspectAgent(a);
    expect(c.of('hello')).toHaveLength(1);
  });
});

describe('close', () => {
  it('ends inspectors with 1001 and leaves nothing listening', async () => {
    const a = testAgent();
    await a.ready;
    const url = a.url;
    const c = await inspectAgent(a);
    const left: string[] = [];
    a.on('inspector-left', (i) => left.push(i.reason));
    await a.close();
    expect(await c.closed()).toBe(1001);
    expect(left).toEqual(['agent closing']);
    expect(a.url).toBe('');
    await expect(Client.open(url)).rejects.toThrow(/ECONNREFUSED/);
    await a.close();
  });

  it('listens and dials at once, and stops dialling on close', async () => {
    const hub = await FakeHub.start(0, 'pairing');
    try {
      const a = testAgent({ dial: `ws://127.0.0.1:${hub.port}/?token=pairing` });
      await a.ready;
      const c = await inspectAgent(a);
      await waitFor(() => hub.links.length === 1, 'the agent to dial in');
      const link = hub.links[0]!;
      await link.request({ type: 'subscribe', id: 1 });
      a.mark('both');
      for (const peer of [c, link]) await peer.until(() => peer.events().some((e) => e.type === 'mark'), 'the mark');
      expect(a.inspectors).toBe(2);
      await a.close();
      expect(await link.closed()).toBe(1001);
      expect(await c.closed()).toBe(1001);
      // Longer than the first retry delay (500 ms + 20% jitter): no reconnection.
      await new Promise((r) => setTimeout(r, 1000));
      expect(hub.links).toHaveLength(1);
    } finally {
      await hub.kill();
    }
  });
});
