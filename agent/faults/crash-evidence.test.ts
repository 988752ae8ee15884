/**
 * A misuse that kills the host still leaves its evidence: the agent sends the
 * event to attached inspectors before it throws, so the finding that
 * explains the crash is in the inspector and in `check`'s report.
 */
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCheck } from '../../inspector/cli/check.js';
import { connectInspector } from '../../inspector/testing/index.js';

const app = fileURLToPath(new URL('./fixtures/crash-app.ts', import.meta.url));

describe('a crash leaves evidence', () => {
  it('the stale-handle that crashed the host reaches the inspector and check before the process dies', async () => {
    const child = fork(app, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    let stderr = '';
    child.stderr!.on('data', (chunk) => (stderr += chunk));
    const [{ url }] = (await once(child, 'message')) as [{ url: string }];
    const inspector = await connectInspector(url);
    let out = '';
    let err = '';
    const check = runCheck([url, '--for', '1s'], { stdout: (t) => (out += t), stderr: (t) => (err += t) });
    // Let check attach before the crash.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const exited = once(child, 'exit');
    child.send('crash');
    const [code] = await exited;
    expect(code).not.toBe(0);
    expect(stderr).toContain('HANDLE_DROPPED');
    try {
      expect(inspector.findings().map((f) => f.rule)).toEqual(['stale-handle']);
      expect(await check).toBe(1);
      expect(out).toContain('stale-handle');
      expect(err).toContain('the agent went away while watching');
    } finally {
      await inspector.close();
    }
  });
});
