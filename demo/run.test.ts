/**
 * `npm start`-style smoke tests: the printed URL serves the UI and names a
 * live agent; stopping leaves no process and no socket file behind.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { connectInspector, type Inspector } from '../inspector/testing/index.js';
import { isAlive } from './backend-process.js';
import { runDemoCommand } from './cli.js';
import { runDemo, type RunningDemo } from './run.js';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));
/** Directories runDemo makes (mkdtemp adds six letters/digits). */
const DEMO_DIR = /^bridgescope-demo-[A-Za-z0-9]{6}$/;

let demo: RunningDemo | undefined;
let inspector: Inspector | undefined;
let cli: ChildProcess | undefined;

afterEach(async () => {
  await inspector?.close();
  await demo?.stop();
  if (cli && cli.exitCode === null && cli.signalCode === null) {
    // SIGTERM first so the CLI still cleans up after a failed test; SIGKILL if it hangs.
    const exited = new Promise((resolve) => cli!.once('exit', resolve));
    cli.kill('SIGTERM');
    const timer = setTimeout(() => cli?.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }
  inspector = demo = cli = undefined;
});

function agentUrlOf(url: string): string {
  const agent = new URL(url).searchParams.get('agent');
  if (!agent) throw new Error(`no agent in ${url}`);
  return agent;
}

/** Direct children of `pid` whose command line contains `match`, from /proc (Linux). */
function childrenOf(pid: number, match = ''): number[] {
  const children: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // Fields after the parenthesised command: state, ppid, …
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid && readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(match)) children.push(Number(entry));
    } catch {
      // the process went away while we looked
    }
  }
  return children;
}

async function until(condition: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('the demo as a whole', () => {
  it('runDemo: the URL serves the UI, its agent is live, stop leaves nothing behind', async () => {
    demo = await runDemo({ port: 0, cadence: { reloadEvery: 200, emitEvery: 100 }, log: () => undefined });
    expect(demo.url).toBe(`http://127.0.0.1:${demo.uiPort}/?agent=${encodeURIComponent(demo.agentUrl)}`);

    const page = await fetch(demo.url);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect((await page.text()).toLowerCase()).toContain('<html');

    inspector = await connectInspector(agentUrlOf(demo.url));
    expect(inspector.hello.agent.name).toBe('demo-backend');
    expect(inspector.hello.agent.pid).toBe(demo.backend.child.pid);
    await inspector.waitFor((s) => s.connections.some((c) => c.transport === 'unix'), { timeout: 20_000 });
    await inspector.close();
    inspector = undefined;

    const backendPid = demo.backend.child.pid!;
    const clientPid = demo.backend.clientPids.at(-1)!;
    expect(isAlive(backendPid) && isAlive(clientPid)).toBe(true);
    expect(existsSync(demo.socketPath)).toBe(true);

    await demo.stop();
    expect(isAlive(backendPid)).toBe(false);
    await until(() => !isAlive(clientPid), 'the client simulator to exit');
    expect(existsSync(demo.socketPath)).toBe(false);
    expect(existsSync(demo.tempDir)).toBe(false);
    await expect(fetch(demo.url)).rejects.toThrow();
  });

  it('`bridgescope demo --port 0` prints one URL and exits 0 on SIGTERM with no process or socket left', async () => {
    const before = new Set(readdirSync(tmpdir()).filter((name) => DEMO_DIR.test(name)));
    cli = spawn(process.execPath, ['--import', 'tsx', 'inspector/cli/main.ts', 'demo', '--port', '0'], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    cli.stdout!.on('data', (chunk) => (stdout += chunk));
    cli.stderr!.on('data', (chunk) => (stderr += chunk));
    await until(() => stdout.includes('\n') || cli!.exitCode !== null, 'the URL line', 60_000);
    const lines = stdout.trim().split('\n');
    expect(lines, stderr).toHaveLength(1);
    const url = lines[0];
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?agent=ws%3A%2F%2F127\.0\.0\.1%3A\d+%2F%3Ftoken%3D/);
    expect((await fetch(url)).status).toBe(200);
    inspector = await connectInspector(agentUrlOf(url));
    expect(inspector.hello.agent.name).toBe('demo-backend');
    await inspector.close();
    inspector = undefined;

    const made = readdirSync(tmpdir()).filter((name) => DEMO_DIR.test(name) && !before.has(name));
    expect(made).toHaveLength(1);
    // Everything the CLI started (the backend, its client, and tsx's helpers).
    const backendPids = childrenOf(cli.pid!, 'demo/backend.ts');
    expect(backendPids).toHaveLength(1);
    await until(() => childrenOf(backendPids[0], 'demo/client.ts').length === 1, 'the client simulator');
    const clientPid = childrenOf(backendPids[0], 'demo/client.ts')[0];
    const started = [...childrenOf(cli.pid!), ...childrenOf(backendPids[0]), ...childrenOf(clientPid)];
    expect(started).toContain(clientPid);

    const exited = new Promise<number | null>((resolve) => cli!.once('exit', (code) => resolve(code)));
    cli.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(isAlive(backendPids[0])).toBe(false);
    await until(() => started.every((pid) => !isAlive(pid)), 'every process the demo started to exit');
    expect(existsSync(`${tmpdir()}/${made[0]}`)).toBe(false);
  });

  it('rejects an unknown scenario with exit code 2', async () => {
    const errors: string[] = [];
    const original = console.error;
    console.error = (message: string) => errors.push(message);
    try {
      expect(await runDemoCommand(['--scenario', 'nope'])).toBe(2);
    } finally {
      console.error = original;
    }
    expect(errors.join('\n')).toContain('reload-leak');
  });
});
