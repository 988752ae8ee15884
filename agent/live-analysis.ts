import { createAnalysis } from '../shared/analysis/index.js';
import type { AnalysisOptions } from '../shared/analysis/options.js';
import type { Analysis } from '../shared/analysis/types.js';
import type { AgentEvent, Finding } from '../shared/protocol.js';
import type { EventLog } from './event-log.js';
import type { Pump, LogReader } from './transport/pump.js';
import type { EventSink, Logger } from './types.js';

/** Events applied per flush while catching up after an attach, so the host's loop is never held for long. */
const CATCH_UP_SLICE = 2000;

interface Run {
  analysis: Analysis;
  /** Snapshot events not applied yet, then the gap before the ring (while catching up). */
  backlog: AgentEvent[];
  gap: { from: number; to: number; count: number } | undefined;
  /** Until caught up: the findings published as open when watching last stopped. */
  wasOpen: Set<string> | undefined;
}

/**
 * The agent's own leak analysis, published as `finding.open` /
 * `finding.resolve`. It runs only while an inspector is attached: nobody
 * else reads what it publishes, and with nobody watching the host should pay
 * nothing for it. When watching starts it analyses what the log still holds
 * (the live state's snapshot, then the ring), which is exactly the stream an
 * inspector attaching then receives, so the agent's findings and the
 * inspector's agree. It catches up a slice per flush, then publishes the
 * difference from the findings it had left open when watching last stopped.
 */
export class LiveAnalysis {
  private run: Run | undefined;
  private cursor = 0;
  /** Wakes the analysis when its next grace period expires (none while none is running). */
  private graceTimer: ReturnType<typeof setTimeout> | undefined;
  private closed = false;
  private readonly reader: LogReader = {
    readable: (lastSeq) => lastSeq - this.cursor + (this.run?.backlog.length ?? 0),
    flush: () => (this.run ? this.update(this.run) : false),
  };

  constructor(
    private readonly log: EventLog,
    private readonly pump: Pump,
    private readonly sink: EventSink,
    private readonly options: { analysis: AnalysisOptions; batchSize: number },
    private readonly logger: Logger,
  ) {}

  /** Runs while `watched` (some inspector is attached), stops and lets go of its model when not. */
  watch(watched: boolean): void {
    if (this.closed || watched === (this.run !== undefined)) return;
    if (watched) this.start();
    else this.stop();
  }

  close(): void {
    this.closed = true;
    this.stop();
  }

  private start(): void {
    const oldest = this.log.oldestSeq;
    const backlog = this.log.snapshot();
    const lost = oldest - 1 - backlog.length;
    this.run = {
      analysis: createAnalysis(this.options.analysis),
      backlog,
      gap: lost > 0 ? { from: 1, to: oldest - 1, count: lost } : undefined,
      wasOpen: new Set(this.log.openFindingIds()),
    };
    this.cursor = oldest - 1;
    // First reader: the findings it publishes leave in the same flush as their causes.
    this.pump.add(this.reader, { first: true });
    this.pump.schedule();
  }

  private stop(): void {
    clearTimeout(this.graceTimer);
    this.graceTimer = undefined;
    this.pump.remove(this.reader);
    this.run = undefined;
  }

  /** Applies what is new (a slice of it while catching up) and publishes; true while still catching up. */
  private update(run: Run): boolean {
    const { analysis, backlog } = run;
    let budget = run.wasOpen ? CATCH_UP_SLICE : Infinity;
    const fromBacklog = Math.min(budget, backlog.length);
    for (const event of backlog.splice(0, fromBacklog)) this.apply(analysis, event);
    budget -= fromBacklog;
    if (backlog.length > 0) return true;
    if (run.gap) {
      analysis.applyGap({ ...run.gap, reason: 'evicted' });
      run.gap = undefined;
    }
    this.read(analysis, budget);
    if (run.wasOpen && this.cursor < this.log.lastSeq) return true;
    this.publish(analysis, run.wasOpen);
    run.wasOpen = undefined;
    return false;
  }

  /** Applies up to `budget` events from the ring. */
  private read(analysis: Analysis, budget: number): void {
    while (budget > 0) {
      const { events, gap } = this.log.read(this.cursor, Math.min(this.options.batchSize, budget));
      if (gap) {
        analysis.applyGap({ ...gap, reason: 'evicted' });
        this.cursor = gap.to;
      }
      if (events.length === 0) return;
      for (const event of events) this.apply(analysis, event);
      this.cursor = events[events.length - 1]!.seq;
      budget -= events.length;
    }
  }

  private apply(analysis: Analysis, event: AgentEvent): void {
    try {
      analysis.apply(event);
    } catch (err) {
      this.logger.error('the live analysis failed on an event', err);
    }
  }

  /**
   * Publishes what opened and resolved since the last call. Right after a
   * rebuild, given the findings an earlier run left open (`wasOpen`), it
   * publishes the difference from those instead.
   */
  private publish(analysis: Analysis, wasOpen?: Set<string>): void {
    try {
      analysis.advance(this.sink.now());
      const changes = analysis.takeChanges();
      if (wasOpen) this.announce(difference(analysis.findings({ includeResolved: true }), wasOpen));
      else this.announce(changes);
    } catch (err) {
      this.logger.error('the live analysis failed', err);
    }
    this.armGraceTimer(analysis);
  }

  private announce({ opened, resolved }: Changes): void {
    for (const finding of opened) this.sink.publish({ type: 'finding.open', finding });
    for (const { id, resolvedSeq } of resolved) this.sink.publish({ type: 'finding.resolve', id, resolvedSeq: resolvedSeq ?? this.log.lastSeq });
  }

  /** Grace periods expire with time, not only with events: wake exactly when the next one does. */
  private armGraceTimer(analysis: Analysis): void {
    clearTimeout(this.graceTimer);
    this.graceTimer = undefined;
    const next = analysis.nextDeadline();
    if (next === undefined) return;
    this.graceTimer = setTimeout(
      () => {
        this.graceTimer = undefined;
        this.pump.flushNow();
      },
      Math.max(0, next - this.sink.now()) + 1,
    );
    this.graceTimer.unref();
  }
}

type Changes = { opened: Finding[]; resolved: Pick<Finding, 'id' | 'resolvedSeq'>[] };

/** From the findings published as open (`wasOpen`) to `findings`: which open, which resolve. */
function difference(findings: Finding[], wasOpen: Set<string>): Changes {
  const changes: Changes = { opened: [], resolved: [] };
  const stillUnseen = new Set(wasOpen);
  for (const finding of findings) {
    const published = stillUnseen.delete(finding.id);
    if (finding.resolvedSeq === undefined) {
      if (!published) changes.opened.push(finding);
    } else if (published) changes.resolved.push(finding);
  }
  // Published as open, and the stream the analysis still has no longer shows it: not open now.
  for (const id of stillUnseen) changes.resolved.push({ id });
  return changes;
}
