/**
 * `npm run bench [-- [--repeat N] name...]`: runs the benchmarks, prints each
 * figure with its budget and PASS/FAIL, writes bench/results.md and
 * bench/results.json. With `--repeat N` each benchmark runs N times in a row
 * and each figure is the median of its runs (repeat.ts).
 * Exits 1 when a budget is missed, so CI jobs that choose to run it notice.
 */
import { writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../shared/node/package-root.js';
import { medianOfRuns, parseRunArgs } from './repeat.js';
import { type Bench, type CheckedResult, check } from './result.js';

const benches: Record<string, () => Promise<{ default: Bench }>> = {
  probes: () => import('./probes.js'),
  host: () => import('./host.js'),
  pipeline: () => import('./pipeline.js'),
  memory: () => import('./memory.js'),
  ui: () => import('./ui.js'),
  hub: () => import('./hub.js'),
};

function formatValue(r: CheckedResult): string {
  const v = Math.abs(r.value) >= 100 ? Math.round(r.value).toLocaleString('en-US') : r.value.toPrecision(4);
  return `${v} ${r.unit}`;
}

function formatBudget(r: CheckedResult): string {
  return r.budget ? `${r.budget.op} ${r.budget.value.toLocaleString('en-US')}` : '';
}

function table(results: CheckedResult[]): string[][] {
  return results.map((r) => [r.name, formatValue(r), formatBudget(r), r.pass === null ? '' : r.pass ? 'PASS' : 'FAIL']);
}

function machine(): string {
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  return `${cpus().length} × ${cpu}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${process.platform}/${process.arch}`;
}

async function main(args: string[]): Promise<number> {
  const parsed = parseRunArgs(args);
  if ('error' in parsed) {
    console.error(parsed.error);
    return 2;
  }
  const { names, repeat } = parsed;
  const unknown = names.filter((n) => !(n in benches));
  if (unknown.length) {
    console.error(`unknown benchmark(s): ${unknown.join(', ')}; known: ${Object.keys(benches).join(', ')}`);
    return 2;
  }
  const selected = names.length ? names : Object.keys(benches);
  const results: CheckedResult[] = [];
  for (const name of selected) {
    const started = performance.now();
    console.log(`\n▶ ${name}`);
    const { default: bench } = await benches[name]!();
    const runs = [];
    for (let run = 0; run < repeat; run++) runs.push(await bench());
    const figures = medianOfRuns(runs).map(check);
    for (const row of table(figures)) console.log(`  ${row[0]!.padEnd(44)} ${row[1]!.padStart(18)}  ${row[2]!.padEnd(14)} ${row[3]}`);
    console.log(`  (${((performance.now() - started) / 1000).toFixed(1)} s)`);
    results.push(...figures);
  }

  const failed = results.filter((r) => r.pass === false);
  const md = [
    '# Benchmark results',
    '',
    `Machine: ${machine()}  `,
    `Run: ${new Date().toISOString()} — \`npm run bench${args.length ? ` -- ${args.join(' ')}` : ''}\``,
    '',
    '| figure | value | budget | |',
    '|---|---:|---|---|',
    ...table(results).map((row) => `| \`${row[0]}\` | ${row[1]} | ${row[2]} | ${row[3]} |`),
    ...results.filter((r) => r.note).map((r) => `\n- \`${r.name}\`: ${r.note}`),
    '',
  ].join('\n');
  // Next to the sources, also when this runs compiled from bench/.build.
  const dir = join(packageRoot() ?? process.cwd(), 'bench/');
  writeFileSync(`${dir}results.md`, md);
  writeFileSync(`${dir}results.json`, `${JSON.stringify(results.map(({ name, value, unit, budget, pass }) => ({ name, value, unit, budget: budget ?? null, pass })), null, 2)}\n`);
  console.log(`\n${results.length} figures, ${results.filter((r) => r.pass).length} budgets met, ${failed.length} missed → bench/results.md`);
  return failed.length ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error);
    process.exitCode = 2;
  },
);
