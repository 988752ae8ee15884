/**
 * What a finding rule sees. The reducer updates the model first, then calls
 * the hooks of every rule that has one; a rule opens and resolves findings
 * through the registry and may wait for a grace period with `schedule`.
 */
import type {
  ActionSettleEvent,
  AttributionLostEvent,
  ConnCloseEvent,
  ConnOpenEvent,
  ConnPeerEndEvent,
  ConnLocalEndEvent,
  ConnWriteAfterCloseEvent,
  HandleAccessEvent,
  HandleDropEvent,
  HandleStoreEvent,
  ListenerAddEvent,
  RuleId,
} from '../../protocol.js';
import type { Deadline } from '../deadlines.js';
import type { FindingRegistry } from '../findings.js';
import type { AnalysisOptions } from '../options.js';
import type { ActionRecord, ConnRecord, HandleRecord, ListenerRecord } from '../records.js';
import type { AnalysisState } from '../state.js';

export interface RuleContext {
  readonly options: Readonly<Required<AnalysisOptions>>;
  readonly state: AnalysisState;
  readonly findings: FindingRegistry;
  /** Calls the rules' `deadline` hooks once time reaches `t` (at once if it already has). */
  schedule(t: number, kind: Deadline['kind'], id: string): void;
}

/** When something stopped existing: the event that ended it. */
export interface At {
  seq: number;
  t: number;
}

export interface Rule {
  readonly id: RuleId;
  connOpened?(ctx: RuleContext, conn: ConnRecord, e: ConnOpenEvent): void;
  connPeerEnded?(ctx: RuleContext, conn: ConnRecord, e: ConnPeerEndEvent): void;
  connLocalEnded?(ctx: RuleContext, conn: ConnRecord, e: ConnLocalEndEvent): void;
  connClosed?(ctx: RuleContext, conn: ConnRecord, e: ConnCloseEvent): void;
  /** `conn` is undefined when the connection is unknown (opened before a gap). */
  wroteAfterClose?(ctx: RuleContext, conn: ConnRecord | undefined, e: ConnWriteAfterCloseEvent): void;
  listenerAdded?(ctx: RuleContext, listener: ListenerRecord, e: ListenerAddEvent): void;
  listenerRemoved?(ctx: RuleContext, listener: ListenerRecord, at: At): void;
  handleStored?(ctx: RuleContext, handle: HandleRecord, e: HandleStoreEvent): void;
  /** Dropped or taken. */
  handleGone?(ctx: RuleContext, handle: HandleRecord, at: At): void;
  /** A retrieve, take or drop with `ok: false`; `handle` is the id's model if it was ever stored. */
  handleMisused?(ctx: RuleContext, e: HandleAccessEvent | HandleDropEvent, handle: HandleRecord | undefined): void;
  actionSettled?(ctx: RuleContext, action: ActionRecord, e: ActionSettleEvent): void;
  deadline?(ctx: RuleContext, deadline: Deadline): void;
  /** A session became stale: abandoned by its client, or closed past the orphan grace while still holding something. */
  sessionStale?(ctx: RuleContext, conn: ConnRecord, at: At): void;
  /** An abandoned session talked again or closed. */
  sessionRevived?(ctx: RuleContext, conn: ConnRecord, at: At): void;
  attributionLost?(ctx: RuleContext, e: AttributionLostEvent): void;
}

export type RuleHook = Exclude<keyof Rule, 'id'>;
