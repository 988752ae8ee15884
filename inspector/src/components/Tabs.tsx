import { useEffect, useRef, type KeyboardEvent, type ReactNode } from 'react';
import { useDerived } from '../hooks/use-store.js';
import type { UiStore } from '../data/ui-store.js';
import { openFindingCounts } from '../model/finding-rows.js';
import { TABS, useUi, type Tab } from '../ui-context.js';
import { Overview } from '../views/Overview.js';
import { Timeline } from '../views/Timeline.js';
import { Connections } from '../views/Connections.js';
import { Listeners } from '../views/Listeners.js';
import { Handles } from '../views/Handles.js';
import { Findings } from '../views/Findings.js';
import { Events } from '../views/Events.js';

const LABELS: Record<Tab, string> = {
  overview: 'Overview',
  timeline: 'Timeline',
  connections: 'Connections',
  listeners: 'Listeners',
  handles: 'Handles',
  findings: 'Findings',
  events: 'Events',
};

const VIEWS: Record<Tab, () => ReactNode> = {
  overview: Overview,
  timeline: Timeline,
  connections: Connections,
  listeners: Listeners,
  handles: Handles,
  findings: Findings,
  events: Events,
};

/** The views, as ARIA tabs: arrow keys move between tabs, digits 1–7 jump to one. */
export function Tabs() {
  const { tab, setTab, store } = useUi();
  const refs = useRef(new Map<Tab, HTMLButtonElement>());
  const { open, errors } = useDerived(store, badgeCounts, { store });

  const onKeyDown = (e: KeyboardEvent) => {
    const i = TABS.indexOf(tab);
    const next = e.key === 'ArrowRight' ? TABS[(i + 1) % TABS.length] : e.key === 'ArrowLeft' ? TABS[(i + TABS.length - 1) % TABS.length] : undefined;
    if (next) {
      e.preventDefault();
      setTab(next);
      refs.current.get(next)?.focus();
    }
  };

  // Digits 1–7 switch views from anywhere but a text field.
  useEffect(() => {
    const onKey = (e: globalThis.KeyboardEvent) => {
      const target = e.target as HTMLElement | null;
      if (e.altKey || e.ctrlKey || e.metaKey || target?.closest('input, textarea, select')) return;
      const n = Number(e.key);
      if (Number.isInteger(n) && n >= 1 && n <= TABS.length) setTab(TABS[n - 1]!);
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [setTab]);

  const View = VIEWS[tab];
  return (
    <>
      <div className="tabs" role="tablist" aria-label="Views" onKeyDown={onKeyDown}>
        {TABS.map((t) => (
          <button
            key={t}
            ref={(el) => {
              if (el) refs.current.set(t, el);
            }}
            type="button"
            role="tab"
            id={`tab-${t}`}
            aria-selected={t === tab}
            aria-controls={`panel-${t}`}
            tabIndex={t === tab ? 0 : -1}
            className="tab"
            onClick={() => setTab(t)}
          >
            {LABELS[t]}
            {t === 'findings' && open > 0 && (
              <span className={`badge ${errors ? 'error' : 'warning'}`}>
                <span className="sr-only"> (</span>
                {open}
                <span className="sr-only"> open)</span>
              </span>
            )}
          </button>
        ))}
      </div>
      <section className="panel" role="tabpanel" id={`panel-${tab}`} aria-labelledby={`tab-${tab}`}>
        <View />
      </section>
    </>
  );
}

function badgeCounts({ store }: { store: UiStore }) {
  return openFindingCounts(store.runs());
}
