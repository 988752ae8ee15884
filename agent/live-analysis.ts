import { createAnalysis } from './analysis/index.js';
import type { AnalysisOptions } from './analysis/options.js';
import type { Analysis } from './analysis/types.js';
import type { Finding } from './protocol.js';
import type { EventLog } from './event-log.js';
import type { Pump, LogReader } from './transport/pump.js';
import type { EventSink, Logger } from './types.js';

/**
 * The agent's own leak analysis, published as `finding.open` /
 * `finding.resolve`. It runs only while an inspector is attached: nobody
 * else reads what it publishes, and with nobody watching the host should pay
 * nothing for it. When watching starts it analyses what the log still holds
 * (the live state's snapshot, then the ring), which is exactly the stream an
 * inspector attaching then receives, so the agent's findings and the
 * inspector's agree; it then publishes the difference from the findings it
 * had left open when watching last stopped.
 */
export class LiveAnalysis {
  private analysis: Analysis | undefined;
  private cursor = 0;
  /** Wakes the analysis when its next grace period expires (none while none is running). */
  private graceTimer: ReturnType<typeof setTimeout> | undefined;
  private closed = false;
  private readonly reader: LogReader = {
    readable: (lastSeq) => lastSeq - this.cursor,
    flush: () => {
      if (this.analysis) this.update(this.analysis);
      return false;
    },
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
    if (this.closed || watched === (this.analysis !== undefined)) return;
    if (watched) this.start();
    else this.stop();
  }

  close(): void {
    this.closed = true;
    this.stop();
  }

  private start(): void {
    const analysis = createAnalysis(this.options.analysis);
    const wasOpen = new Set(this.log.openFindingIds());
    const oldest = this.log.oldestSeq;
    const snapshot = this.log.snapshot();
    for (const event of snapshot) this.apply(analysis, event);
    const lost = oldest - 1 - snapshot.length;
    if (lost > 0) analysis.applyGap({ from: 1, to: oldest - 1, count: lost, reason: 'evicted' });
    this.cursor = oldest - 1;
    this.analysis = analysis;
    this.read(analysis);
    this.publish(analysis, wasOpen);
    // First reader: the findings it publishes leave in the same flush as their causes.
    this.pump.add(this.reader, { first: true });
  }

  private stop(): void {
    clearTimeout(this.graceTimer);
    this.graceTimer = undefined;
    this.pump.remove(this.reader);
    this.analysis = undefined;
  }

  private update(analysis: Analysis): void {
    this.read(analysis);
    this.publish(analysis);
  }

  private read(analysis: Analysis): void {
    for (;;) {
      const { events, gap } = this.log.read(this.cursor, this.options.batchSize);
      if (gap) {
        analysis.applyGap({ ...gap, reason: 'evicted' });
        this.cursor = gap.to;
      }
      if (events.length === 0) return;
      for (const event of events) this.apply(analysis, event);
      this.cursor = events[events.length - 1]!.seq;
    }
  }

  private apply(analysis: Analysis, event: Parameters<Analysis['apply']>[0]): void {
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
