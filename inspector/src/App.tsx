import { useCallback, useEffect, useMemo, useState, type DragEvent } from 'react';
import { UiStore } from './data/ui-store.js';
import { announceStore } from './bench-hook.js';
import { connectAgent, openRecording, watchHub } from './data/sources.js';
import { servedRecording } from './data/served-recording.js';
import type { TargetInfo } from '../../shared/hub-protocol.js';
import { Header } from './components/Header.js';
import { LinkBanner } from './components/LinkBanner.js';
import { EmptyState } from './components/EmptyState.js';
import { Tabs } from './components/Tabs.js';
import { WindowBar } from './components/WindowBar.js';
import { useDerived, useSourceValue } from './hooks/use-store.js';
import { UiContext, type Selection, type Tab, type TeardownTraceRef, type Ui } from './ui-context.js';
import { formatViewState, parseViewState } from './model/deep-link.js';
import { linkSummary } from './model/link-summary.js';
import { runNow } from './model/runs.js';
import { selectionInWindow } from './model/subjects.js';
import { inWindow, wholeMs, windowFrom, type TimeWindow } from './model/time-window.js';

/** Where the page gets its data, from the URL: an agent, a hub (token only), or nothing yet. */
function sourceFromUrl(): { agent?: string; hubToken?: string; recording: boolean } {
  const params = new URLSearchParams(location.search);
  const agent = params.get('agent') ?? undefined;
  const token = params.get('token') ?? undefined;
  return { ...(agent ? { agent } : {}), ...(!agent && token ? { hubToken: token } : {}), recording: params.get('recording') === '1' };
}

/** The view that shows each kind of selection. */
const TAB_OF: Record<Selection['kind'], Tab> = {
  connection: 'connections',
  listener: 'listeners',
  emitter: 'listeners',
  handle: 'handles',
  action: 'connections',
  finding: 'findings',
  event: 'events',
};

/** Teardown traces kept open side by side. */
const MAX_TRACES = 4;

