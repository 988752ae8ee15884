/** Readable and machine-readable reports of findings, shared by expectNoLeaks and `bridgescope check`. */
import { RULE_IDS, type Finding, type RuleId, type Severity } from '../../shared/protocol.js';

export { isRuleId, RULE_IDS } from '../../shared/protocol.js';

/** One block per finding: rule, severity, title, then the explanation and subjects. */
export function formatFinding(finding: Finding): string {
  const lines = [`${finding.severity.padEnd(7)} ${finding.rule}  ${finding.title}`, indent(finding.message)];
  if (finding.subjects.length > 0) lines.push(indent(`subjects: ${finding.subjects.join(', ')}`));
  return lines.join('\n');
}

export function formatFindings(findings: readonly Finding[]): string {
  return findings.map(formatFinding).join('\n\n');
}

/** `3 open findings (2 errors, 1 warning)` or `no open findings`. */
export function summarize(findings: readonly Finding[]): string {
  if (findings.length === 0) return 'no open findings';
  const bySeverity = new Map<Severity, number>();
  for (const f of findings) bySeverity.set(f.severity, (bySeverity.get(f.severity) ?? 0) + 1);
  const parts = (['error', 'warning', 'info'] as const)
    .filter((s) => bySeverity.has(s))
    .map((s) => plural(bySeverity.get(s)!, s));
  return `${plural(findings.length, 'open finding')} (${parts.join(', ')})`;
}

/** The message of expectNoLeaks' Error. */
export function leakReport(findings: readonly Finding[]): string {
  return `Bridgescope: ${summarize(findings)}\n\n${formatFindings(findings)}`;
}

/**
 * JUnit XML: one testcase per rule; a rule with open findings fails with
 * them as the failure text; ignored rules are skipped.
 */
export function toJUnit(findings: readonly Finding[], options: { suite?: string; ignored?: readonly RuleId[] } = {}): string {
  const suite = options.suite ?? 'bridgescope check';
  const ignored = new Set(options.ignored ?? []);
  let failures = 0;
  let skipped = 0;
  const cases = RULE_IDS.map((rule) => {
    const head = `    <testcase classname="${xml(suite)}" name="${rule}"`;
    if (ignored.has(rule)) {
      skipped += 1;
      return `${head}>\n      <skipped message="ignored"/>\n    </testcase>`;
    }
    const open = findings.filter((f) => f.rule === rule);
    if (open.length === 0) return `${head}/>`;
    failures += 1;
    const severity = open.some((f) => f.severity === 'error') ? 'error' : open.some((f) => f.severity === 'warning') ? 'warning' : 'info';
    return `${head}>\n      <failure message="${xml(`${plural(open.length, 'open finding')}: ${open[0]!.title}`)}" type="${severity}">${xml(formatFindings(open))}</failure>\n    </testcase>`;
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${xml(suite)}" tests="${RULE_IDS.length}" failures="${failures}" skipped="${skipped}">`,
    `  <testsuite name="${xml(suite)}" tests="${RULE_IDS.length}" failures="${failures}" skipped="${skipped}" errors="0">`,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => `        ${line}`)
    .join('\n');
}

function xml(text: string): string {
  return text
    // Characters XML 1.0 cannot carry at all (control characters are the point here).
    // oxlint-disable-next-line no-control-regex
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}
