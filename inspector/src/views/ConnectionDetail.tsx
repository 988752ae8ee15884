import { formatClock, formatDuration } from '../model/format.js';
import { absoluteTime } from '../model/time-window.js';
import { useDerived } from '../hooks/use-store.js';
import type { UiStore } from '../data/ui-store.js';
import { DetailHeader } from '../components/DetailHeader.js';
import { useUi } from '../ui-context.js';
import { ConnectionActions } from './ConnectionActions.js';

/** Everything about one connection: lifecycle, what it owns, its findings, where it was created. */
export function ConnectionDetail({ run, id }: { run: number; id: string }) {
  const { store, jumpToEvent, select, show } = useUi();
  const detail = useDerived(store, connectionDetail, { store, run, id });
  if (!detail) return <p className="pad muted">Connection {id} is no longer in the model (pruned).</p>;
  const { startedAt, c, gone, listeners, handles, findings, session } = detail;
  const abs = (t: number) => formatClock(absoluteTime(startedAt, t));
  const state = gone ? 'gone' : c.state;
  return (
    <div className="pad">
      <DetailHeader title={`Connection ${id}`} json={{ run, ...c }} onClose={() => select(null)} />
      {!gone && c.state !== 'closed' && c.actions.length > 0 && (
        <div className="detail-actions">
          <ConnectionActions row={c} />
        </div>
      )}
      <dl className="kv">
        <dt>state</dt>
        <dd className={`state-${state}`}>
          {gone ? 'gone with its process (restart)' : c.state}
          {c.cause ? ` (${c.cause}${c.error ? ` ${c.error}` : ''})` : ''}
        </dd>
        {c.abandoned && !gone && c.state !== 'closed' && (
          <>
            <dt className="warn">abandoned</dt>
            <dd className="warn">its client opened a newer session and this one went silent: nothing will close it but the backend</dd>
          </>
        )}
        {c.protocol && (
          <>
            <dt>protocol</dt>
            <dd>{c.protocol}</dd>
          </>
        )}
        {c.via && (
          <>
            <dt>carried by</dt>
            <dd>
              <button type="button" className="linklike" onClick={() => show({ run, kind: 'connection', id: c.via! })}>
                {c.via}
              </button>
            </dd>
          </>
        )}
        <dt>server</dt>
        <dd>
          {c.server ?? 'registered by the app'} · {c.transport}
        </dd>
        {c.client && (
          <>
            <dt>client</dt>
            <dd>{c.client}</dd>
          </>
        )}
        {c.peer && (
          <>
            <dt>peer</dt>
            <dd>{c.peer}</dd>
          </>
        )}
        <dt>opened</dt>
        <dd>
          <button type="button" className="linklike" onClick={() => jumpToEvent({ run, seq: c.openedSeq })}>
            {abs(c.openedT)} (#{c.openedSeq})
          </button>
        </dd>
        {c.peerEndedT !== undefined && (
          <>
            <dt>peer EOF</dt>
            <dd>+{formatDuration(c.peerEndedT - c.openedT)}</dd>
          </>
        )}
        {c.localEndedT !== undefined && (
          <>
            <dt>FIN sent</dt>
            <dd>+{formatDuration(c.localEndedT - c.openedT)}</dd>
          </>
        )}
        {c.closedT !== undefined && c.closedSeq !== undefined && (
          <>
            <dt>closed</dt>
            <dd>
              <button type="button" className="linklike" onClick={() => jumpToEvent({ run, seq: c.closedSeq! })}>
                {abs(c.closedT)} (+{formatDuration(c.closedT - c.openedT)})
              </button>
            </dd>
          </>
        )}
        <dt>session</dt>
        <dd>
          {session ? `${session.group} reload ${session.index}` : '—'}
        </dd>
        {c.deadWrites > 0 && (
          <>
            <dt className="err">dead writes</dt>
            <dd className="err">{c.deadWrites}</dd>
          </>
        )}
      </dl>
      {findings.length > 0 && (
        <>
          <div className="section-title">Findings</div>
          <ul className="recent">
            {findings.map((f) => (
              <li key={f.id}>
                <button type="button" className={`linklike ${f.resolvedSeq === undefined ? (f.severity === 'error' ? 'err' : 'warn') : 'muted'}`} onClick={() => show({ run, kind: 'finding', id: f.id })}>
                  [{f.rule}] {f.title}
                  {f.resolvedSeq !== undefined ? ' (resolved)' : ''}
                </button>
              </li>
            ))}
          </ul>
        </>
      )}
      <div className="section-title">
        Listeners owned ({listeners.filter((l) => l.removedSeq === undefined).length} live of {listeners.length})
      </div>
      <ul className="recent mono">
        {listeners.map((l) => (
          <li key={l.id} className={l.removedSeq === undefined ? undefined : 'muted'}>
            <button type="button" className="linklike" onClick={() => show({ run, kind: 'listener', id: l.id })}>
              {l.id}
            </button>{' '}
            {l.emitterName} “{l.event}” {l.removedSeq === undefined ? 'attached' : `removed (${l.how})`}
          </li>
        ))}
      </ul>
      <div className="section-title">Handles owned ({handles.filter((h) => h.state === 'live').length} live of {handles.length})</div>
      <ul className="recent mono">
        {handles.map((h) => (
          <li key={h.id} className={h.state === 'live' ? undefined : 'muted'}>
            <button type="button" className="linklike" onClick={() => show({ run, kind: 'handle', id: h.id })}>
              {h.id}
            </button>{' '}
            {h.type} {h.state}
          </li>
        ))}
      </ul>
      {c.stack && c.stack.length > 0 && (
        <>
          <div className="section-title">Opened at</div>
          <pre className="stack">{c.stack.join('\n')}</pre>
        </>
      )}
    </div>
  );
}

function connectionDetail({ store, run, id }: { store: UiStore; run: number; id: string }) {
  const r = store.run(run);
  const m = r?.analysis.model;
  const c = m?.connections.find((x) => x.id === id);
  if (!r || !m || !c) return null;
  return {
    startedAt: r.startedAt,
    c: { ...c },
    gone: r.endedAt !== undefined && c.state !== 'closed',
    listeners: m.listeners.filter((l) => l.owner === id).map((l) => ({ ...l })),
    handles: m.handles.filter((h) => h.owner === id).map((h) => ({ ...h })),
    findings: m.findings.filter((f) => f.subjects.includes(id)).map((f) => ({ ...f })),
    session: m.sessions[c.session],
  };
}
