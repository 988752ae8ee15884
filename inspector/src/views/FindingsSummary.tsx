import { useDerived } from '../hooks/use-store.js';
import type { UiStore } from '../data/ui-store.js';
import { useUi } from '../ui-context.js';

/** Open findings in one card, worst first; a click opens the Findings view. */
export function FindingsSummary() {
  const { store, setTab } = useUi();
  const open = useDerived(store, openFindings, { store });
  return (
    <div className="card">
      <div className="section-title" style={{ marginTop: 0 }}>
        Open findings ({open.length})
      </div>
      {open.length === 0 ? (
        <p className="muted">No leaks or misuse found so far.</p>
      ) : (
        <ul className="recent" aria-label="Open findings summary">
          {open.slice(0, 8).map(({ run, f }) => (
            <li key={`${run}:${f.id}`}>
              <button type="button" className="linklike" onClick={() => setTab('findings')}>
                <span className={f.severity === 'error' ? 'err' : 'warn'}>{f.severity}</span> [{f.rule}]
              </button>{' '}
              {f.title}
            </li>
          ))}
          {open.length > 8 && <li className="muted">…and {open.length - 8} more</li>}
        </ul>
      )}
    </div>
  );
}

const RANK = { error: 0, warning: 1, info: 2 } as const;

function openFindings({ store }: { store: UiStore }) {
  return store.target.runs
    .flatMap((r) => r.analysis.model.findings.map((f) => ({ run: r.index + 1, f })))
    .filter(({ f }) => f.resolvedSeq === undefined)
    .sort((a, b) => RANK[a.f.severity] - RANK[b.f.severity]);
}
