/** Analysis thresholds; defaults documented in docs/rules.md. */
export interface AnalysisOptions {
  /** ms a listener may outlive its closed owner before `orphan-listener`. Default 1000. */
  orphanGrace?: number;
  /** ms a handle may outlive its closed owner before `orphan-handle`. Default 1000. */
  handleGrace?: number;
  /** ms a connection may stay half-open before `half-open`. Default 2000. */
  halfOpenGrace?: number;
  /** ms an open session's peer must stay silent, once a newer session of its group opened, to count as abandoned. Default 3000. */
  abandonGrace?: number;
  /** Consecutive growing sessions that flag `listener-growth`. Default 3. */
  listenerGrowthSessions?: number;
  /** Consecutive growing sessions that flag `connection-growth`. Default 3. */
  connectionGrowthSessions?: number;
  /** Most closed/removed/dropped entities kept in the model. Default 5000 each. */
  retainDead?: number;
  /** Most points in `series`. Default 2000. */
  seriesLimit?: number;
}
