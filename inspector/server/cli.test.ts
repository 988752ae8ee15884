import { spawn } from 'node:child_process';
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ADB_MISSING } from './adb.js';
import { repoRoot, tempDir, waitFor } from './attach.test-util.js';
import { parseServeArgs, runServe } from './cli.js';
import { rawRequest } from '../../shared/node/raw-http.test-util.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  vi.restoreAllMocks();
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** `bridgescope serve ARGS` in its own process, as a user runs it. */
function serve(args: string[], env: Record<string, string> = {}) {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', '--input-type=module', '-e', `import { runServe } from './inspector/server/cli.ts'; process.exitCode = await runServe(${JSON.stringify(args)});`],
    { cwd: repoRoot, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const out = { stdout: '', stderr: '' };
  child.stdout.on('data', (d) => (out.stdout += d));
  child.stderr.on('data', (d) => (out.stderr += d));
  // The exit code, or the signal that ended it.
  const exited = new Promise<number | NodeJS.Signals | null>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal)));
  cleanups.push(async () => {
    if (child.exitCode === null) child.kill('SIGKILL');
    await exited;
  });
  return { child, out, exited };
}

describe('bridgescope serve: arguments', () => {
  it('parses every option, repeatable --agent, and --open with or without a file', () => {
    const parsed = parseServeArgs(['--host', '0.0.0.0', '--port=0', '--agent', 'ws://a/?token=1', '--agent', 'ws://b/?token=2', '--record', 'rec', '--record-max-bytes', '10MB', '--adb', '--open']);
    expect(parsed.openBrowser).toBe(true);
    expect(parsed.options).toEqual({
      host: '0.0.0.0',
      port: 0,
      agents: ['ws://a/?token=1', 'ws://b/?token=2'],
      recordDir: 'rec',
      recordMaxBytes: 10_000_000,
      adb: true,
    });
    expect(parseServeArgs(['--open', 'run.ndjson', '--token', 'T']).options).toEqual({ open: 'run.ndjson', token: 'T' });
    expect(parseServeArgs(['--max-connections', '100', '--max-unauthenticated=8']).options).toEqual({ maxConnections: 100, maxUnauthenticated: 8 });
    expect(parseServeArgs(['--history-bytes', '8MB', '--max-history-bytes', '1GB', '--forget-after', '60']).options).toEqual({
      historyBytes: 8_000_000,
      maxHistoryBytes: 1_000_000_000,
      forgetAfter: 60_000,
    });
    expect(() => parseServeArgs(['--max-connections', '0'])).toThrow('--max-connections must be a whole number ≥ 1, got "0"');
  });

  it('exits 2 with the usage on a bad option', async () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    expect(await runServe(['--port', 'lots'])).toBe(2);
    expect(await runServe(['--frobnicate'])).toBe(2);
    expect(error.mock.calls.map((c) => String(c[0]))).toEqual([
      expect.stringContaining('--port must be 0–65535, got "lots"'),
      expect.stringContaining('unknown option "--frobnicate"'),
    ]);
  });

  it('exits 2 with a clear message when the port is taken', async () => {
    const busy: Server = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise((resolve) => busy.close(resolve)));
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    const port = (busy.address() as { port: number }).port;
    expect(await runServe(['--port', String(port)])).toBe(2);
    expect(String(error.mock.calls[0]?.[0])).toBe(
      `bridgescope serve: port ${port} is already in use (EADDRINUSE). Stop the other server or pick another with --port N (0 = any free port).`,
    );
  });
});

describe('bridgescope serve: running', () => {
  it('prints the UI URL, the dial URL and the simulator dial lines, and closes cleanly on Ctrl-C', async () => {
    const run = serve(['--port', '0', '--token', 'tok', '--pairing-token', 'pair']);
    await waitFor(() => run.out.stdout.includes('iOS simulator'), 'the startup banner', 20_000);
    const port = /127\.0\.0\.1:(\d+)/.exec(run.out.stdout)![1];
    expect(run.out.stdout.split('\n').slice(0, 3)).toEqual([
      `Bridgescope inspector: http://127.0.0.1:${port}/?token=tok`,
      `Agents dial:           ws://127.0.0.1:${port}/agent?token=pair`,
      `  createAgent({ dial }) — Android emulator: dial: 'ws://10.0.2.2:${port}/agent?token=pair' · iOS simulator: dial: 'ws://127.0.0.1:${port}/agent?token=pair'`,
    ]);
    run.child.kill('SIGINT');
    expect(await run.exited, `stderr: ${run.out.stderr}`).toBe(0);
    expect(run.out.stdout).toContain('Ctrl-C: closing');
  });

  it('answers a malformed request target (`//`) with 400 and keeps serving', async () => {
    const run = serve(['--port', '0', '--token', 'tok']);
    await waitFor(() => run.out.stdout.includes('iOS simulator'), 'the startup banner', 20_000);
    const port = Number(/127\.0\.0\.1:(\d+)/.exec(run.out.stdout)![1]);
    for (const path of ['//', '//evil.example/status', 'http://127.0.0.1/status']) {
      for (const upgrade of [false, true]) {
        const response = await rawRequest(port, { path, upgrade });
        expect(response.status, `${path} (upgrade: ${upgrade})`).toBe(400);
      }
    }
    expect((await fetch(`http://127.0.0.1:${port}/status?token=tok`)).status).toBe(200);
    expect(run.child.exitCode).toBeNull();
    expect(run.out.stderr).toBe('');
  });

  it('--adb runs adb reverse for the connected devices', async () => {
    const bin = await tempDir();
    cleanups.push(() => bin.remove());
    const log = join(bin.path, 'adb.log');
    await writeFile(join(bin.path, 'adb'), `#!/bin/sh\necho "$@" >> '${log}'\nif [ "$1" = devices ]; then printf 'List of devices attached\\nemulator-5554\\tdevice\\n'; fi\n`);
    await chmod(join(bin.path, 'adb'), 0o755);
    const run = serve(['--port', '0', '--adb'], { PATH: `${bin.path}:${process.env.PATH}` });
    await waitFor(() => run.out.stdout.includes('iOS simulator'), 'the startup banner', 20_000);
    const port = /127\.0\.0\.1:(\d+)/.exec(run.out.stdout)![1];
    const commands = (await readFile(log, 'utf8')).trim().split('\n');
    expect(commands.slice(0, 2)).toEqual(['devices', `-s emulator-5554 reverse tcp:${port} tcp:${port}`]);
    expect(run.out.stdout).toContain(`emulator-5554 now reaches the hub at 127.0.0.1:${port}`);
  });

  it('--adb without adb on the PATH explains, and keeps serving', async () => {
    const empty = await tempDir();
    cleanups.push(() => empty.remove());
    const run = serve(['--port', '0', '--adb'], { PATH: empty.path });
    await waitFor(() => run.out.stdout.includes('iOS simulator'), 'the startup banner', 20_000);
    expect(run.out.stderr).toContain(ADB_MISSING);
    const port = /127\.0\.0\.1:(\d+)/.exec(run.out.stdout)![1];
    const token = /token=([^&\s]+)/.exec(run.out.stdout)![1];
    expect((await fetch(`http://127.0.0.1:${port}/status?token=${token}`)).status).toBe(200);
  });
});
