import { AgentClockEstimate } from '../../client/agent-clock.js';
import { Target, type Run } from '../../client/target.js';
import type { LinkDelivery, LinkState } from '../../client/link.js';
import type { AgentEvent, RecordingLine, SettleResult } from '../../../shared/protocol.js';
import type { RunModel } from '../model/runs.js';
import type { HubTargetState } from '../model/link-summary.js';
import { ChunkedLog } from './chunked-log.js';

/** The link as the header shows it: the client's states, plus no source yet and an opened recording. */
export type UiLinkState = LinkState | { status: 'idle' } | { status: 'recording'; name: string };

/** Runs an action on the live agent: a connection's (`conn`) or agent-wide (null). */
export type RunAction = (conn: string | null, name: string) => Promise<SettleResult>;

/** How ingestion is going: what the benchmark reads (docs/ui.md, "Performance"). */
export interface IngestStats {
  /** Events ingested into the analysis and the event log since the page loaded. */
  ingested: number;
  /** Frames that ingested something. */
  frames: number;
  /** Milliseconds the last ingesting frame spent ingesting (React render excluded). */
  lastFrameMs: number;
  /** The worst such frame so far. */
  maxFrameMs: number;
  /** Events received and not yet ingested. */
  pending: number;
  /** Store version: increments once per change (at most once per frame for data). */
  version: number;
  /** True once a recording finished loading. */
  recordingLoaded: boolean;
}

/** Recording lines handed to the analysis per frame: a big file loads with the page responsive. */
const RECORDING_LINES_PER_FRAME = 100_000;

/** While a recording loads, views only show progress, redrawn this often. */
const LOADING_PROGRESS_MS = 250;

/**
 * The UI's data, outside React. Incoming deliveries are queued and handed to
 * the {@link Target} (runs across restarts, one analysis each) once per
 * animation frame; raw events go to a chunked log. React state holds only
 * `version`, which bumps once per ingesting frame.
 */
export class UiStore {
  readonly target: Target;
  readonly log = new ChunkedLog();
  link: UiLinkState = { status: 'idle' };
  /** In hub mode, whether the target's agent is connected to the hub (its history stays served when not). */
  hubTarget: HubTargetState | null = null;
  runAction: RunAction | null = null;
  /** Where a recording was broken (line N: what), when one was opened. */
  recordingErrors: { line: number; message: string }[] = [];

  private pending: LinkDelivery[] = [];
  /** The recording being opened: records read so far, how many are ingested, how much of the file is read. */
  private opening: { lines: RecordingLine[]; ingested: number; reading: boolean; read: number | null } | null = null;
  private lastProgressAt = 0;
  private pendingEvents = 0;
  private frame: number | null = null;
  private versionNumber = 0;
  private readonly listeners = new Set<() => void>();
  private readonly clock = new AgentClockEstimate();
  /**
   * Seq of the newest event when the agent said hello: until it arrived we
   * are replaying history, and the idle tick must not extrapolate the agent
   * clock — older events still follow, and grace periods would expire
   * before their cleanup.
   */
  private replayUntil = 0;
  /** Every hello, event, gap and clock tick, in order: what Record saves. */
  readonly lines: RecordingLine[] = [];
  readonly stats: IngestStats = { ingested: 0, frames: 0, lastFrameMs: 0, maxFrameMs: 0, pending: 0, version: 0, recordingLoaded: false };

  constructor() {
    this.target = new Target({ onEvents: (events, run) => this.logEvents(events, run), onLine: (line) => this.lines.push(line) });
  }

  get version(): number {
    return this.versionNumber;
  }

  subscribe = (fn: () => void): (() => void) => {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  };

  getVersion = (): number => this.versionNumber;

  /** Runs as the pure view-models take them (1-based run numbers). */
  runs(): RunModel[] {
    return this.target.runs.map((r) => ({
      run: r.index + 1,
      startedAt: r.startedAt,
      ...(r.endedAt !== undefined ? { endedAt: r.endedAt } : {}),
      model: r.analysis.model,
    }));
  }

  /** Absolute end of every run a restart ended. */
  runEnds(): Map<number, number> {
    const ends = new Map<number, number>();
    for (const r of this.target.runs) if (r.endedAt !== undefined) ends.set(r.index + 1, r.endedAt);
    return ends;
  }

  run(run: number): Run | undefined {
    return this.target.runs[run - 1];
  }

  // --- inbound ---------------------------------------------------------------

  /** A delivery from a live link (hello, snapshot, batch, gap). */
  deliver(delivery: LinkDelivery): void {
    if (delivery.type === 'snapshot' || delivery.type === 'batch') this.pendingEvents += delivery.events.length;
    this.pending.push(delivery);
    this.schedule();
  }

