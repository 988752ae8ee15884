/**
 * `bridgescope check` against the demo backend, as CI would run it: a real
 * CLI process attached to a real backend process.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { connectInspector } from '../inspector/testing/index.js';
import { startBackendProcess, type BackendProcess } from './backend-process.js';
import type { ScenarioName } from './scenarios.js';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));

let dir: string | undefined;
let backend: BackendProcess | undefined;

afterEach(async () => {
  await backend?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
  backend = dir = undefined;
});

/** Starts a scenario and waits until its five reload sessions happened. */
async function startAfterReloads(scenario: ScenarioName): Promise<string> {
  dir = mkdtempSync(join(tmpdir(), 'bridgescope-demo-check-'));
  backend = await startBackendProcess({
    scenario,
    socketPath: join(dir, 'bridge.sock'),
    cadence: { emitEvery: 100, reloadEvery: 200, reloads: 4 },
  });
  const inspector = await connectInspector(backend.agentUrl);
  try {
    await inspector.waitFor((s) => s.connections.filter((c) => c.transport === 'unix').length === 5, { timeout: 20_000 });
  } finally {
    await inspector.close();
  }
  return backend.agentUrl;
}

function runCheckProcess(url: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'inspector/cli/main.ts', 'check', url, '--for', '3s'], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('bridgescope check against the demo backend', () => {
  it('exits 1 and names the rules for the reload leak', async () => {
    const result = await runCheckProcess(await startAfterReloads('reload-leak'));
    expect(result.code, result.stderr).toBe(1);
    expect(result.stdout).toContain('listener-growth');
    expect(result.stdout).toContain('connection-growth');
  });

  it('exits 0 for the fixed reload', async () => {
    const result = await runCheckProcess(await startAfterReloads('reload-fixed'));
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).not.toContain('listener-growth');
  });
});
