import { findingRows } from '../model/finding-rows.js';
import { useDerived } from '../hooks/use-store.js';
import type { UiStore } from '../data/ui-store.js';
import { useUi } from '../ui-context.js';

/** Shown in the summary: a leak reads from the first few. */
const MAX_SHOWN = 8;

/** Open findings in one card, worst first; each opens that finding in the Findings view. */
export function FindingsSummary() {
  const { store, show } = useUi();
  const open = useDerived(store, openFindings, { store });
  return (
    <section className="card" aria-labelledby="open-findings-title">
      <h2 className="section-title" id="open-findings-title" style={{ marginTop: 0 }}>
        Open findings ({open.length})
      </h2>
      {open.length === 0 ? (
        <p className="muted">No leaks or misuse found so far.</p>
      ) : (
        <ul className="recent" aria-label="Open findings summary">
          {open.slice(0, MAX_SHOWN).map((row) => (
            <li key={row.key}>
              <button type="button" className="linklike summary-link" onClick={() => show({ run: row.run, kind: 'finding', id: row.finding.id })}>
                <span className={row.finding.severity === 'error' ? 'err' : 'warn'}>{row.finding.severity}</span> [{row.finding.rule}] <span className="plain">{row.finding.title}</span>
              </button>
            </li>
          ))}
          {open.length > MAX_SHOWN && <li className="muted">…and {open.length - MAX_SHOWN} more</li>}
        </ul>
      )}
    </section>
  );
}

function openFindings({ store }: { store: UiStore }) {
  return findingRows(store.runs(), null).filter((r) => r.status === 'open');
}
