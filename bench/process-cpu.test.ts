import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { browserSettled, cpuSnapshot, cpuSpent, type CpuSnapshot } from './workload/process-cpu.js';

describe('CPU per process during a recording open', () => {
  it("splits the busiest renderer into its main thread, V8's thread pool and the rest, and sums the other processes by kind", () => {
    const snapshot = (page: number, main: number, pool: number, browser: number, idle: number): CpuSnapshot => ({
      processes: new Map([
        [10, { kind: 'browser', ms: browser }],
        [20, { kind: 'renderer', ms: page }],
        [30, { kind: 'renderer', ms: idle }],
      ]),
      threads: new Map([[20, new Map([[20, { name: 'chromium', ms: main }], [21, { name: 'ThreadPoolForeg', ms: pool }]])]]),
    });
    // The page's reader worker ended before the second snapshot: it counts only in its process's total.
    const spent = cpuSpent(snapshot(100, 60, 20, 50, 40), snapshot(3_100, 1_560, 820, 350, 540));
    expect(spent).toBe('page main 1,500 · page thread pool (V8 GC, script parsing) 800 · page other threads (the reader worker) 700 · other processes 800 (renderer 500, browser 300)');
  });

  it.runIf(existsSync('/proc/self/stat'))('counts the CPU a child process spends', async () => {
    const before = cpuSnapshot()!;
    const child = spawn(process.execPath, ['-e', 'const end = Date.now() + 300; while (Date.now() < end);']);
    const pid = child.pid!;
    // Sampled while the child still runs: a process that exited is no longer listed.
    await new Promise((resolve) => setTimeout(resolve, 250));
    const during = cpuSnapshot()!;
    await new Promise((resolve) => child.on('exit', resolve));
    expect(before.processes.has(pid)).toBe(false);
    expect(during.processes.get(pid)?.ms).toBeGreaterThan(50);
  });

  it.runIf(existsSync('/proc/self/stat'))('waits for busy children to go idle before a page is measured', async () => {
    const child = spawn(process.execPath, ['-e', 'const end = Date.now() + 800; while (Date.now() < end); setTimeout(() => {}, 3000);']);
    await new Promise((resolve) => child.on('spawn', resolve));
    try {
      // Busy for 800 ms, then idle: the wait ends after the busy part, well before the child exits.
      const waited = await browserSettled();
      expect(waited).toBeGreaterThanOrEqual(600);
      expect(waited).toBeLessThan(2_500);
    } finally {
      child.kill();
    }
  });
});