export function App() {
  const [source] = useState(sourceFromUrl);
  // The view a link asked for (the URL fragment), restored once its data arrives.
  const [linked] = useState(() => parseViewState(location.hash));
  const [store, setStore] = useState(() => new UiStore());
  const [hubTargets, setHubTargets] = useState<TargetInfo[]>([]);
  const [hubState, setHubState] = useState<'connecting' | 'live' | 'down' | null>(null);
  const [targetKey, setTargetKey] = useState<string | null>(linked.target);
  // False once the user opens a file: the view then shows only that recording.
  const [followLive, setFollowLive] = useState(true);
  const [tab, setTab] = useState<Tab>(linked.tab);
  const [window, setExactWindow] = useState<TimeWindow | null>(linked.window);
  const setWindow = useCallback((w: TimeWindow | null) => setExactWindow(wholeMs(w)), []);
  const [selection, select] = useState<Selection | null>(linked.selection);
  const [traces, setTraces] = useState<TeardownTraceRef[]>([]);
  const [actionError, setActionError] = useState<string | null>(null);
  const [dragging, setDragging] = useState(false);
  const hasData = useSourceValue(store, (s) => s.target.runs.length > 0);
  const loading = useSourceValue(store, (s) => s.loadingProgress);
  const link = useDerived(store, linkOf, { store });

  useEffect(() => announceStore(store.stats), [store]);

  // A directly given agent.
  useEffect(() => {
    if (!source.agent || !followLive) return;
    return connectAgent(store, source.agent, true);
  }, [source.agent, store, followLive]);

  // Hub mode: follow the target list; a recording the server was told to open.
  useEffect(() => {
    if (!source.hubToken) return;
    if (source.recording) return openRecording(store, servedRecording(source.hubToken), 'served recording');
    return watchHub(source.hubToken, setHubTargets, setHubState);
  }, [source.hubToken, source.recording, store]);

  // Pick the first target the hub offers, until the user chooses (or a link did).
  if (followLive && targetKey === null && hubTargets.length) setTargetKey(hubTargets[0]!.key);

  const hubTarget = hubTargets.find((t) => t.key === targetKey);
  const hubTargetUrl = hubTarget?.url;
  useEffect(() => {
    if (!hubTargetUrl || !followLive) return;
    return connectAgent(store, hubTargetUrl);
  }, [hubTargetUrl, store, followLive]);

  // The hub keeps serving a target whose agent left: the store must know the target is offline.
  const hubTargetState = hubTarget?.state;
  useEffect(() => {
    store.setHubTarget(hubTargetState ? { state: hubTargetState, since: Date.now() } : null);
  }, [store, hubTargetState]);

  // A file the user opened, read into its own store; switching away stops the reading.
  const [openedFile, setOpenedFile] = useState<File | null>(null);
  useEffect(() => {
    if (openedFile) return openRecording(store, { file: openedFile }, openedFile.name);
  }, [openedFile, store]);

  // The URL follows the view, so a link reopens it.
  const hubMode = Boolean(source.hubToken) && !source.recording;
  useEffect(() => {
    history.replaceState(null, '', `${location.pathname}${location.search}${formatViewState({ tab, selection, window, target: hubMode ? targetKey : null })}`);
  }, [tab, selection, window, targetKey, hubMode]);

  const reset = useCallback(() => {
    setStore(new UiStore());
    setTraces([]);
    select(null);
    setExactWindow(null);
  }, []);

  const chooseTarget = useCallback(
    (key: string) => {
      setOpenedFile(null);
      setFollowLive(true);
      setTargetKey(key);
      reset();
    },
    [reset],
  );

  // A link pasted into this tab's address bar reopens its view.
  useEffect(() => {
    const onHashChange = () => {
      const view = parseViewState(location.hash);
      setTab(view.tab);
      select(view.selection);
      setExactWindow(view.window);
      if (view.target && view.target !== targetKey) chooseTarget(view.target);
    };
    globalThis.addEventListener('hashchange', onHashChange);
    return () => globalThis.removeEventListener('hashchange', onHashChange);
  }, [targetKey, chooseTarget]);

  const openFile = useCallback(
    (file: File) => {
      reset();
      setOpenedFile(file);
      setFollowLive(false);
      setTargetKey(null);
    },
    [reset],
  );

  const runAction = useCallback(
    async (conn: string | null, name: string) => {
      const runner = store.runAction;
      const current = store.target.currentRun();
      if (!runner || !current) return;
      setActionError(null);
      const ref: TeardownTraceRef | null =
        conn === null ? null : { key: `${current.index + 1}:${conn}:${name}:${current.lastSeq}`, run: current.index + 1, conn, name, afterSeq: current.lastSeq };
      if (ref) setTraces((list) => [...list, ref].slice(-MAX_TRACES));
      try {
        await runner(conn, name);
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        setActionError(`${name}${conn ? ` on ${conn}` : ''} failed: ${reason}`);
        // Its trace card says so instead of waiting for a start that will not come.
        if (ref) setTraces((list) => list.map((r) => (r.key === ref.key ? { ...r, failed: reason } : r)));
      }
    },
    [store],
  );

  const ui = useMemo<Ui>(() => {
    const openTrace = (ref: TeardownTraceRef) => setTraces((list) => (list.some((r) => r.key === ref.key) ? list : [...list, ref].slice(-MAX_TRACES)));
    const show = (wanted: Selection) => {
      const run = store.runs().find((r) => r.run === wanted.run);
      if (wanted.kind === 'event') {
        const at = store.log.indexOf(wanted.run, Number(wanted.id));
        if (window && at >= 0 && !inWindow(store.log.timeAt(at), window)) setWindow(null);
      } else if (!selectionInWindow(run, wanted, window)) setWindow(null);
      if (wanted.kind === 'action') {
        const action = run?.model.actions.find((a) => a.id === wanted.id);
        if (action) openTrace({ key: `${wanted.run}:${action.id}`, run: wanted.run, conn: action.connection, name: action.name, afterSeq: action.startedSeq - 1, action: action.id });
      }
      select({ ...wanted, reveal: true });
      setTab(TAB_OF[wanted.kind]);
    };
    return {
      store,
      tab,
      setTab,
      window,
      setWindow,
      clear: () => {
        const current = store.runs().at(-1);
        if (current) setWindow(windowFrom(runNow(current)));
      },
      selection,
      select,
      show,
      jumpToEvent: ({ run, seq }) => show({ run, kind: 'event', id: String(seq) }),
      link,
      traces,
      openTrace,
      closeTrace: (ref) => setTraces((list) => list.filter((r) => r.key !== ref.key)),
      runAction,
      actionError,
      dismissActionError: () => setActionError(null),
    };
  }, [store, tab, window, setWindow, selection, link, traces, runAction, actionError]);

  // Escape closes the open details (menus and fields handle their own first).
  useEffect(() => {
    const onKeyDown = (e: KeyboardEvent) => {
      // Escape in a field is the field's (a search box clears itself).
      if (e.key !== 'Escape' || e.defaultPrevented || !selection || (e.target as HTMLElement | null)?.closest('input, select, textarea')) return;
      select(null);
    };
    document.addEventListener('keydown', onKeyDown);
    return () => document.removeEventListener('keydown', onKeyDown);
  }, [selection]);

  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setDragging(false);
    const file = e.dataTransfer.files[0];
    if (file) openFile(file);
  };

  return (
    <UiContext.Provider value={ui}>
      <div
        className={`app${dragging ? ' dragging' : ''}`}
        onDragOver={(e) => {
          e.preventDefault();
          setDragging(true);
        }}
        onDragLeave={(e) => {
          if (e.currentTarget === e.target) setDragging(false);
        }}
        onDrop={onDrop}
      >
        <Header onOpenFile={openFile} hubTargets={hubTargets} hubState={hubState} targetKey={targetKey} onChooseTarget={chooseTarget} />
        <LinkBanner />
        {loading !== null ? (
          <main className="empty" aria-label="Loading">
            <h2 role="status">Loading recording… {Math.round(loading * 100)}%</h2>
          </main>
        ) : hasData ? (
          <main className="workspace" aria-label="Inspector">
            <WindowBar />
            <Tabs />
          </main>
        ) : (
          <EmptyState hub={Boolean(source.hubToken)} hubTargets={hubTargets.length} />
        )}
      </div>
    </UiContext.Provider>
  );
}

function linkOf({ store }: { store: UiStore }) {
  return linkSummary({
    link: store.link,
    hubTarget: store.hubTarget,
    readonly: store.target.currentRun()?.hello.readonly ?? false,
    canSend: store.runAction !== null,
  });
}
