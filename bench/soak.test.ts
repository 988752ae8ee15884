/**
 * The 60-second version of `npm run soak`: runs bench/soak.ts for one minute
 * in a child process and requires its verdict (heap within the bound, every
 * inspector's received + gap counts equal to what was published, the backend
 * exiting by itself after agent.close()).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, expect, it } from 'vitest';

const soak = fileURLToPath(new URL('./soak.ts', import.meta.url));
let child: ChildProcess | undefined;

afterEach(() => {
  if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

it('a one-minute soak keeps the backend heap bounded and loses no event uncounted', async () => {
  child = spawn(process.execPath, ['--import', 'tsx', soak, '--minutes', '1'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const code = await new Promise<number | null>((resolve) => child!.once('exit', (c) => resolve(c)));
  expect(output).toMatch(/events processed: +\d+/);
  expect(output).toMatch(/backend heap: +baseline/);
  expect(output, output).toContain('soak: PASS');
  expect(code).toBe(0);
}, 120_000);
