import { useState } from 'react';
import { RULE_IDS, type RuleId } from '../../../shared/protocol.js';
import { formatClock } from '../model/format.js';
import { useDerived } from '../hooks/use-store.js';
import type { UiStore } from '../data/ui-store.js';
import { useUi, type Selection, type Tab } from '../ui-context.js';
/** Findings as a linter shows them: rule id, severity, title, explanation, evidence that jumps to events. */
export function Findings() {
  const { store, window, jumpToEvent, select, setTab } = useUi();
  const [rule, setRule] = useState<RuleId | ''>('');
  const [showResolved, setShowResolved] = useState(true);
  const { all, runCount } = useDerived(store, allFindings, { store });
  const shown = all.filter(({ r, f }) => {
    if (rule && f.rule !== rule) return false;
    if (!showResolved && f.resolvedSeq !== undefined) return false;
    if (window) {
      const opened = r.startedAt + f.openedT;
      const resolved = f.resolvedT !== undefined ? r.startedAt + f.resolvedT : Infinity;
      if (opened > window.to || resolved < window.from) return false;
    }
    return true;
  });
  const open = all.filter(({ f }) => f.resolvedSeq === undefined).length;

  const showSubject = (run: number, id: string) => {
    const m = store.run(run)?.analysis.model;
    if (!m) return;
    const target: [Selection['kind'], Tab] | undefined = m.connections.some((c) => c.id === id)
      ? ['connection', 'connections']
      : m.listeners.some((l) => l.id === id)
        ? ['listener', 'listeners']
        : m.handles.some((h) => h.id === id)
          ? ['handle', 'handles']
          : undefined;
    if (!target) return;
    select({ run, kind: target[0], id });
    setTab(target[1]);
  };

  return (
    <div className="panel">
      <div className="filters" role="toolbar" aria-label="Finding filters">
        <label>
          Rule{' '}
          <select aria-label="Filter by rule" value={rule} onChange={(e) => setRule(e.target.value as RuleId | '')}>
            <option value="">all rules</option>
            {RULE_IDS.map((r) => (
              <option key={r} value={r}>
                {r} ({all.filter(({ f }) => f.rule === r).length})
              </option>
            ))}
          </select>
        </label>
        <label>
          <input type="checkbox" checked={showResolved} onChange={(e) => setShowResolved(e.target.checked)} /> show resolved
        </label>
        <span className="muted">
          {open} open · {all.length - open} resolved
        </span>
      </div>
      <div className="scroll" style={{ flex: 1 }}>
        {shown.length === 0 ? (
          <p className="pad muted">
            {all.length ? 'No findings match this filter or window.' : 'No findings: nothing leaked or misused so far. Findings appear here as the analysis sees them.'}
          </p>
        ) : (
          <ul role="list" aria-label="Findings" style={{ listStyle: 'none', margin: 0, padding: 0 }}>
            {shown.map(({ r, f }) => {
              const run = r.index + 1;
              return (
                <li key={`${run}:${f.id}`} className={`finding${f.resolvedSeq !== undefined ? ' resolved' : ''}`} aria-label={`${f.rule}: ${f.title}`}>
                  <h3>
                    <span className={`sev-${f.severity}`}>{f.severity === 'error' ? '✖' : f.severity === 'warning' ? '▲' : 'ℹ'} {f.severity}</span>
                    <span className="rule">{f.rule}</span>
                    <span>{f.title}</span>
                  </h3>
                  <p>{f.message}</p>
                  <div className="evidence">
                    <span className="muted">
                      opened {formatClock(r.startedAt + f.openedT)}
                      {f.resolvedT !== undefined ? `, resolved ${formatClock(r.startedAt + f.resolvedT)}` : ', open'}
                      {runCount > 1 ? ` · run ${run}` : ''} · subjects:
                    </span>
                    {f.subjects.map((s) => (
                      <button key={s} type="button" className="linklike" onClick={() => showSubject(run, s)}>
                        {s}
                      </button>
                    ))}
                    <span className="muted">· evidence:</span>
                    {f.evidence.slice(0, 20).map((seq) => (
                      <button key={seq} type="button" className="linklike" aria-label={`Show event ${seq}`} onClick={() => jumpToEvent({ run, seq })}>
                        #{seq}
                      </button>
                    ))}
                    {f.evidence.length > 20 && <span className="muted">…{f.evidence.length - 20} more</span>}
                  </div>
                </li>
              );
            })}
          </ul>
        )}
      </div>
    </div>
  );
}

function allFindings({ store }: { store: UiStore }) {
  return { all: store.target.runs.flatMap((r) => r.analysis.model.findings.map((f) => ({ r, f }))), runCount: store.target.runs.length };
}
