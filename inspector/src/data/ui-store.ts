import { AgentClockEstimate } from '../../client/agent-clock.js';
import { Target, type Run } from '../../client/target.js';
import type { LinkDelivery, LinkState } from '../../client/link.js';
import type { AgentEvent, RecordingLine, SettleResult } from '../../../shared/protocol.js';
import type { RecordingError } from '../../client/recording.js';
import type { RunModel } from '../model/runs.js';
import type { HubTargetState } from '../model/link-summary.js';
import { ChunkedLog } from './chunked-log.js';
import { RecordingLoader } from './recording-loader.js';
import type { ReadStats, WireBatch } from './recording-reader.js';

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

/** The performance mark a loaded recording leaves, with where the time went in its `detail` (docs/ui.md). */
export const RECORDING_LOADED_MARK = 'bridgescope:recording-loaded';

/** A hello, gap or clock tick, and how many events came before it: with the log, what Record saves. */
interface Marker {
  at: number;
  line: RecordingLine;
}

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
  recordingErrors: RecordingError[] = [];

  private pending: LinkDelivery[] = [];
  /** The recording being opened, and the fraction of its file ingested (null when the size is unknown). */
  private opening: { loader: RecordingLoader; read: number | null; startedAt: number } | null = null;
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
  /** Every hello, gap and clock tick, placed among the logged events: what Record saves besides the events. */
  readonly markers: Marker[] = [];
  readonly stats: IngestStats = { ingested: 0, frames: 0, lastFrameMs: 0, maxFrameMs: 0, pending: 0, version: 0, recordingLoaded: false };

  constructor() {
    this.target = new Target({ onEvents: (events, run) => this.logEvents(events, run), onLine: (line) => this.recordLine(line) });
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
   * Opens a recording (one per store). Its rows arrive in batches while the
   * file is read ({@link appendRecording}); each goes through the Target like
   * a live stream at once, and {@link endRecording} marks it loaded.
   */
  beginRecording(name: string): void {
    this.opening = { loader: new RecordingLoader(this.target, this.log), read: 0, startedAt: performance.now() };
    this.setLink({ status: 'recording', name });
  }

  /**
   * Ingests a batch of the recording being opened; `read` is the fraction of
   * the file read so far, null if unknown. Returns false once the file broke
   * (nothing after the damage is loaded).
   */
  appendRecording(batch: WireBatch, read: number | null): boolean {
    const opening = this.opening;
    if (!opening || opening.loader.broken) return false;
    opening.loader.add(batch);
    opening.read = read;
    this.stats.ingested = this.log.length;
    // Views show only progress while a recording loads: redraw it now and then.
    if (performance.now() - this.lastProgressAt >= LOADING_PROGRESS_MS) {
      this.lastProgressAt = performance.now();
      this.changed();
    }
    return !opening.loader.broken;
  }

  /**
   * The recording's file ended, or could not be read further (`failed`):
   * what was read stays open, and the banner says where the file broke or
   * why the rest is missing.
   */
  endRecording(end: { read: ReadStats | null } | { failed: string }): void {
    const opening = this.opening;
    if (!opening) return;
    this.opening = null;
    const errors = opening.loader.end();
    if ('failed' in end) this.setLink({ status: 'offline', reason: `could not load the recording: ${end.failed}` });
    else this.recordingErrors = errors;
    this.stats.recordingLoaded = true;
    performance.mark(RECORDING_LOADED_MARK, {
      detail: { events: this.log.length, ms: performance.now() - opening.startedAt, read: 'read' in end ? end.read : null, page: opening.loader.timings },
    });
    this.changed();
  }

  /** How far the recording being opened is (the fraction of its file ingested), or null when none is loading. */
  get loadingProgress(): number | null {
    return this.opening ? (this.opening.read ?? 0) : null;
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
    const ms = performance.now() - started;
    this.stats.frames++;
    this.stats.lastFrameMs = ms;
    this.stats.maxFrameMs = Math.max(this.stats.maxFrameMs, ms);
    this.stats.pending = this.pendingEvents;
    this.changed();
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

  /** Events are logged as they are applied; the other lines are kept with their place among them. */
  private recordLine(line: RecordingLine): void {
    if (line.type === 'hello' || line.type === 'gap' || line.type === 'now') this.markers.push({ at: this.log.length, line });
  }
}