  /**
   * Opens a recording (one per store). Its records arrive while the file is
   * read ({@link appendRecording}); once {@link endRecording} says the file
   * ended they go through the Target like a live stream over the next frames.
   */
  beginRecording(name: string): void {
    this.opening = { lines: [], ingested: 0, reading: true, read: 0 };
    this.setLink({ status: 'recording', name });
  }

  /** More records of the recording being opened; `read` is the fraction of the file read, null if unknown. */
  appendRecording(lines: RecordingLine[], read: number | null): void {
    if (!this.opening) return;
    for (const line of lines) this.opening.lines.push(line);
    this.opening.read = read;
    this.schedule();
  }

  /** The recording's file ended; `errors` says where it broke, if it did. */
  endRecording(errors: { line: number; message: string }[]): void {
    if (!this.opening) return;
    this.recordingErrors = errors;
    this.opening.reading = false;
    this.opening.read = 1;
    this.schedule();
  }

  /** How far the recording being opened is, or null when none is loading: reading is the first half, ingesting the second. */
  get loadingProgress(): number | null {
    const opening = this.opening;
    if (!opening) return null;
    if (opening.reading) return (opening.read ?? 0) / 2;
    return 0.5 + (opening.lines.length === 0 ? 0 : opening.ingested / opening.lines.length) / 2;
  }

  setLink(link: UiLinkState): void {
    this.link = link;
    this.changed();
  }

  setHubTarget(state: HubTargetState | null): void {
    if (this.hubTarget?.state === state?.state) return;
    this.hubTarget = state;
    this.changed();
  }

  /** Moves the current run's clock to the agent's estimated now, so grace periods expire while it is quiet. */
  tick(): void {
    const now = this.clock.now();
    if (now === undefined || this.link.status !== 'live' || this.hubTarget?.state === 'offline' || (this.target.currentRun()?.lastSeq ?? 0) < this.replayUntil) return;
    this.target.advance(now);
    this.changed();
  }

  changed(): void {
    this.versionNumber++;
    this.stats.version = this.versionNumber;
    for (const fn of [...this.listeners]) fn();
  }

  // --- per-frame ingestion -----------------------------------------------------

  private schedule(): void {
    this.stats.pending = this.pendingEvents;
    if (this.frame !== null) return;
    // Hidden tabs get no animation frames; a timer keeps the queue bounded there.
    if (typeof document !== 'undefined' && document.hidden) this.frame = window.setTimeout(() => this.flush(), 250);
    else this.frame = requestAnimationFrame(() => this.flush());
  }

  /** Ingests what is queued. Runs once per frame. */
  flush(): void {
    this.frame = null;
    const started = performance.now();
    const deliveries = this.pending;
    this.pending = [];
    this.pendingEvents = 0;
    for (const d of deliveries) this.ingest(d);
    if (this.opening) this.ingestOpening(this.opening);
    const ms = performance.now() - started;
    this.stats.frames++;
    this.stats.lastFrameMs = ms;
    this.stats.maxFrameMs = Math.max(this.stats.maxFrameMs, ms);
    this.stats.pending = this.pendingEvents;
    // Views re-render on every change; while a recording loads they show only
    // progress, so a million events are not redrawn chunk by chunk.
    if (this.loadingProgress !== null) {
      if (performance.now() - this.lastProgressAt < LOADING_PROGRESS_MS) return;
      this.lastProgressAt = performance.now();
    }
    this.changed();
  }

  /** One frame's share of the recording being opened; the last one marks it loaded. */
  private ingestOpening(opening: NonNullable<UiStore['opening']>): void {
    // Ingesting while the rest is still read measured slower (median of five
    // opens of a million events: 3.6 s against 3.3 s): batch parsing and the
    // analysis then compete for the heap. The file is read first.
    if (opening.reading) return;
    const end = Math.min(opening.lines.length, opening.ingested + RECORDING_LINES_PER_FRAME);
    if (end > opening.ingested) this.target.ingestRecording(opening.lines.slice(opening.ingested, end));
    opening.ingested = end;
    if (end < opening.lines.length) this.schedule();
    else {
      this.opening = null;
      this.stats.recordingLoaded = true;
    }
  }

  private ingest(d: LinkDelivery): void {
    if (d.type === 'hello') this.replayUntil = d.hello.lastSeq;
    this.target.ingest(d);
    this.clock.observe(d);
  }

  private logEvents(events: AgentEvent[], run: Run): void {
    for (const e of events) this.log.push(run.index + 1, run.startedAt, e);
    this.stats.ingested += events.length;
  }
}
