import type { Finding, RuleId } from '../protocol.js';
import type { FindingChanges } from './types.js';
import type { FindingFilter } from './types.js';

/** A finding about to open: `subject` (what it is about) makes its id `${rule}:${subject}`. */
export type FindingSpec = Omit<Finding, 'id' | 'resolvedSeq' | 'resolvedT'> & { subject: string };

/**
 * What an open finding may change while its condition grows. The registry
 * keeps `subjects` and `evidence` as given (as `open` keeps subjects): a rule
 * never changes a list it passed, so a growth finding that moves with every
 * event costs no copy, and a list passed again is known to be the same.
 */
export type FindingUpdate = Pick<Finding, 'title' | 'message' | 'subjects' | 'evidence' | 'stack'>;

/** Most seqs kept as evidence of one finding (the first ones: they show how it started). */
/** Evidence kept per finding: the first this many seqs. */
export const MAX_EVIDENCE = 100;
/** Most findings kept in history; resolved ones are forgotten first. */
const MAX_FINDINGS = 10_000;

/**
 * Findings history: opens, resolves, and remembers what changed since the
 * agent last published. Subjects of open findings are pinned so retention
 * never forgets what an open finding explains.
 */
export class FindingRegistry {
  /** Open findings by rule, then subject (rules ask per event: no id string is built for that). */
  private readonly open_ = new Map<RuleId, Map<string, Finding>>();
  /**
   * Per `${rule}:${subject}` still in history: how often it opened (a finding
   * that recurs after resolving gets `#2`, `#3`…, never an earlier one's id)
   * and how many of those findings history still keeps.
   */
  private readonly occurrences = new Map<string, { last: number; kept: number }>();
  private readonly pins = new Map<string, number>();
  private readonly subjectOf = new WeakMap<Finding, string>();
  /** Open findings still in history (their subjects are pinned). */
  private readonly active = new WeakSet<Finding>();
  /** Per open finding, its last move of subjects (see {@link repin}). */
  private readonly lastMove = new WeakMap<Finding, { before: readonly string[]; after: readonly string[]; head: number; tail: number }>();
  private opened: Finding[] = [];
  private resolved: Finding[] = [];
  private updated = new Set<Finding>();
  /** Increments whenever a finding opens, resolves or changes. */
  version = 0;

  constructor(
    /** The model's findings array, in the order they opened (mutated in place). */
    readonly list: Finding[],
    private readonly onRelease: (subjectId: string) => void,
    private readonly limit = MAX_FINDINGS,
  ) {}

  isPinned(id: string): boolean {
    return this.pins.has(id);
  }

  /** The open finding of this rule about this subject, if any. */
  get(rule: RuleId, subject: string): Finding | undefined {
    return this.open_.get(rule)?.get(subject);
  }

  /** Opens a finding unless one about the same subject is already open (then returns that one). */
  open(spec: FindingSpec): Finding {
    const existing = this.get(spec.rule, spec.subject);
    if (existing) return existing;
    const base = `${spec.rule}:${spec.subject}`;
    let seen = this.occurrences.get(base);
    if (!seen) this.occurrences.set(base, (seen = { last: 0, kept: 0 }));
    seen.last++;
    seen.kept++;
    const id = seen.last === 1 ? base : `${base}#${seen.last}`;
    const finding: Finding = {
      id,
      rule: spec.rule,
      severity: spec.severity,
      title: spec.title,
      message: spec.message,
      subjects: spec.subjects,
      evidence: spec.evidence.slice(0, MAX_EVIDENCE),
      openedSeq: spec.openedSeq,
      openedT: spec.openedT,
      ...(spec.stack !== undefined && { stack: spec.stack }),
    };
    let ofRule = this.open_.get(spec.rule);
    if (!ofRule) this.open_.set(spec.rule, (ofRule = new Map()));
    ofRule.set(spec.subject, finding);
    this.subjectOf.set(finding, spec.subject);
    this.active.add(finding);
    for (const subject of finding.subjects) this.pins.set(subject, (this.pins.get(subject) ?? 0) + 1);
    this.list.push(finding);
    this.opened.push(finding);
    this.version++;
    if (this.list.length > this.limit) this.trimHistory();
    return finding;
  }

  /**
   * An open finding follows its condition as it grows (counts, message,
   * subjects, evidence): its id and when it opened stay.
   */
  update(finding: Finding, changes: FindingUpdate): void {
    if (!this.active.has(finding)) return;
    // A growth finding follows every event of a running session, mostly with the same lists. Lists are
    // kept as passed, equal ones too: when the rule passes one again, comparing it is one identity check.
    const sameSubjects = finding.subjects === changes.subjects || sameList(finding.subjects, changes.subjects);
    const sameEvidence = finding.evidence === changes.evidence || sameList(finding.evidence, changes.evidence, MAX_EVIDENCE);
    if (!sameSubjects) this.repin(finding, finding.subjects, changes.subjects);
    finding.subjects = changes.subjects;
    if (changes.evidence.length <= MAX_EVIDENCE) finding.evidence = changes.evidence;
    else if (!sameEvidence) finding.evidence = changes.evidence.slice(0, MAX_EVIDENCE);
    // The message last: a growth finding's changes with nearly every event, and comparing it flattens it.
    if (sameSubjects && sameEvidence && finding.stack === changes.stack && finding.title === changes.title && finding.message === changes.message) return;
    finding.title = changes.title;
    finding.message = changes.message;
    if (changes.stack !== undefined) finding.stack = changes.stack;
    else delete finding.stack;
    this.updated.add(finding);
    this.version++;
  }

