import { useLayoutEffect, useRef, useState } from 'react';
import { RULE_IDS, type RuleId } from '../../../shared/protocol.js';
import { copyText } from '../components/clipboard.js';
import { findingRows, type FindingRow } from '../model/finding-rows.js';
import { formatClock } from '../model/format.js';
import { subjectSelection } from '../model/subjects.js';
import type { TimeWindow } from '../model/time-window.js';
import { useDerived } from '../hooks/use-store.js';
import type { UiStore } from '../data/ui-store.js';
import { useUi } from '../ui-context.js';

const SEVERITY_MARK = { error: '✖', warning: '▲', info: 'ℹ' } as const;

/** Findings as a linter shows them, worst first: rule id, severity, title, explanation, subjects and evidence that link to their views. */
export function Findings() {
  const { store, window, selection, select, show, jumpToEvent } = useUi();
  const [rule, setRule] = useState<RuleId | ''>('');
  const [showResolved, setShowResolved] = useState(true);
  const { rows, runCount, subjects } = useDerived(store, findingsView, { store, window });
  const shown = rows.filter((r) => (!rule || r.finding.rule === rule) && (showResolved || r.status === 'open'));
  const open = rows.filter((r) => r.status === 'open').length;
  const ended = rows.filter((r) => r.status === 'ended').length;
  const selectedKey = selection?.kind === 'finding' ? `${selection.run}:${selection.id}` : null;

  // A finding a link asked for scrolls into view and takes focus, once.
  const list = useRef<HTMLUListElement>(null);
  const revealed = useRef<string | null>(null);
  useLayoutEffect(() => {
    if (!selectedKey || !selection?.reveal || revealed.current === selectedKey) return;
    const item = list.current?.querySelector<HTMLElement>(`[data-key="${CSS.escape(selectedKey)}"]`);
    if (!item) return;
    revealed.current = selectedKey;
    item.scrollIntoView({ block: 'center' });
    item.focus();
  });

  return (
    <div className="panel">
      <div className="filters" role="toolbar" aria-label="Finding filters">
        <label>
          Rule{' '}
          <select aria-label="Filter by rule" value={rule} onChange={(e) => setRule(e.target.value as RuleId | '')}>
            <option value="">all rules</option>
            {RULE_IDS.map((r) => (
              <option key={r} value={r}>
                {r} ({rows.filter((row) => row.finding.rule === r).length})
              </option>
            ))}
          </select>
        </label>
        <label>
          <input type="checkbox" checked={showResolved} onChange={(e) => setShowResolved(e.target.checked)} /> show resolved and ended
        </label>
        <span className="muted" role="status" aria-label="Finding count">
          {open} open · {rows.length - open - ended} resolved{ended ? ` · ${ended} from ended runs` : ''}
        </span>
      </div>
      <div className="scroll" style={{ flex: 1 }}>
        {shown.length === 0 ? (
          <p className="pad muted">
            {rows.length ? 'No findings match this filter or window.' : 'No findings: nothing leaked or misused so far. Findings appear here as the analysis sees them.'}
          </p>
        ) : (
          <ul ref={list} aria-label="Findings" className="findings">
            {shown.map((row) => (
              <FindingItem
                key={row.key}
                row={row}
                runCount={runCount}
                selected={row.key === selectedKey}
                onSelect={() => select({ run: row.run, kind: 'finding', id: row.finding.id })}
                subjectOf={(id) => subjects(row.run, id)}
                onSubject={show}
                onEvidence={(seq) => jumpToEvent({ run: row.run, seq })}
              />
            ))}
          </ul>
        )}
      </div>
    </div>
  );
}

interface ItemProps {
  row: FindingRow;
  runCount: number;
  selected: boolean;
  onSelect(): void;
  subjectOf(id: string): ReturnType<typeof subjectSelection>;
  onSubject(selection: NonNullable<ReturnType<typeof subjectSelection>>): void;
  onEvidence(seq: number): void;
}

function FindingItem({ row, runCount, selected, onSelect, subjectOf, onSubject, onEvidence }: ItemProps) {
  const { finding: f, run, status } = row;
  const [note, setNote] = useState('');
  const copyLink = () => {
    onSelect();
    // The URL follows the selection on the next render.
    setTimeout(() => {
      copyText(location.href).then(
        () => setNote('link copied'),
        () => setNote('could not copy'),
      );
    }, 0);
  };
  return (
    <li
      data-key={row.key}
      tabIndex={-1}
      className={`finding ${status}${selected ? ' selected' : ''}`}
      aria-label={`${f.rule}: ${f.title}`}
      aria-current={selected || undefined}
    >
      <h3>
        <span className={`sev-${f.severity}`}>
          {SEVERITY_MARK[f.severity]} {f.severity}
        </span>
        <span className="rule">{f.rule}</span>
        <button type="button" className="finding-title" onClick={onSelect}>
          {f.title}
        </button>
        {status !== 'open' && <span className={`chip ${status}`}>{status === 'ended' ? `run ${run} ended: its process is gone` : 'resolved'}</span>}
        {status === 'open' && runCount > 1 && <span className="chip">run {run}</span>}
      </h3>
      <p>{f.message}</p>
      {f.stack && f.stack.length > 0 && (
        <details className="finding-stack">
          <summary>
            Creation stack ({f.stack.length} frame{f.stack.length === 1 ? '' : 's'})
          </summary>
          <pre className="stack" tabIndex={0}>
            {f.stack.join('\n')}
          </pre>
        </details>
      )}
      <div className="evidence">
        <span className="muted">
          opened {formatClock(row.openedAt)}
          {row.resolvedAt !== undefined ? `, resolved ${formatClock(row.resolvedAt)}` : status === 'ended' ? ', never resolved' : ', open'} · subjects:
        </span>
        {f.subjects.map((s) => {
          const target = subjectOf(s);
          return (
            <button
              key={s}
              type="button"
              className="linklike"
              disabled={!target}
              title={target ? `Show ${target.kind} ${s}` : `${s} is no longer in the model (pruned)`}
              onClick={() => target && onSubject(target)}
            >
              {s}
            </button>
          );
        })}
        <span className="muted">· evidence:</span>
        {f.evidence.slice(0, 20).map((seq) => (
          <button key={seq} type="button" className="linklike" aria-label={`Show event ${seq}`} onClick={() => onEvidence(seq)}>
            #{seq}
          </button>
        ))}
        {f.evidence.length > 20 && <span className="muted">…{f.evidence.length - 20} more</span>}
        <span className="spacer" />
        <button type="button" className="btn small" onClick={copyLink} aria-label={`Copy a link to ${f.rule}: ${f.title}`}>
          Copy link
        </button>
        {note && <span className="muted">{note}</span>}
      </div>
    </li>
  );
}

function findingsView({ store, window }: { store: UiStore; window: TimeWindow | null }) {
  const runs = store.runs();
  return {
    rows: findingRows(runs, window),
    runCount: runs.length,
    subjects: (run: number, id: string) => {
      const model = runs.find((r) => r.run === run)?.model;
      return model ? subjectSelection(model, run, id) : null;
    },
  };
}
