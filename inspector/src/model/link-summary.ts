import type { UiLinkState } from '../data/ui-store.js';
import { formatClock } from './format.js';

/** In hub mode, whether the target's agent is connected to the hub, and since when (epoch ms) it is not. */
export interface HubTargetState {
  state: 'live' | 'offline';
  since?: number;
}

export type LinkWord = 'no agent' | 'connecting' | 'live' | 'reconnecting' | 'offline' | 'recording' | 'version mismatch' | 'token refused' | 'closed';

/** The link as the header states it, always with the reason. */
export interface LinkSummary {
  word: LinkWord;
  /** Why, in a sentence. */
  reason: string;
  /** The agent streams but runs no actions. */
  readonly: boolean;
  /** Actions can run now. */
  canAct: boolean;
  /** Why actions cannot run, when they cannot (button titles, the trace cards). */
  actionsOff: string | null;
}

export interface LinkInput {
  link: UiLinkState;
  hubTarget: HubTargetState | null;
  /** The current run's hello says readonly. */
  readonly: boolean;
  /** The link can send requests (a live agent connection exists). */
  canSend: boolean;
}

/** One honest answer to "what am I looking at": what the header shows and what gates the action buttons. */
export function linkSummary({ link, hubTarget, readonly, canSend }: LinkInput): LinkSummary {
  const { word, reason } = describe(link, hubTarget);
  const live = word === 'live';
  const actionsOff = !live
    ? `The agent is not connected (${word}): actions need a live agent.`
    : readonly
      ? 'The agent is readonly (started with readonly: true): it streams, but runs no actions.'
      : !canSend
        ? 'The link to the agent is not ready yet.'
        : null;
  return { word, reason, readonly: live && readonly, canAct: actionsOff === null, actionsOff };
}

function describe(link: UiLinkState, hubTarget: HubTargetState | null): { word: LinkWord; reason: string } {
  switch (link.status) {
    case 'idle':
      return { word: 'no agent', reason: 'Connect to an agent or open a recording.' };
    case 'connecting':
      return { word: 'connecting', reason: link.attempt > 0 ? `Connecting to the agent (attempt ${link.attempt + 1}).` : 'Connecting to the agent.' };
    case 'live':
      // A hub keeps serving a target's history after its agent left: the socket to the hub is live, the target is not.
      if (hubTarget?.state === 'offline') {
        return { word: 'offline', reason: `The agent disconnected from the hub${hubTarget.since !== undefined ? ` at ${formatClock(hubTarget.since)}` : ''}; showing its history until it dials in again.` };
      }
      return { word: 'live', reason: link.resumedFrom !== undefined ? `Streaming; resumed after event #${link.resumedFrom}.` : 'Streaming from the agent.' };
    case 'reconnecting':
      return { word: 'reconnecting', reason: `The agent is unreachable (${link.reason}); retrying.` };
    case 'offline':
      return { word: 'offline', reason: link.reason };
    case 'recording':
      return { word: 'recording', reason: `${link.name}, opened from a file: no agent is connected.` };
    case 'version-mismatch':
      return { word: 'version mismatch', reason: link.message };
    case 'token-refused':
      return { word: 'token refused', reason: link.message };
    case 'closed':
      return { word: 'closed', reason: 'Disconnected from the agent.' };
  }
}
