import { useEffect, useState } from 'react';
import type { OverviewCharts } from './OverviewCharts.js';

/**
 * The Overview's charts (recharts and what it pulls in: half the UI's code)
 * in a chunk of their own. It is fetched as soon as the UI's code runs, and
 * parsed and run while the page starts or a recording loads, so the rest of
 * the UI is up sooner; by the time a recording has loaded it is there.
 */
type Charts = typeof OverviewCharts;

let charts: Charts | undefined;
let failure: string | undefined;
const loading = import('./OverviewCharts.js').then(
  (module) => (charts = module.OverviewCharts),
  (error: unknown) => {
    failure = error instanceof Error ? error.message : String(error);
  },
);

/** The charts component once its chunk is loaded (at once when it already is), or why it could not be. */
export function useOverviewCharts(): { charts: Charts | undefined; failure: string | undefined } {
  const [, loaded] = useState(charts !== undefined || failure !== undefined);
  useEffect(() => {
    if (charts === undefined && failure === undefined) void loading.then(() => loaded(true));
  }, []);
  return { charts, failure };
}
