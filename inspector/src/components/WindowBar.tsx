import { formatClock, formatDuration } from '../model/format.js';
import { useUi } from '../ui-context.js';

/** The one selected time window that filters every view, and how to clear it. */
export function WindowBar() {
  const { window, setWindow } = useUi();
  return (
    <div className="windowbar" role="region" aria-label="Time window">
      {window ? (
        <>
          Window <b>{formatClock(window.from)}</b> – <b>{formatClock(window.to)}</b> ({formatDuration(window.to - window.from)}) filters every view.
          <button type="button" className="btn small" onClick={() => setWindow(null)}>
            Show all time
          </button>
        </>
      ) : (
        <>All time. Drag the brush under the Overview charts to select a window.</>
      )}
    </div>
  );
}
