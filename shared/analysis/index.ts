/**
 * `bridgescope/analysis`: pure leak analysis of a Bridgescope event stream.
 * The same code runs in the agent, the browser UI, the testing client and on
 * replayed recordings, so all of them agree on the findings.
 */
import type { AgentEvent } from '../protocol.js';
import { AnalysisEngine } from './engine.js';
import type { AnalysisOptions } from './options.js';
import type { Analysis, Model } from './types.js';

export { DEFAULT_ANALYSIS_OPTIONS } from './defaults.js';
export type { AnalysisOptions } from './options.js';
export type * from './types.js';

/** A live analysis: feed it events in seq order, read `model` and findings. */
export function createAnalysis(options?: AnalysisOptions): Analysis {
  return new AnalysisEngine(options);
}

/**
 * Runs a whole stream (e.g. a replayed recording) and returns the final
 * model. `now`, when given, advances time past the last event so grace
 * periods that ended since then are applied.
 */
export function analyze(events: Iterable<AgentEvent>, options?: AnalysisOptions, now?: number): Model {
  const analysis = new AnalysisEngine(options);
  for (const event of events) analysis.apply(event);
  if (now !== undefined) analysis.advance(now);
  return analysis.model;
}
