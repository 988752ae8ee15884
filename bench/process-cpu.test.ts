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
    // Busy until it has spent 200 ms of CPU by its own count (however loaded the machine), then idle until killed.
    const child = spawn(process.execPath, ['-e', 'while (process.cpuUsage().user < 200_000); console.log("spent"); setTimeout(() => {}, 10_000);']);
    try {
      await new Promise((resolve) => child.stdout.once('data', resolve));
      const after = cpuSnapshot()!;
      expect(before.processes.has(child.pid!)).toBe(false);
      // /proc counts whole 10 ms ticks.
      expect(after.processes.get(child.pid!)?.ms).toBeGreaterThanOrEqual(150);
    } finally {
      child.kill();
    }
  });

  it.runIf(existsSync('/proc/self/stat'))('waits for busy children to go idle before a page is measured', async () => {
    const child = spawn(process.execPath, ['-e', 'while (process.cpuUsage().user < 600_000); console.log("spent"); setTimeout(() => {}, 30_000);']);
    let spent = false;
    child.stdout.once('data', () => (spent = true));
    await new Promise((resolve) => child.on('spawn', resolve));
    try {
      const waited = await browserSettled({ maxMs: 20_000 });
      // It returned once the child's busy part was over, well before the child exits.
      expect(spent).toBe(true);
      expect(waited).toBeGreaterThanOrEqual(600);
    } finally {
      child.kill();
    }
  });
});
