/**
 * Target: one agent identity across its restarts. Each process instance is
 * a run with its own analysis; a new instance in a hello ends the previous
 * run and begins the next. Live links and recordings feed it through the
 * same path, so a replayed file gives the same runs and findings.
 */
import { createAnalysis } from '../../shared/analysis/index.js';
import type { Analysis } from '../../shared/analysis/types.js';
import type { AnalysisOptions } from '../../shared/analysis/options.js';
import type { AgentEvent, GapMessage, HelloMessage, RecordingLine } from '../../shared/protocol.js';
import { eventProblem, isRetiredEvent } from '../../shared/validate-event.js';
import type { AgentLink, LinkDelivery, LinkState } from './link.js';

export interface Run {
  /** 0-based position in `runs`. */
  index: number;
  /** The instance's hello (replaced by later hellos of the same instance). */
  hello: HelloMessage;
  analysis: Analysis;
  /** Epoch ms the process started (hello.agent.startedAt): absolute time = startedAt + t. */
  startedAt: number;
  /**
   * Epoch ms of the last moment this run was known alive, set when a newer
   * instance replaced it. What it still had open went away with the process;
   * its findings are left as they were.
   */
  endedAt?: number;
  /** Seq of the newest event or gap end applied. */
  lastSeq: number;
}

export interface TargetOptions {
  /** Thresholds for every run's analysis. */
  analysis?: AnalysisOptions;
  /** Raw events after they were applied, for views that keep their own event store. */
  onEvents?: (events: AgentEvent[], run: Run) => void;
  /** Every record as it arrives (hello, events, gaps, clock ticks): feed a RecordingWriter to record. */
  onLine?: (line: RecordingLine) => void;
}

/** Events left out because they were malformed: how many, and what was wrong with the latest. */
export interface MalformedEvents {
  count: number;
  latest?: string;
}

export class Target {
  readonly runs: Run[] = [];
  /** Every event is checked before it is applied (shared/validate-event.ts); a malformed one is counted here, never applied. */
  readonly malformed: MalformedEvents = { count: 0 };
  private changes = 0;
  private state: LinkState | undefined;
  private readonly subscribers = new Set<() => void>();

  constructor(private readonly options: TargetOptions = {}) {}

  /** Increments on every change (new data, new run, link state). */
  get version(): number {
    return this.changes;
  }

  /** The attached link's state; undefined for a target fed only from a recording. */
  get linkState(): LinkState | undefined {
    return this.state;
  }

  /** The agent's name as given by its latest hello. */
  get name(): string | undefined {
    return this.currentRun()?.hello.agent.name;
  }

  /** Called after every change; returns an unsubscribe function. */
  subscribe(listener: () => void): () => void {
    this.subscribers.add(listener);
    return () => this.subscribers.delete(listener);
  }

  currentRun(): Run | undefined {
    return this.runs[this.runs.length - 1];
  }

  /** The latest run's analysis. */
  current(): Analysis | undefined {
    return this.currentRun()?.analysis;
  }

  /** Feeds the target from a link; returns a function that detaches it. */
  attach(link: AgentLink): () => void {
    const offMessage = link.on('message', (delivery) => this.ingest(delivery));
    const offState = link.on('state', (state) => {
      this.state = state;
      this.changed();
    });
    this.state = link.state;
    this.changed();
    return () => {
      offMessage();
      offState();
    };
  }

  ingest(delivery: LinkDelivery): void {
    switch (delivery.type) {
      case 'hello':
        this.hello(delivery.hello);
        break;
      case 'snapshot':
      case 'batch':
        this.events(delivery.events, delivery.now);
        break;
      case 'gap':
        this.gap(delivery.gap);
        break;
    }
    this.changed();
  }

