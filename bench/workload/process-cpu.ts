/**
 * CPU time the bench process (the inspector server, the browser's driver) and its
 * children (the Chromium it launched: browser, renderers, GPU and
 * utility processes) spent, read from /proc:
 * where an open's CPU went on a machine with few cores, where the page's
 * main thread, its reader worker, V8's background threads and the browser's
 * other processes all compete. Linux only; elsewhere there is no figure.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';

/** CPU ms so far of each process below this one, and of each thread of its renderers. */
export interface CpuSnapshot {
  processes: Map<number, { kind: string; ms: number }>;
  threads: Map<number, Map<number, { name: string; ms: number }>>;
}

/** /proc counts CPU time in clock ticks, 100 per second on Linux (USER_HZ). */
const TICK_MS = 10;

export function cpuSnapshot(root = process.pid): CpuSnapshot | undefined {
  if (!existsSync('/proc/self/stat')) return undefined;
  const stats = new Map<number, { ppid: number; ms: number }>();
  for (const entry of readdirSync('/proc')) {
    const stat = /^\d+$/.test(entry) ? readStat(`/proc/${entry}/stat`) : undefined;
    if (stat) stats.set(Number(entry), stat);
  }
  const snapshot: CpuSnapshot = { processes: new Map(), threads: new Map() };
  for (const [pid, stat] of stats) {
    if (pid !== root && !descends(pid, root, stats)) continue;
    const kind = pid === root ? 'bench (server, driver)' : processKind(pid);
    snapshot.processes.set(pid, { kind, ms: stat.ms });
    if (kind === 'renderer') snapshot.threads.set(pid, threadTimes(pid));
  }
  return snapshot;
}

/**
 * `page main 1,250 · page thread pool (V8 GC, script parsing) 760 · page other threads (the reader worker) 700 · other processes 1,100 (renderer 540, browser 280, bench (server, driver) 200, …)`:
 * CPU ms spent between two snapshots. The page is the renderer that spent the most.
 */
export function cpuSpent(before: CpuSnapshot, after: CpuSnapshot): string {
  const spent = [...after.processes].map(([pid, p]) => ({ pid, kind: p.kind, ms: p.ms - (before.processes.get(pid)?.ms ?? 0) }));
  const renderers = spent.filter((p) => p.kind === 'renderer').sort((a, b) => b.ms - a.ms);
  const page = renderers[0];
  if (!page) return 'no renderer found';
  const threadsBefore = before.threads.get(page.pid) ?? new Map<number, { ms: number }>();
  let main = 0;
  let pool = 0;
  for (const [tid, t] of after.threads.get(page.pid) ?? []) {
    const ms = t.ms - (threadsBefore.get(tid)?.ms ?? 0);
    if (tid === page.pid) main += ms;
    else if (t.name.startsWith('ThreadPoolForeg')) pool += ms;
  }
  // A thread that ended (the reader worker is terminated once the file is read) still counts in its process's total.
  const others = spent.filter((p) => p !== page && p.ms > 0);
  const byKind = new Map<string, number>();
  for (const p of others) byKind.set(p.kind, (byKind.get(p.kind) ?? 0) + p.ms);
  const total = others.reduce((sum, p) => sum + p.ms, 0);
  const f = (ms: number) => Math.round(ms).toLocaleString('en-US');
  return (
    `page main ${f(main)} · page thread pool (V8 GC, script parsing) ${f(pool)} · page other threads (the reader worker) ${f(page.ms - main - pool)} · ` +
    `other processes ${f(total)} (${[...byKind].sort((a, b) => b[1] - a[1]).map(([kind, ms]) => `${kind} ${f(ms)}`).join(', ')})`
  );
}

/** A process's or thread's name, parent and CPU ms (user + system) from its `stat` file. */
function readStat(path: string): { name: string; ppid: number; ms: number } | undefined {
  try {
    const text = readFileSync(path, 'utf8');
    // The name is in parentheses and may contain spaces and parentheses itself.
    const close = text.lastIndexOf(')');
    const fields = text.slice(close + 2).split(' ');
    return { name: text.slice(text.indexOf('(') + 1, close), ppid: Number(fields[1]), ms: (Number(fields[11]) + Number(fields[12])) * TICK_MS };
  } catch {
    return undefined;
  }
}

function descends(pid: number, root: number, stats: Map<number, { ppid: number }>): boolean {
  for (let p = stats.get(pid)?.ppid; p !== undefined && p > 1; p = stats.get(p)?.ppid) if (p === root) return true;
  return false;
}

/** `renderer`, `gpu-process`, `utility network`, `zygote`; `browser` for the one without a `--type`. */
function processKind(pid: number): string {
  try {
    // Chromium rewrites its children's command lines into one space-separated string.
    const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split(/[\0 ]/);
    const type = args.find((a) => a.startsWith('--type='))?.slice('--type='.length);
    const sub = args.find((a) => a.startsWith('--utility-sub-type='))?.slice('--utility-sub-type='.length).split('.')[0];
    return type ? (sub ? `${type} ${sub}` : type) : 'browser';
  } catch {
    return 'gone';
  }
}

function threadTimes(pid: number): Map<number, { name: string; ms: number }> {
  const threads = new Map<number, { name: string; ms: number }>();
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      const stat = readStat(`/proc/${pid}/task/${tid}/stat`);
      if (stat) threads.set(Number(tid), { name: stat.name, ms: stat.ms });
    }
  } catch {
    // The process ended meanwhile.
  }
  return threads;
}

/**
 * Waits until this process's children (the browser) have spent at most
 * `idleMs` of CPU over `windowMs`, at most `maxMs` in all: a new browser
 * context starts processes of its own (in new headless Chromium, a WebUI
 * renderer that spends about half a second of CPU), which would otherwise
 * compete with the page measured next. Returns how long it waited; without
 * /proc it waits `windowMs` once.
 */
export async function browserSettled({ windowMs = 250, idleMs = 25, maxMs = 5_000 } = {}): Promise<number> {
  const started = performance.now();
  for (let before = cpuSnapshot(); ; ) {
    await new Promise((resolve) => setTimeout(resolve, windowMs));
    const after = cpuSnapshot();
    if (!before || !after) return performance.now() - started;
    let spent = 0;
    for (const [pid, p] of after.processes) if (pid !== process.pid) spent += p.ms - (before.processes.get(pid)?.ms ?? 0);
    if (spent <= idleMs || performance.now() - started >= maxMs) return performance.now() - started;
    before = after;
  }
}
