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

/** Identity, the link's state with its reason, hub targets, agent-wide actions, save/open a recording. */
export function Header({ onOpenFile, hubTargets, hubState, targetKey, onChooseTarget }: Props) {
  const { store, runAction, link, show } = useUi();
  const fileInput = useRef<HTMLInputElement>(null);
  const actionsMenu = useRef<HTMLDetailsElement>(null);
  // Close the actions menu on a click elsewhere or on Escape, as menus do.
  useEffect(() => {
    const close = (event: Event) => {
      const menu = actionsMenu.current;
      if (!menu?.open) return;
      if (event instanceof KeyboardEvent) {
        if (event.key !== 'Escape') return;
        event.preventDefault();
        menu.open = false;
        menu.querySelector('summary')?.focus();
      } else if (!menu.contains(event.target as Node)) menu.open = false;
    };
    document.addEventListener('pointerdown', close);
    document.addEventListener('keydown', close);
    return () => {
      document.removeEventListener('pointerdown', close);
      document.removeEventListener('keydown', close);
    };
  }, []);
  const { hello, uptime, runCount, unattributed } = useDerived(store, identityOf, { store });
  const live = link.word === 'live';

  return (
    <header className="header">
      <h1 className="brand">
        bridge<span>scope</span>
      </h1>
      {hubState && (
        <nav aria-label="Targets">
          <ul className="targets">
            {hubTargets.length === 0 && <li className="muted">hub {hubState}: no targets yet</li>}
            {hubTargets.map((t) => (
              <li key={t.key}>
                <button
                  type="button"
                  className={`btn small${t.key === targetKey ? ' active' : ''}`}
                  aria-pressed={t.key === targetKey}
                  onClick={() => onChooseTarget(t.key)}
                  title={`${t.direction === 'in' ? 'dialled in' : 'connected out'}${t.remote ? ` from ${t.remote}` : ''}${t.verified === false ? ' — an agent older than pairing: it showed the pairing token, not its identity' : ''}`}
                >
                  <span className={`dot ${t.state === 'live' ? 'live' : 'offline'}`} /> {t.name}
                  {t.client ? ` · ${t.client}` : ''}
                  {t.duplicateOf !== undefined && ` ${t.key.slice(t.duplicateOf.length)}`} <span className="muted">({t.state})</span>
                  {t.duplicateOf !== undefined && <span className="muted"> another process of this name</span>}
                  {t.verified === false && <span className="muted"> unverified</span>}
                </button>
              </li>
            ))}
          </ul>
        </nav>
      )}
      {hello && (
        <ul className="identity" aria-label="Agent identity">
          <li>
            <b>{hello.agent.name}</b>
          </li>
          <li>pid {hello.agent.pid}</li>
          <li>{hello.agent.runtime}</li>
          <li title={live ? 'Uptime of the agent process' : 'How long it ran before the link was lost'}>
            {live ? 'up' : 'ran'} {formatDuration(uptime)}
          </li>
          <li>protocol {hello.protocol}</li>
          {runCount > 1 && <li title="The backend restarted: each process is a run">run {runCount}</li>}
        </ul>
      )}
      <div className="link-state" role="status" aria-label="Link state">
        <span className={`dot ${link.word.replace(' ', '-')}`} aria-hidden="true" />
        <b>{link.word}</b>
        {link.readonly && <span className="chip">readonly</span>}
        <span className="reason">{link.readonly ? link.actionsOff : link.reason}</span>
      </div>
      {unattributed > 0 && (
        <button
          type="button"
          className="chip degraded"
          title={`The agent could not tell which connection owned ${unattributed} piece${unattributed === 1 ? '' : 's'} of work: leaks of that work cannot be flagged. Open the finding.`}
          onClick={() => show({ run: runCount, kind: 'finding', id: 'unattributed:attribution' })}
        >
          detection degraded
        </button>
      )}
      <div className="spacer" />
      {hello && hello.actions.length > 0 && (
        // A menu, not a row of buttons: apps may register many actions (the demo has one per scenario).
        <details className="menu" ref={actionsMenu}>
          <summary className="btn">Actions ({hello.actions.length})</summary>
          <div className="menu-items" role="group" aria-label="Agent actions">
            {!link.canAct && <p className="menu-note">{link.actionsOff}</p>}
            {hello.actions.map((a) => (
              <button
                key={a.name}
                type="button"
                className="btn small"
                disabled={!link.canAct}
                title={link.actionsOff ?? undefined}
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
          title="Download everything seen so far as a recording file (NDJSON); open it later with Open…"
          onClick={() => download(`bridgescope-${hello?.agent.name ?? 'session'}-${new Date().toISOString().replace(/[:.]/g, '-')}.ndjson`, recordingText(store))}
        >
          <span aria-hidden="true">⤓ </span>Save recording
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

function identityOf({ store }: { store: UiStore }) {
  const run = store.target.currentRun();
  // Read once: reading the model brings it up to date (compacts it), and this runs with every progress step of a loading recording.
  const model = run?.analysis.model;
  return {
    hello: run?.hello,
    uptime: model?.now ?? 0,
    runCount: store.target.runs.length,
    // Older agents and recordings carry no attribution reports.
    unattributed: model?.attribution?.lost ?? 0,
  };
}
