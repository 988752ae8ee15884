import { spawn } from 'node:child_process';
import { EventEmitter, once } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { connect, createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAgent } from '../../agent/index.js';
import type { Agent } from '../../agent/types.js';
import { FakeAgent } from '../client/fake-agent.test-util.js';
import { runCheck } from './check.js';

let agent: Agent;
let manager: EventEmitter;
let server: Server | undefined;
let dir: string;

beforeEach(async () => {
  agent = createAgent({ port: 0, name: 'check-backend', logger: false });
  await agent.ready;
  manager = new EventEmitter();
  agent.watchEmitter(manager, { name: 'manager' });
  dir = await mkdtemp(join(tmpdir(), 'bridgescope-check-'));
});

afterEach(async () => {
  if (server) await new Promise((resolve) => server!.close(resolve));
  server = undefined;
  await agent.close();
  await rm(dir, { recursive: true, force: true });
});

/** A backend that forgets to unsubscribe a closed connection, and one client session that closes properly. */
async function leakOneListener(): Promise<void> {
  server = createServer((socket) => {
    manager.on('update', () => undefined);
    socket.on('error', () => undefined);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const client = connect({ port: (server.address() as AddressInfo).port, host: '127.0.0.1' });
  await once(client, 'connect');
  client.end();
  await once(client, 'close');
}

async function check(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCheck(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  return { code, stdout, stderr };
}

describe('bridgescope check against a blind agent', () => {
  it("never exits 0 clean when the agent could not tell who owned some work: 'sync' attribution and a handler that awaits", async () => {
    const blind = createAgent({ port: 0, name: 'blind-backend', logger: false, attribution: 'sync' });
    const bus = new EventEmitter();
    blind.watchEmitter(bus, { name: 'bus' });
    const blindServer = createServer((socket) => {
      socket.on('error', () => undefined);
      socket.on('data', async () => {
        await Promise.resolve();
        bus.on('tick', () => undefined);
      });
    });
    try {
      await blind.ready;
      blindServer.listen(0, '127.0.0.1');
      await once(blindServer, 'listening');
      const client = connect({ port: (blindServer.address() as AddressInfo).port, host: '127.0.0.1' });
      await once(client, 'connect');
      client.write('subscribe');
      await new Promise((resolve) => setTimeout(resolve, 100));
      const { code, stdout } = await check(blind.url, '--for', '0s');
      expect(code).toBe(1);
      expect(stdout).toContain('warning unattributed  Leak detection is degraded');
      expect(stdout).toMatch(/after watching 0s — detection degraded: the agent could not tell who owned some work \(1 report\)/);
      client.destroy();
    } finally {
      await new Promise((resolve) => blindServer.close(resolve));
      await blind.close();
    }
  });
});

describe('bridgescope check', () => {
  it('exits 0 and says so when nothing is open', async () => {
    const { code, stdout, stderr } = await check(agent.url, '--for', '50ms');
    expect(stderr).toBe('');
    expect(stdout).toBe('bridgescope check: no open findings in check-backend (pid ' + process.pid + ') after watching 0.05s\n');
    expect(code).toBe(0);
  });

  it('exits 1 with a report of each open finding, and writes JUnit XML', async () => {
    await leakOneListener();
    const junit = join(dir, 'report.xml');
    const { code, stdout } = await check(agent.url, '--for', '0s', '--junit', junit);
    expect(code).toBe(1);
    expect(stdout).toMatch(/^warning orphan-listener {2}"update" listener on manager outlived its connection c\d+\n {8}\S/);
    expect(stdout).toMatch(/\n\nbridgescope check: 1 open finding \(1 warning\) in check-backend \(pid \d+\) after watching 0s\n$/);
    const xml = await readFile(junit, 'utf8');
    expect(xml).toContain('<testsuite name="bridgescope check" tests="10" failures="1" skipped="0" errors="0">');
    expect(xml).toMatch(/<testcase classname="bridgescope check" name="orphan-listener">\s*<failure message="1 open finding: [^"]+" type="warning">/);
    expect(xml).toContain('<testcase classname="bridgescope check" name="stale-handle"/>');
  });

  it('prints agent, findings and counts as JSON, and honours --ignore', async () => {
    await leakOneListener();
    const json = await check(agent.url, '--for', '0s', '--json');
    expect(json.code).toBe(1);
    const report = JSON.parse(json.stdout);
    expect(report).toMatchObject({ ok: false, protocol: 1, agent: { name: 'check-backend', pid: process.pid }, counts: { listeners: { manager: 1 } } });
    expect(report.findings.map((f: { rule: string }) => f.rule)).toEqual(['orphan-listener']);

    const ignored = await check(agent.url, '--for', '0s', '--ignore', 'orphan-listener,half-open', '--json');
    expect(ignored.code).toBe(0);
    expect(JSON.parse(ignored.stdout)).toMatchObject({ ok: true, findings: [], ignored: ['orphan-listener', 'half-open'] });
  });

  it('--cycles-mark reports only findings opened after the last matching mark', async () => {
    await leakOneListener();
    // Let the leak's finding open before the mark (default orphan grace: 1 s).
    await new Promise((resolve) => setTimeout(resolve, 1300));
    agent.mark('cycle:0');
    const after = await check(agent.url, '--for', '0s', '--cycles-mark', 'cycle');
    expect(after.stdout).toContain('no open findings');
    expect(after.code).toBe(0);
    const missing = await check(agent.url, '--for', '0s', '--cycles-mark', 'reload');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe('bridgescope check: no mark starting with "reload" was seen (marks older than the agent\'s ring buffer are not replayed)\n');
  });

  it('exits 2 with one clear line for usage and connection errors', async () => {
    const probe = createServer();
    probe.listen(0, '127.0.0.1');
    await once(probe, 'listening');
    const freePort = (probe.address() as AddressInfo).port;
    await new Promise((resolve) => probe.close(resolve));
    const mismatched = await FakeAgent.start({ protocol: 2 });
    try {
      const cases: Array<[string[], RegExp]> = [
        [[], /^bridgescope check: missing <agent-url>/],
        [[agent.url, '--for', 'soon'], /^bridgescope check: --for: "soon" is not a duration/],
        [[agent.url, '--ignore', 'orphan-listener,leaky-bucket'], /^bridgescope check: unknown rule in --ignore: leaky-bucket\n/],
        [[agent.url, '--frobnicate'], /^bridgescope check: Unknown option '--frobnicate'/],
        [[`ws://127.0.0.1:${freePort}/?token=abc`], /^bridgescope check: cannot reach the agent at ws:\/\/127\.0\.0\.1:\d+\/\?token=\*\*\*: connect ECONNREFUSED 127\.0\.0\.1:\d+\n$/],
        [[agent.url.replace(/token=[^&]+/, 'token=wrong')], /^bridgescope check: the agent at ws:\/\/127\.0\.0\.1:\d+\/\?token=\*\*\* refused the token: use the URL the agent printed, including \?token=…\n$/],
        [[mismatched.url], /^bridgescope check: protocol version mismatch: The agent speaks Bridgescope protocol 2; this inspector speaks protocol 1\. .*\n$/],
        [['ftp://127.0.0.1/'], /^bridgescope check: not an agent URL \(expected ws:\/\/ or wss:\/\/, got ftp:\/\/\): ftp:\/\/127\.0\.0\.1\/\n$/],
      ];
      for (const [argv, message] of cases) {
        const { code, stdout, stderr } = await check(...argv);
        expect({ argv, code, stdout }).toEqual({ argv, code: 2, stdout: '' });
        expect(stderr).toMatch(message);
        expect(stderr).not.toContain(agent.token);
      }
    } finally {
      await mismatched.close();
    }
    expect((await check('--help')).code).toBe(0);
  });

  it('sets the real exit code when run as a command', async () => {
    await leakOneListener();
    const child = spawn('npx', ['tsx', 'inspector/cli/main.ts', 'check', agent.url, '--for', '0s'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    const [code] = await once(child, 'exit');
    expect(stdout).toContain('orphan-listener');
    expect(code).toBe(1);
  }, 60_000);
});