  resolve(finding: Finding, seq: number, t: number): void {
    if (finding.resolvedSeq !== undefined) return;
    finding.resolvedSeq = seq;
    finding.resolvedT = t;
    this.close(finding);
    this.resolved.push(finding);
    this.version++;
  }

  addEvidence(finding: Finding, seq: number): void {
    // A new list: the finding's may be one a rule passed (and keeps).
    if (finding.evidence.length < MAX_EVIDENCE && !finding.evidence.includes(seq)) finding.evidence = [...finding.evidence, seq];
  }

  filter(filter: FindingFilter = {}): Finding[] {
    const rules = filter.rule === undefined ? undefined : Array.isArray(filter.rule) ? filter.rule : [filter.rule];
    const out: Finding[] = [];
    for (const f of this.list) {
      if (!filter.includeResolved && f.resolvedSeq !== undefined) continue;
      if (rules && !rules.includes(f.rule)) continue;
      out.push(copyFinding(f));
    }
    return out;
  }

  takeChanges(): FindingChanges {
    const opened = new Set(this.opened);
    const changes = {
      opened: this.opened.map(copyFinding),
      resolved: this.resolved.map(copyFinding),
      updated: [...this.updated].filter((f) => !opened.has(f)).map(copyFinding),
    };
    this.opened = [];
    this.resolved = [];
    this.updated.clear();
    return changes;
  }

  private close(finding: Finding): void {
    if (!this.active.delete(finding)) return;
    const subject = this.subjectOf.get(finding);
    const ofRule = this.open_.get(finding.rule);
    if (subject !== undefined && ofRule?.get(subject) === finding) ofRule.delete(subject);
    this.unpin(finding.subjects);
  }

  /**
   * Moves the pins from `before` to `after`. Only the part between their
   * common head and tail moves: a growth finding's subjects change by a
   * session or so at a time, and it may hold thousands. Its running session
   * adds one and removes it again: that move back is the last one reversed
   * (lists are never changed once passed), so its head and tail are known.
   */
  private repin(finding: Finding, before: readonly string[], after: readonly string[]): void {
    const last = this.lastMove.get(finding);
    let head: number;
    let tail: number;
    if (last && last.before === after && last.after === before) ({ head, tail } = last);
    else {
      const shorter = Math.min(before.length, after.length);
      head = 0;
      while (head < shorter && before[head] === after[head]) head++;
      tail = 0;
      while (tail < shorter - head && before[before.length - 1 - tail] === after[after.length - 1 - tail]) tail++;
    }
    // One record per finding, rewritten: a growth finding moves with nearly every event of its running session.
    if (!last) this.lastMove.set(finding, { before, after, head, tail });
    else {
      last.before = before;
      last.after = after;
      last.head = head;
      last.tail = tail;
    }
    for (let i = head; i < after.length - tail; i++) this.pins.set(after[i]!, (this.pins.get(after[i]!) ?? 0) + 1);
    this.unpin(before, head, before.length - tail);
  }

  /** Unpins `subjects[from..to)` (all of them by default). */
  private unpin(subjects: readonly string[], from = 0, to = subjects.length): void {
    for (let i = from; i < to; i++) {
      const subject = subjects[i]!;
      const n = (this.pins.get(subject) ?? 0) - 1;
      if (n > 0) this.pins.set(subject, n);
      else {
        this.pins.delete(subject);
        this.onRelease(subject);
      }
    }
  }

  /** Forgets the oldest resolved findings (then the oldest open ones) down to 90% of the limit. */
  private trimHistory(): void {
    const target = Math.floor(this.limit * 0.9);
    let excess = this.list.length - target;
    const forget = new Set<Finding>();
    for (const f of this.list) {
      if (excess === 0) break;
      if (f.resolvedSeq !== undefined) {
        forget.add(f);
        excess--;
      }
    }
    for (const f of this.list) {
      if (excess === 0) break;
      if (!forget.has(f)) {
        forget.add(f);
        excess--;
        this.close(f);
        // Announced like a resolution, so whoever keeps open findings (the
        // agent's snapshot state) lets go of it too.
        this.resolved.push(f);
      }
    }
    let write = 0;
    for (const f of this.list) {
      if (forget.has(f)) this.forgetOccurrence(f);
      else this.list[write++] = f;
    }
    this.list.length = write;
  }

  private forgetOccurrence(finding: Finding): void {
    const base = `${finding.rule}:${this.subjectOf.get(finding)}`;
    const seen = this.occurrences.get(base);
    if (seen && --seen.kept === 0) this.occurrences.delete(base);
  }
}

function copyFinding(f: Finding): Finding {
  const copy = { ...f, subjects: [...f.subjects], evidence: [...f.evidence] };
  if (f.stack) copy.stack = [...f.stack];
  return copy;
}

/** `a` equals the first `limit` items of `b` (all of them by default). */
export function sameList<T>(a: readonly T[], b: readonly T[], limit = b.length): boolean {
  if (a.length !== Math.min(b.length, limit)) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