  /** Replays a parsed recording through the same path as a live link. */
  ingestRecording(lines: Iterable<RecordingLine>): void {
    let pending: AgentEvent[] = [];
    const flush = (now?: number): void => {
      if (pending.length > 0 || now !== undefined) this.events(pending, now);
      pending = [];
    };
    for (const line of lines) {
      if (line.type === 'hello') {
        flush();
        this.hello(line);
      } else if (line.type === 'gap' && 'from' in line) {
        flush();
        this.gap(line);
      } else if (line.type === 'now') {
        flush(line.now);
      } else pending.push(line as AgentEvent);
    }
    flush();
    this.changed();
  }

  /**
   * Replays one line of a recording, as {@link ingestRecording} does for
   * each: returns the run an event went into, or undefined when the line is
   * no event or the event was skipped. `onLine` is called as for every line;
   * `onEvents` is not (the caller has the event). One call per line keeps
   * a big recording's events from piling up before they are applied.
   */
  replay(line: RecordingLine): Run | undefined {
    let into: Run | undefined;
    if (line.type === 'hello') this.hello(line);
    else if (line.type === 'gap' && 'from' in line) this.gap(line);
    else if (line.type === 'now') this.tick(line.now);
    else into = this.event(line as AgentEvent);
    this.changed();
    return into;
  }

  /** Moves the current run's clock forward (grace periods expire), and records the tick. */
  advance(now: number): void {
    const run = this.currentRun();
    if (!run || run.endedAt !== undefined) return;
    run.analysis.advance(now);
    this.options.onLine?.({ type: 'now', now });
    this.changed();
  }

  private hello(hello: HelloMessage): void {
    this.options.onLine?.(hello);
    const run = this.currentRun();
    if (run && run.endedAt === undefined && run.hello.agent.instance === hello.agent.instance) {
      // The same process again (a reconnect): keep its run, refresh identity and actions.
      run.hello = hello;
      run.analysis.advance(hello.now);
      return;
    }
    if (run && run.endedAt === undefined) run.endedAt = run.startedAt + run.analysis.model.now;
    this.runs.push({
      index: this.runs.length,
      hello,
      analysis: createAnalysis(this.options.analysis),
      startedAt: hello.agent.startedAt,
      lastSeq: 0,
    });
  }

  private events(events: AgentEvent[], now: number | undefined): void {
    const applied: AgentEvent[] = [];
    let into: Run | undefined;
    for (const event of events) {
      const run = this.event(event);
      if (!run) continue;
      into = run;
      applied.push(event);
    }
    if (into) this.options.onEvents?.(applied, into);
    if (now !== undefined) this.tick(now);
  }

  /** Validates and applies one event: the run it went into, or undefined when it was skipped. */
  private event(event: AgentEvent): Run | undefined {
    const run = this.currentRun();
    if (!run) return undefined;
    const problem = eventProblem(event);
    if (problem !== undefined) {
      this.malformed.count++;
      this.malformed.latest = problem;
      return undefined;
    }
    // Defensive: a second link on the same instance may replay what we have.
    if (event.seq <= run.lastSeq || isRetiredEvent(event.type)) return undefined;
    run.analysis.apply(event);
    run.lastSeq = event.seq;
    this.options.onLine?.(event);
    return run;
  }

  /** The agent's clock said `now`: grace periods that ended expire, and the tick is recorded. */
  private tick(now: number): void {
    const run = this.currentRun();
    if (!run || !Number.isFinite(now)) return;
    run.analysis.advance(now);
    this.options.onLine?.({ type: 'now', now });
  }

  private gap(gap: GapMessage): void {
    const run = this.currentRun();
    if (!run || gap.to <= run.lastSeq) return;
    this.options.onLine?.(gap);
    run.analysis.applyGap(gap);
    run.lastSeq = gap.to;
  }

  private changed(): void {
    this.changes += 1;
    if (this.subscribers.size === 0) return;
    for (const listener of [...this.subscribers]) {
      try {
        listener();
      } catch (error) {
        setTimeout(() => {
          throw error;
        });
      }
    }
  }
}
