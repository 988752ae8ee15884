import { buildTrace, type TeardownTrace } from '../model/teardown-trace.js';
import { resolveAction } from '../model/trace-ref.js';
import { formatDuration, formatOffset } from '../model/format.js';
import { useUi, type TeardownTraceRef } from '../ui-context.js';
import type { UiStore } from '../data/ui-store.js';
import { useDerived } from '../hooks/use-store.js';

/** Open teardown traces, side by side so disconnect and close can be compared. */
export function TracePanel() {
  const { store, traces, closeTrace } = useUi();
  const built = useDerived(store, tracesView, { store, traces });
  if (!built.length) return null;
  return (
    <div className="traces" role="region" aria-label="Teardown traces">
      {built.map(({ ref, trace }) => (
        <TraceCard key={ref.key} refKey={ref} trace={trace} onClose={() => closeTrace(ref)} />
      ))}
    </div>
  );
}

function TraceCard({ refKey, trace, onClose }: { refKey: TeardownTraceRef; trace: TeardownTrace | null; onClose(): void }) {
  const title = `${refKey.name} ${refKey.conn ?? 'agent'}`;
  const verdict = trace?.result?.verdict;
  return (
    <article className="card trace" aria-label={`Trace ${title}`}>
      <h4 style={{ display: 'flex', gap: 8, alignItems: 'baseline' }}>
        <span>
          {refKey.name} on {refKey.conn ?? 'agent'}
        </span>
        {trace && (
          <span className={`verdict ${verdict ?? ''}`} role="status" aria-label="Verdict">
            {trace.verdictText}
          </span>
        )}
        <span className="spacer" />
        <button type="button" className="btn small" onClick={onClose} aria-label={`Close trace ${title}`}>
          ×
        </button>
      </h4>
      {!trace ? (
        <p className="muted">Waiting for the action to start…</p>
      ) : (
        <>
          <ol aria-label={`Steps of ${title}`}>
            <li>
              <span className="dt">+0 ms</span>
              <span className="cat-action">{trace.name} started</span>
            </li>
            {trace.steps.map((s) => (
              <li key={s.seq}>
                <span className="dt">{formatOffset(s.dt)}</span>
                <span className={`cat-${s.type.split('.')[0]}`}>{s.text}</span>
              </li>
            ))}
          </ol>
          <p style={{ margin: '6px 0 0' }}>
            {trace.listenersRemoved} listener{trace.listenersRemoved === 1 ? '' : 's'} removed, {trace.handlesDropped} handle
            {trace.handlesDropped === 1 ? '' : 's'} dropped
            {trace.result ? ` · settled in ${formatDuration(trace.result.duration)}` : ''}
          </p>
        </>
      )}
    </article>
  );
}

function tracesView({ store, traces }: { store: UiStore; traces: TeardownTraceRef[] }) {
  return traces.map((ref) => ({ ref, trace: traceFor(store, ref) }));
}

function traceFor(store: UiStore, ref: TeardownTraceRef): TeardownTrace | null {
  const run = store.run(ref.run);
  if (!run) return null;
  const model = run.analysis.model;
  const action = resolveAction(model.actions, ref);
  if (!action) return null;
  const listenerOwners = new Map(model.listeners.map((l) => [l.id, l.owner]));
  const handleOwners = new Map(model.handles.map((h) => [h.id, h.owner]));
  const from = store.log.indexOf(ref.run, action.startedSeq);
  if (from < 0) return null;
  return buildTrace(ref.run, store.log.runEvents(ref.run, from), action.id, (kind, id) =>
    kind === 'listener' ? listenerOwners.get(id) : handleOwners.get(id),
  );
}
