import type { AnalysisOptions } from './options.js';

/** The thresholds every analysis uses unless told otherwise (documented in docs/rules.md). */
export const DEFAULT_ANALYSIS_OPTIONS: Readonly<Required<AnalysisOptions>> = Object.freeze({
  orphanGrace: 1000,
  handleGrace: 1000,
  halfOpenGrace: 2000,
  abandonGrace: 3000,
  listenerGrowthSessions: 3,
  connectionGrowthSessions: 3,
  retainDead: 5000,
  seriesLimit: 2000,
});

/** Defaults filled in; nonsensical values (negative, NaN) fall back to the default. */
export function resolveOptions(options: AnalysisOptions = {}): Required<AnalysisOptions> {
  const pick = (key: keyof AnalysisOptions, min: number): number => {
    const value = options[key];
    return typeof value === 'number' && Number.isFinite(value) && value >= min ? value : DEFAULT_ANALYSIS_OPTIONS[key];
  };
  return {
    orphanGrace: pick('orphanGrace', 0),
    handleGrace: pick('handleGrace', 0),
    halfOpenGrace: pick('halfOpenGrace', 0),
    abandonGrace: pick('abandonGrace', 0),
    // Growth needs at least two sessions to compare.
    listenerGrowthSessions: Math.floor(pick('listenerGrowthSessions', 2)),
    connectionGrowthSessions: Math.floor(pick('connectionGrowthSessions', 2)),
    retainDead: Math.floor(pick('retainDead', 0)),
    seriesLimit: Math.floor(pick('seriesLimit', 2)),
  };
}
