/**
 * What the hub (`bridgescope serve`) pushes to the UI on `/ui?token=…`: the
 * targets it knows. Each target's `url` is an agent-protocol endpoint on the
 * hub, opened with AgentLink like any agent.
 */

/** A backend identity (name + client) across its restarts. */
export interface TargetInfo {
  key: string;
  name: string;
  client?: string;
  instance: string;
  state: 'live' | 'offline';
  direction: 'in' | 'out';
  remote: string;
  /** The agent-protocol endpoint for this target on the hub, token included. */
  url: string;
}

export interface TargetsMessage {
  type: 'targets';
  targets: TargetInfo[];
}
