/**
 * Instructions per request of the host bench's server variants, under
 * callgrind (valgrind): not a wall-clock figure, so a loaded machine does
 * not move it, though the JIT's and GC's timing still do by several percent
 * per run: repeat variants and compare ranges. Not part of `npm run bench`;
 * a tool for comparing code variants, run compiled as the package ships:
 *   npx tsc -p bench/tsconfig.json && node bench/.build/bench/cg-host.js none agent none agent [requests]
 * Prints the folder holding the callgrind files (for callgrind_annotate).
 */
import { execFileSync, fork } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startChild, workload } from './workload/child.js';
import { EventCounter } from './workload/event-counter.js';

const args = process.argv.slice(2);
const requests = Number(args.find((a) => /^\d+$/.test(a)) ?? 20_000);
const variants = args.filter((a) => !/^\d+$/.test(a));
const dir = mkdtempSync(join(tmpdir(), 'bridgescope-cg-'));
const loadgen = startChild('host-clients');
await loadgen.next('ready');

for (const [i, variant] of variants.entries()) {
  const out = join(dir, `${variant}-${i}.out`);
  const socketPath = join(dir, `${variant}-${i}.sock`);
  const serverModule = workload('host-server');
  const server = fork(serverModule.file, [variant, socketPath], {
    execPath: 'valgrind',
    execArgv: ['--tool=callgrind', '--instr-atstart=no', `--callgrind-out-file=${out}`, process.execPath, ...serverModule.execArgv],
    stdio: ['ignore', 'inherit', 'ignore', 'ipc'],
  });
  const ready = await new Promise<{ agentUrl: string }>((resolve) => server.on('message', (m: { type: string; agentUrl: string }) => m.type === 'ready' && resolve(m)));
  const counter = variant === 'attached' ? new EventCounter(ready.agentUrl) : undefined;
  await counter?.opened;
  loadgen.send({ type: 'open', group: `${variant}-${i}`, socketPath, clients: 8 });
  await loadgen.next('opened', 600_000);
  loadgen.send({ type: 'run', group: `${variant}-${i}`, requests: Number(process.env.CG_WARMUP ?? 40_000), measure: false });
  await loadgen.next('result', 600_000);
  execFileSync('callgrind_control', ['-i', 'on', String(server.pid)], { stdio: 'ignore' });
  loadgen.send({ type: 'run', group: `${variant}-${i}`, requests, measure: false });
  await loadgen.next('result', 600_000);
  execFileSync('callgrind_control', ['-i', 'off', String(server.pid)], { stdio: 'ignore' });
  counter?.close();
  server.send({ type: 'exit' });
  await new Promise((resolve) => server.on('exit', resolve));
  const text = readFileSync(out, 'utf8');
  const total = Number(/^totals:\s+(\d+)/m.exec(text)?.[1]);
  console.log(`${variant.padEnd(10)} ${(total / requests).toFixed(0).padStart(8)} instructions/request`);
}
await loadgen.stop();
console.log(`callgrind files: ${dir}`);
