import type { ReactNode } from 'react';
import { useSecondsUntil } from '../hooks/use-clock.js';
import { useDerived } from '../hooks/use-store.js';
import type { UiStore } from '../data/ui-store.js';
import { useUi } from '../ui-context.js';
import { formatCount } from '../model/format.js';

/** What the link state means and what to do about it; recording load errors; skipped malformed events; action failures. */
export function LinkBanner() {
  const { store, actionError, dismissActionError, link: summary } = useUi();
  const { link, runs, events, recordingErrors, malformed } = useDerived(store, bannerView, { store });
  const seconds = useSecondsUntil(link.status === 'reconnecting' ? link.retryAt : undefined);

  const banners: ReactNode[] = [];
  const history = runs > 0 ? ' The history so far is kept and the stream resumes where it stopped.' : '';
  switch (link.status) {
    case 'live':
      if (summary.word === 'offline') {
        banners.push(
          <div key="link" className="banner" role="alert">
            <b>Target offline.</b> {summary.reason} Actions are off. A restarted backend that dials in again becomes run {runs + 1}.
          </div>,
        );
      }
      break;
    case 'connecting':
      banners.push(
        <div key="link" className="banner info" role="status">
          Connecting to the agent{link.attempt > 0 ? ` (attempt ${link.attempt + 1})` : ''}…
        </div>,
      );
      break;
    case 'reconnecting': {
      banners.push(
        <div key="link" className="banner" role="alert">
          <b>Agent unreachable</b> ({link.reason}). Reconnecting in {seconds} s (attempt {link.attempt}).{history} If the backend
          restarted it will be picked up as a new run.
        </div>,
      );
      break;
    }
    case 'version-mismatch':
      banners.push(
        <div key="link" className="banner error" role="alert">
          <b>Version mismatch.</b> {link.message}
        </div>,
      );
      break;
    case 'token-refused':
      banners.push(
        <div key="link" className="banner error" role="alert">
          <b>Token refused.</b> {link.message} The agent logs its URL on start (<code>agent.url</code>), or set the same{' '}
          <code>BRIDGESCOPE_TOKEN</code> on both sides.
        </div>,
      );
      break;
    case 'offline':
      banners.push(
        <div key="link" className="banner error" role="alert">
          <b>Offline.</b> {link.reason}
        </div>,
      );
      break;
    case 'closed':
      banners.push(
        <div key="link" className="banner info" role="status">
          Disconnected from the agent.
        </div>,
      );
      break;
    case 'recording': {
      const errors = recordingErrors;
      banners.push(
        <div key="link" className={`banner ${errors.length ? 'error' : 'info'}`} role={errors.length ? 'alert' : 'status'}>
          {errors.length ? <b>This recording is broken.</b> : <b>Recording</b>} {link.name}: loaded {formatCount(events)} events in {runs} run{runs === 1 ? '' : 's'}
          {errors.length ? ' before the damage:' : ', offline (no agent connected).'}
          {errors.length > 0 && (
            <ul className="errors" aria-label="Recording errors">
              {errors.map((e) => (
                <li key={e.line}>{e.message}</li>
              ))}
            </ul>
          )}
        </div>,
      );
      break;
    }
  }
  if (malformed.count > 0) {
    banners.push(
      <div key="malformed" className="banner" role="status" aria-label="Malformed events">
        <b>
          {formatCount(malformed.count)} malformed event{malformed.count === 1 ? '' : 's'} skipped
        </b>{' '}
        (the latest: {malformed.latest}). The agent sent events this inspector cannot read; everything else is shown.
      </div>,
    );
  }
  if (actionError) {
    banners.push(
      <div key="action" className="banner error" role="alert">
        {actionError}{' '}
        <button type="button" className="btn small" onClick={dismissActionError}>
          Dismiss
        </button>
      </div>,
    );
  }
  return <>{banners}</>;
}

function bannerView({ store }: { store: UiStore }) {
  const malformed = store.target.malformed;
  return {
    link: store.link,
    runs: store.target.runs.length,
    events: store.log.length,
    recordingErrors: store.recordingErrors,
    malformed: { count: malformed.count, latest: malformed.latest },
  };
}
