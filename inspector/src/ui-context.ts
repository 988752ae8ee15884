import { createContext, useContext } from 'react';
import type { UiStore } from './data/ui-store.js';
import type { TimeWindow } from './model/time-window.js';
import type { TeardownTrace } from './model/teardown-trace.js';

export const TABS = ['overview', 'timeline', 'connections', 'listeners', 'handles', 'findings', 'events'] as const;
export type Tab = (typeof TABS)[number];

/** What is selected across views: a connection, listener, handle, action, finding or event (its seq) of one run. */
export interface Selection {
  run: number;
  kind: 'connection' | 'listener' | 'handle' | 'action' | 'finding' | 'event';
  id: string;
  /** Set when another view or a link asked for it: its view scrolls it into view once. */
  reveal?: boolean;
}

export interface EventFocus {
  run: number;
  seq: number;
}

export interface Ui {
  store: UiStore;
  tab: Tab;
  setTab(tab: Tab): void;
  window: TimeWindow | null;
  setWindow(window: TimeWindow | null): void;
  selection: Selection | null;
  select(selection: Selection | null): void;
  /** Switches to Events with this event selected and in view (clearing a window that hides it). */
  jumpToEvent(focus: EventFocus): void;
  /** Actions whose teardown traces are open (run:action id), newest last. */
  traces: TeardownTraceRef[];
  openTrace(ref: TeardownTraceRef): void;
  closeTrace(ref: TeardownTraceRef): void;
  /** Runs an action and opens its trace. */
  runAction(conn: string | null, name: string): Promise<void>;
  actionError: string | null;
}

/**
 * A trace the user opened: the action's id once known, or the first action
 * with this name on this connection started after `afterSeq` (the act
 * response only arrives once the action settled).
 */
export interface TeardownTraceRef {
  key: string;
  run: number;
  conn: string | null;
  name: string;
  afterSeq: number;
  action?: string;
}

export type { TeardownTrace };

export const UiContext = createContext<Ui | null>(null);

export function useUi(): Ui {
  const ui = useContext(UiContext);
  if (!ui) throw new Error('useUi outside UiContext');
  return ui;
}
