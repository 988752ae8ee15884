/**
 * `bridgescope check <agent-url>`: attach, watch for a while, settle, report
 * open findings. Exit 0 when none are open, 1 when some are, 2 on usage or
 * connection errors.
 */
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import type { Model } from '../../shared/analysis/types.js';
import { isRuleId, RULE_IDS, type Finding, type RuleId } from '../../shared/protocol.js';
import { redactToken } from '../client/agent-url.js';
import { connectInspector, type Inspector } from '../testing/inspector.js';
import { formatFindings, summarize, toJUnit } from '../testing/report.js';

const USAGE = `Usage: bridgescope check <agent-url> [options]

Attach to a running agent, watch it, then report the findings still open.

Options:
  --for DURATION         how long to watch before settling (500ms, 10s, 1m; default 5s)
  --cycles-mark NAME     only findings opened after the last mark whose label starts with NAME
  --json                 print a JSON object (agent, findings, counts) instead of the report
  --junit FILE           also write JUnit XML (one testcase per rule) to FILE
  --ignore RULE,...      rules not to report (${RULE_IDS.join(', ')})
  -h, --help             show this help

Exit status: 0 no open finding, 1 open findings, 2 usage or connection error.`;

/** Where output goes; tests pass their own to capture it. */
export interface CheckIO {
  stdout(text: string): void;
  stderr(text: string): void;
}

const processIO: CheckIO = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
};

class UsageError extends Error {}

/** How long check waits after the watch for grace periods to run out, so it returns within its duration plus 2 s. */
const SETTLE_BUDGET = 1200;

interface CheckArgs {
  url: string;
  forMs: number;
  cyclesMark: string | undefined;
  json: boolean;
  junit: string | undefined;
  ignore: RuleId[];
}

export async function runCheck(argv: string[], io: CheckIO = processIO): Promise<number> {
  let args: CheckArgs | 'help';
  try {
    args = parseCheckArgs(argv);
  } catch (error) {
    io.stderr(`bridgescope check: ${(error as Error).message}\n\n${USAGE}\n`);
    return 2;
  }
  if (args === 'help') {
    io.stdout(`${USAGE}\n`);
    return 0;
  }

  let inspector: Inspector;
  try {
    inspector = await connectInspector(args.url);
  } catch (error) {
    io.stderr(`bridgescope check: ${connectionMessage(error, args.url)}\n`);
    return 2;
  }
  try {
    await sleep(args.forMs);
    try {
      await inspector.settle({ timeout: SETTLE_BUDGET });
    } catch (error) {
      if ((error as { code?: string }).code !== 'TIMEOUT') throw error;
      // Grace periods that started in the last seconds of the watch are still running: what they
      // wait for is not a finding yet. Say so only when the findings themselves were still moving.
      if (changedLately(inspector.state())) io.stderr('bridgescope check: findings were still changing when the watch ended; reporting them as they are now\n');
    }
    if (inspector.linkState.status !== 'live') {
      io.stderr('bridgescope check: the agent went away while watching; reporting what it had sent before\n');
    }
    let findings = inspector.findings().filter((f) => !args.ignore.includes(f.rule));
    if (args.cyclesMark !== undefined) {
      const prefix = args.cyclesMark;
      const mark = inspector
        .state()
        .marks.filter((m) => m.label.startsWith(prefix))
        .pop();
      if (!mark) {
        io.stderr(`bridgescope check: no mark starting with "${prefix}" was seen (marks older than the agent's ring buffer are not replayed)\n`);
        return 2;
      }
      findings = findings.filter((f) => f.openedSeq > mark.seq);
    }
    const { agent } = inspector.hello;
    if (args.junit !== undefined) await writeFile(args.junit, toJUnit(findings, { ignored: args.ignore }));
    if (args.json) io.stdout(`${JSON.stringify(jsonReport(inspector, findings, args), null, 2)}\n`);
    else io.stdout(humanReport(findings, `${agent.name} (pid ${agent.pid})`, args.forMs, inspector.state().attribution));
    return findings.length > 0 ? 1 : 0;
  } catch (error) {
    io.stderr(`bridgescope check: ${(error as Error).message}\n`);
    return 2;
  } finally {
    await inspector.close();
  }
}

function parseCheckArgs(argv: string[]): CheckArgs | 'help' {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        for: { type: 'string' },
        'cycles-mark': { type: 'string' },
        json: { type: 'boolean' },
        junit: { type: 'string' },
        ignore: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) return 'help';
  if (positionals.length === 0) throw new UsageError('missing <agent-url> (e.g. ws://127.0.0.1:9230/?token=…)');
  if (positionals.length > 1) throw new UsageError(`expected one agent URL, got ${positionals.length}`);
  const ignore = (values.ignore ?? '')
    .split(',')
    .map((rule) => rule.trim())
    .filter((rule) => rule.length > 0);
  const unknown = ignore.filter((rule) => !isRuleId(rule));
  if (unknown.length > 0) throw new UsageError(`unknown rule${unknown.length > 1 ? 's' : ''} in --ignore: ${unknown.join(', ')}`);
  if (values['cycles-mark'] === '') throw new UsageError('--cycles-mark needs a non-empty NAME');
  return {
    url: positionals[0]!,
    forMs: values.for === undefined ? 5000 : parseDuration(values.for),
    cyclesMark: values['cycles-mark'],
    json: values.json ?? false,
    junit: values.junit,
    ignore: ignore as RuleId[],
  };
}

/** `500ms`, `10s`, `1.5m`; a bare number is seconds. */
export function parseDuration(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text.trim());
  if (!match) throw new UsageError(`--for: "${text}" is not a duration (use e.g. 500ms, 10s, 1m)`);
  const scale = { ms: 1, s: 1000, m: 60_000 }[match[2] ?? 's']!;
  return Math.round(Number(match[1]) * scale);
}

function connectionMessage(error: unknown, url: string): string {
  const code = (error as { code?: string }).code;
  const message = error instanceof Error ? error.message : String(error);
  switch (code) {
    case 'BAD_URL':
      return message;
    case 'UNAUTHORIZED':
      return `the agent at ${redactToken(url)} refused the token: use the URL the agent printed, including ?token=…`;
    case 'VERSION_MISMATCH':
      return `protocol version mismatch: ${message}`;
    default:
      return message;
  }
}

function humanReport(findings: Finding[], agent: string, forMs: number, attribution: Model['attribution']): string {
  const degraded =
    attribution.lost > 0
      ? ` — detection degraded: the agent could not tell who owned some work (${attribution.lost} report${attribution.lost === 1 ? '' : 's'}), so leaks there go unreported`
      : '';
  const summary = `bridgescope check: ${summarize(findings)} in ${agent} after watching ${forMs / 1000}s${degraded}`;
  return findings.length === 0 ? `${summary}\n` : `${formatFindings(findings)}\n\n${summary}\n`;
}

/** A finding opened or resolved in the last half second of agent time. */
function changedLately(model: Model): boolean {
  const since = model.now - 500;
  return model.findings.some((f) => f.openedT > since || (f.resolvedT !== undefined && f.resolvedT > since));
}

function jsonReport(inspector: Inspector, findings: Finding[], args: CheckArgs) {
  const { hello } = inspector;
  return {
    ok: findings.length === 0,
    agent: hello.agent,
    protocol: hello.protocol,
    watchedMs: args.forMs,
    ignored: args.ignore,
    ...(args.cyclesMark !== undefined ? { cyclesMark: args.cyclesMark } : {}),
    findings,
    counts: inspector.counts(),
    degraded: inspector.state().attribution.lost > 0,
    attribution: inspector.state().attribution,
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
