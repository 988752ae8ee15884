import type { AgentEvent, Finding } from '../protocol.js';
import type { FindingChanges } from './types.js';
import { DeadlineQueue } from './deadlines.js';
import { resolveOptions } from './defaults.js';
import { FindingRegistry } from './findings.js';
import type { AnalysisOptions } from './options.js';
import { type HookTable, hookTable, recordGap, reduce } from './reducer.js';
import { copyCounts } from './records.js';
import { createRules } from './rules/index.js';
import type { RuleContext } from './rules/rule.js';
import { Staleness } from './staleness.js';
import { AnalysisState } from './state.js';
import type { Analysis, CountsSnapshot, FindingFilter, GapModel, Model } from './types.js';

/**
 * The analysis of one agent run. Time comes only from events' `t` and from
 * `advance`: every event first expires the grace periods that ended before
 * it, so the findings never depend on when (or whether) `advance` was called.
 */
export class AnalysisEngine implements Analysis {
  private readonly state: AnalysisState;
  private readonly registry: FindingRegistry;
  private readonly deadlines = new DeadlineQueue();
  private readonly hooks: HookTable;
  private readonly ctx: RuleContext;
  private readonly staleness: Staleness;
  private version_ = 0;
  /** A gap whose `t` waits for the first event after it. */
  private openGap: GapModel | undefined;

  constructor(options?: AnalysisOptions) {
    const resolved = resolveOptions(options);
    let state: AnalysisState | undefined;
    this.registry = new FindingRegistry([], (id) => state?.released(id));
    state = new AnalysisState(resolved, (id) => this.registry.isPinned(id));
    this.state = state;
    // The registry appends to the model's own findings array.
    state.model.findings = this.registry.list;
    this.hooks = hookTable(createRules());
    this.ctx = {
      options: resolved,
      state,
      findings: this.registry,
      schedule: (t, kind, id) => {
        this.deadlines.add(t, kind, id);
        // A deadline already in the past fires now, at its own time.
        if (t <= state.model.now) this.expire(state.model.now);
      },
    };
    const ctx = this.ctx;
    const hooks = this.hooks;
    this.staleness = new Staleness(state, resolved, ctx.schedule, {
      stale: (conn, at) => {
        for (const rule of hooks.sessionStale) rule.sessionStale!(ctx, conn, at);
      },
      revived: (conn, at) => {
        for (const rule of hooks.sessionRevived) rule.sessionRevived!(ctx, conn, at);
      },
    });
  }

  get model(): Model {
    this.state.compact();
    return this.state.model;
  }

  get version(): number {
    return this.version_;
  }

  apply(event: AgentEvent): void {
    if (!event || typeof event !== 'object') return;
    // Read once: events of every type pass here, where each read of a property is a slow (megamorphic) one.
    const { seq, t } = event;
    if (typeof seq !== 'number' || typeof t !== 'number') return;
    const model = this.state.model;
    // Replays of events already applied (overlapping snapshots, resubscribes) change nothing.
    if (seq <= model.seq) return;
    this.advance(t);
    model.seq = seq;
    if (this.openGap) {
      this.openGap.t = t;
      this.openGap = undefined;
    }
    reduce(event, this.ctx, this.staleness, this.hooks);
    this.state.endEvent(seq, t);
    this.version_++;
  }

  applyGap(gap: { from: number; to: number; count: number; reason: string }): void {
    this.openGap = recordGap(this.ctx, gap);
    this.version_++;
  }

  advance(now: number): void {
    if (typeof now !== 'number' || !(now > this.state.model.now)) return;
    this.state.model.now = now;
    this.expire(now);
    this.version_++;
  }

  findings(filter?: FindingFilter): Finding[] {
    return this.registry.filter(filter);
  }

  counts(): CountsSnapshot {
    return copyCounts(this.state.global);
  }

  takeChanges(): FindingChanges {
    return this.registry.takeChanges();
  }

  nextDeadline(): number | undefined {
    return this.deadlines.next;
  }

  lastDeadline(): number | undefined {
    const last = this.deadlines.last;
    return last !== undefined && last > this.state.model.now ? last : undefined;
  }

  get findingsVersion(): number {
    return this.registry.version;
  }

  /** Fires every deadline due by `now`, earliest first. */
  private expire(now: number): void {
    for (let d = this.deadlines.popDue(now); d; d = this.deadlines.popDue(now)) {
      if (d.kind === 'abandon' || d.kind === 'lapse') this.staleness.deadline(d, this.state.model.seq);
      else for (const rule of this.hooks.deadline) rule.deadline!(this.ctx, d);
    }
  }
}
