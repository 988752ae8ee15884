import { formatClock, formatDuration } from '../model/format.js';
import { useUi } from '../ui-context.js';

/** The one time window every view follows, and the way back to all time. */
export function WindowBar() {
  const { window, setWindow } = useUi();
  const open = window !== null && !Number.isFinite(window.to);
  return (
    <div className="windowbar" role="region" aria-label="Time window">
      {window ? (
        <>
          <span>
            {open ? (
              <>
                From <b>{formatClock(window.from)}</b> on (cleared): what ended before is hidden in every view.
              </>
            ) : (
              <>
                Window <b>{formatClock(window.from)}</b> – <b>{formatClock(window.to)}</b> ({formatDuration(window.to - window.from)}) filters every view.
              </>
            )}
          </span>
          <button type="button" className="btn small" onClick={() => setWindow(null)}>
            All time
          </button>
        </>
      ) : (
        <span>All time. Drag on the brush under the Overview chart, zoom the Timeline, or Clear a table to narrow every view.</span>
      )}
    </div>
  );
}
