import type { Finding } from '../../../shared/protocol.js';
import { buildTrace, connectionStateAt, type TeardownTrace } from '../model/teardown-trace.js';
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
    <section className="traces" aria-label="Teardown traces">
      {built.map(({ ref, trace, findings }) => (
        <TraceCard key={ref.key} refKey={ref} trace={trace} findings={findings} onClose={() => closeTrace(ref)} />
      ))}
    </section>
  );
}

interface CardProps {
  refKey: TeardownTraceRef;
  trace: TeardownTrace | null;
  /** Findings about the connection that opened once the action started (`emit-after-close`…). */
  findings: Finding[];
  onClose(): void;
}

function TraceCard({ refKey, trace, findings, onClose }: CardProps) {
  const { link, show } = useUi();
  const title = `${refKey.name} ${refKey.conn ?? 'agent'}`;
  const closedButFlagged = trace?.tone === 'clean' && findings.some((f) => f.severity === 'error');
  // No verdict will come: the request failed, or the agent went away before the action settled.
  // Whether the agent started it before the request failed cannot be known: no verdict either way.
  const lost = refKey.failed
    ? `no verdict: ${refKey.failed}`
    : !trace?.result && link.word !== 'live'
      ? `no verdict: the agent went ${link.word} before the action settled`
      : null;
  const tone = lost ? 'failed' : closedButFlagged ? 'troubled' : (trace?.tone ?? 'running');
  const verdict = lost ?? (closedButFlagged ? `closed, but ${findings.map((f) => f.rule).join(', ')}` : (trace?.verdictText ?? 'waiting for the action to start…'));
  return (
    <article className="card trace" aria-label={`Trace ${title}`}>
      <h3 className="trace-title">
        <span>
          {refKey.name} on {refKey.conn ?? 'agent'}
        </span>
        <span className={`verdict ${tone}`} role="status" aria-label="Verdict">
          {verdict}
        </span>
        <span className="spacer" />
        <button type="button" className="btn small" onClick={onClose} aria-label={`Close trace ${title}`}>
          ×
        </button>
      </h3>
      {trace && (
        <>
          <ol aria-label={`Steps of ${title}`}>
            <li>
              <span className="dt">+0 ms</span>
              <span className="cat-action">{trace.name} started</span>
            </li>
            {trace.steps.map((s) => (
              <li key={s.seq}>
                <span className="dt">{formatOffset(s.dt)}</span>
                <span className={`cat-${s.type.split('.')[0]}${s.type === 'conn.error' || s.type === 'conn.write-after-close' ? ' err' : ''}`}>{s.text}</span>
              </li>
            ))}
          </ol>
          <p className="trace-summary">
            {trace.listenersRemoved} listener{trace.listenersRemoved === 1 ? '' : 's'} removed, {trace.handlesDropped} handle
            {trace.handlesDropped === 1 ? '' : 's'} dropped
            {trace.result ? ` · settled in ${formatDuration(trace.result.duration)}` : ''}
          </p>
        </>
      )}
      {findings.length > 0 && (
        <p className="trace-summary">
          New findings:{' '}
          {findings.map((f) => (
            <button key={f.id} type="button" className={`linklike ${f.severity === 'error' ? 'err' : 'warn'}`} onClick={() => show({ run: refKey.run, kind: 'finding', id: f.id })}>
              {f.rule}
            </button>
          ))}
        </p>
      )}
    </article>
  );
}

function tracesView({ store, traces }: { store: UiStore; traces: TeardownTraceRef[] }) {
  return traces.map((ref) => ({ ref, ...traceFor(store, ref) }));
}

function traceFor(store: UiStore, ref: TeardownTraceRef): { trace: TeardownTrace | null; findings: Finding[] } {
  const none = { trace: null, findings: [] };
  const run = store.run(ref.run);
  if (!run) return none;
  const model = run.analysis.model;
  const action = resolveAction(model.actions, ref);
  if (!action) return none;
  const listenerOwners = new Map(model.listeners.map((l) => [l.id, l.owner]));
  const handleOwners = new Map(model.handles.map((h) => [h.id, h.owner]));
  const from = store.log.indexOf(ref.run, action.startedSeq);
  if (from < 0) return none;
  const conn = action.connection === null ? undefined : model.connections.find((c) => c.id === action.connection);
  const state = conn && action.settledSeq !== undefined ? connectionStateAt(conn, action.settledSeq) : undefined;
  const trace = buildTrace(ref.run, store.log.runEvents(ref.run, from), action.id, (kind, id) => (kind === 'listener' ? listenerOwners.get(id) : handleOwners.get(id)), state);
  const findings = conn ? model.findings.filter((f) => f.subjects.includes(conn.id) && f.openedSeq >= action.startedSeq).map((f) => ({ ...f })) : [];
  return { trace, findings };
}
