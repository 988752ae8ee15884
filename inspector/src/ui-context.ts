import { createContext, useContext } from 'react';
import type { UiStore } from './data/ui-store.js';
import type { TimeWindow } from './model/time-window.js';
import type { Selection, Tab } from './model/deep-link.js';
import type { LinkSummary } from './model/link-summary.js';
import type { TeardownTrace } from './model/teardown-trace.js';

export { TABS, type Selection, type Tab } from './model/deep-link.js';

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
  /** Starts the window now, open-ended: what ended before is hidden (a table's Clear). */
  clear(): void;
  selection: Selection | null;
  select(selection: Selection | null): void;
  /** Opens the view that shows `selection`, with it selected and scrolled into view (clearing a window that hides an event). */
  show(selection: Selection): void;
  /** Shows an event in Events. */
  jumpToEvent(focus: EventFocus): void;
  /** The link as the header states it: live, reconnecting, offline, readonly, recording, and why; whether actions can run. */
  link: LinkSummary;
  /** Actions whose teardown traces are open (run:action id), newest last. */
  traces: TeardownTraceRef[];
  openTrace(ref: TeardownTraceRef): void;
  closeTrace(ref: TeardownTraceRef): void;
  /** Runs an action and opens its trace. */
  runAction(conn: string | null, name: string): Promise<void>;
  actionError: string | null;
  dismissActionError(): void;
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
  /** Why the action could not run (the request failed): the card says so instead of waiting. */
  failed?: string;
}

export type { TeardownTrace };

export const UiContext = createContext<Ui | null>(null);

export function useUi(): Ui {
  const ui = useContext(UiContext);
  if (!ui) throw new Error('useUi outside UiContext');
  return ui;
}
