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
  /**
   * The current run's agent proved who it is: it paired with an instance
   * key, or the hub dialled it itself. False for an agent older than
   * pairing, which only showed the token.
   */
  verified: boolean;
  /**
   * Set when another target already had this name and client, and this
   * agent could not show it was that one's process (a second process of the
   * same name, or an impostor): the key of that target. This one's key is
   * that key plus `#2`, `#3`, ….
   */
  duplicateOf?: string;
}

export interface TargetsMessage {
  type: 'targets';
  targets: TargetInfo[];
}
