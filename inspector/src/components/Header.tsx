import { useEffect, useRef } from 'react';
import { download, recordingText } from '../data/sources.js';
import type { TargetInfo } from '../../../shared/hub-protocol.js';
import { formatDuration } from '../model/format.js';
import { useDerived } from '../hooks/use-store.js';
import type { UiStore } from '../data/ui-store.js';
import { useUi } from '../ui-context.js';

interface Props {
  onOpenFile(file: File): void;
  hubTargets: TargetInfo[];
  hubState: 'connecting' | 'live' | 'down' | null;
  targetKey: string | null;
  onChooseTarget(key: string): void;
}

const STATE_TEXT: Record<string, string> = {
  idle: 'no agent',
  connecting: 'connecting',
  live: 'live',
  reconnecting: 'reconnecting',
  'version-mismatch': 'version mismatch',
  'token-refused': 'token refused',
  offline: 'offline',
  closed: 'closed',
  recording: 'recording (offline)',
};

/** Identity, link state, hub targets, agent-wide actions, record/open. */
export function Header({ onOpenFile, hubTargets, hubState, targetKey, onChooseTarget }: Props) {
  const { store, runAction } = useUi();
  const fileInput = useRef<HTMLInputElement>(null);
  const actionsMenu = useRef<HTMLDetailsElement>(null);
  // Close the actions menu on a click elsewhere, as menus do.
  useEffect(() => {
    const onPointerDown = (event: PointerEvent) => {
      const menu = actionsMenu.current;
      if (menu?.open && !menu.contains(event.target as Node)) menu.open = false;
    };
    document.addEventListener('pointerdown', onPointerDown);
    return () => document.removeEventListener('pointerdown', onPointerDown);
  }, []);
  const { hello, uptime, runCount, status } = useDerived(store, headerView, { store });
  const live = status === 'live' && store.runAction !== null;

  return (
    <header className="header" aria-label="Agent">
      <div className="brand">
        bridge<span>scope</span>
      </div>
      {hubState && (
        <nav aria-label="Targets">
          <ul className="targets" role="list">
            {hubTargets.length === 0 && <li className="muted">hub {hubState}: no targets yet</li>}
            {hubTargets.map((t) => (
              <li key={t.key}>
                <button
                  type="button"
                  className={`btn small${t.key === targetKey ? ' active' : ''}`}
                  aria-pressed={t.key === targetKey}
                  onClick={() => onChooseTarget(t.key)}
                  title={`${t.direction === 'in' ? 'dialled in' : 'connected out'}${t.remote ? ` from ${t.remote}` : ''}`}
                >
                  <span className={`dot ${t.state === 'live' ? 'live' : 'closed'}`} /> {t.name}
                  {t.client ? ` · ${t.client}` : ''} <span className="muted">({t.state})</span>
                </button>
              </li>
            ))}
          </ul>
        </nav>
      )}
      {hello && (
        <dl className="identity" aria-label="Agent identity">
          <span>
            <b>{hello.agent.name}</b>
          </span>
          <span>pid {hello.agent.pid}</span>
          <span>{hello.agent.runtime}</span>
          <span>up {formatDuration(uptime)}</span>
          <span>protocol {hello.protocol}</span>
          {runCount > 1 && <span>run {runCount}</span>}
        </dl>
      )}
      <span className="link-state" role="status" aria-label="Link state">
        <span className={`dot ${status}`} />
        {STATE_TEXT[status] ?? status}
      </span>
      <div className="spacer" />
      {hello && hello.actions.length > 0 && (
        // A menu, not a row of buttons: apps may register many actions (the demo has one per scenario).
        <details className="menu" ref={actionsMenu}>
          <summary className="btn">Actions ({hello.actions.length})</summary>
          <div className="menu-items" role="group" aria-label="Agent actions">
            {hello.actions.map((a) => (
              <button
                key={a.name}
                type="button"
                className="btn small"
                disabled={!live || hello.readonly}
                onClick={() => {
                  if (actionsMenu.current) actionsMenu.current.open = false;
                  void runAction(null, a.name);
                }}
              >
                {a.label ?? a.name}
              </button>
            ))}
          </div>
        </details>
      )}
      <div className="toolbar">
        <button
          type="button"
          className="btn"
          disabled={!hello}
          title="Download everything seen so far as a recording (NDJSON)"
          onClick={() => download(`bridgescope-${hello?.agent.name ?? 'session'}-${new Date().toISOString().replace(/[:.]/g, '-')}.ndjson`, recordingText(store))}
        >
          <span className="rec-dot" aria-hidden="true" /> Record
        </button>
        <button type="button" className="btn" onClick={() => fileInput.current?.click()} title="Open a recording (or drop it on the page)">
          Open…
        </button>
        <input
          ref={fileInput}
          type="file"
          accept=".ndjson,.jsonl,.json,application/x-ndjson"
          aria-label="Open recording file"
          hidden
          onChange={(e) => {
            const file = e.target.files?.[0];
            if (file) onOpenFile(file);
            e.target.value = '';
          }}
        />
      </div>
    </header>
  );
}

function headerView({ store }: { store: UiStore }) {
  const run = store.target.currentRun();
  return { hello: run?.hello, uptime: run?.analysis.model.now ?? 0, runCount: store.target.runs.length, status: store.link.status };
}
