import { useCallback, useEffect, useMemo, useState, type DragEvent } from 'react';
import { UiStore } from './data/ui-store.js';
import { announceStore } from './bench-hook.js';
import { connectAgent, openRecording, servedRecording, watchHub } from './data/sources.js';
import type { TargetInfo } from '../../shared/hub-protocol.js';
import { Header } from './components/Header.js';
import { LinkBanner } from './components/LinkBanner.js';
import { EmptyState } from './components/EmptyState.js';
import { Tabs } from './components/Tabs.js';
import { WindowBar } from './components/WindowBar.js';
import { useSourceValue } from './hooks/use-store.js';
import { TABS, UiContext, type Selection, type Tab, type TeardownTraceRef, type Ui } from './ui-context.js';
import { inWindow, type TimeWindow } from './model/time-window.js';

/** Where the page gets its data, from the URL: an agent, a hub (token only), or nothing yet. */
function sourceFromUrl(): { agent?: string; hubToken?: string; recording: boolean } {
  const params = new URLSearchParams(location.search);
  const agent = params.get('agent') ?? undefined;
  const token = params.get('token') ?? undefined;
  return { ...(agent ? { agent } : {}), ...(!agent && token ? { hubToken: token } : {}), recording: params.get('recording') === '1' };
}

export function App() {
  const [source] = useState(sourceFromUrl);
  const [store, setStore] = useState(() => new UiStore());
  const [hubTargets, setHubTargets] = useState<TargetInfo[]>([]);
  const [hubState, setHubState] = useState<'connecting' | 'live' | 'down' | null>(null);
  const [targetKey, setTargetKey] = useState<string | null>(null);
  // False once the user opens a file: the view then shows only that recording.
  const [followLive, setFollowLive] = useState(true);
  const [tab, setTab] = useState<Tab>(() => (TABS.includes(location.hash.slice(1) as Tab) ? (location.hash.slice(1) as Tab) : 'overview'));
  const [window, setWindow] = useState<TimeWindow | null>(null);
  const [selection, select] = useState<Selection | null>(null);
  const [traces, setTraces] = useState<TeardownTraceRef[]>([]);
  const [actionError, setActionError] = useState<string | null>(null);
  const [dragging, setDragging] = useState(false);
  const hasData = useSourceValue(store, (s) => s.target.runs.length > 0);
  const loading = useSourceValue(store, (s) => s.loadingProgress);

  useEffect(() => announceStore(store.stats), [store]);

  // A directly given agent.
  useEffect(() => {
    if (!source.agent || !followLive) return;
    return connectAgent(store, source.agent);
  }, [source.agent, store, followLive]);

  // Hub mode: follow the target list; a recording the server was told to open.
  useEffect(() => {
    if (!source.hubToken) return;
    if (source.recording) return openRecording(store, servedRecording(source.hubToken), 'served recording');
    return watchHub(source.hubToken, setHubTargets, setHubState);
  }, [source.hubToken, source.recording, store]);

  // Pick the first target the hub offers, until the user chooses.
  if (followLive && targetKey === null && hubTargets.length) setTargetKey(hubTargets[0]!.key);

  const hubTargetUrl = hubTargets.find((t) => t.key === targetKey)?.url;
  useEffect(() => {
    if (!hubTargetUrl || !followLive) return;
    return connectAgent(store, hubTargetUrl);
  }, [hubTargetUrl, store, followLive]);

  // A file the user opened, read into its own store; switching away stops the reading.
  const [openedFile, setOpenedFile] = useState<File | null>(null);
  useEffect(() => {
    if (openedFile) return openRecording(store, { file: openedFile }, openedFile.name);
  }, [openedFile, store]);

  const chooseTarget = useCallback((key: string) => {
    setOpenedFile(null);
    setFollowLive(true);
    setTargetKey(key);
    setStore(new UiStore());
    setTraces([]);
    select(null);
    setWindow(null);
  }, []);

  const openFile = useCallback((file: File) => {
    setStore(new UiStore());
    setOpenedFile(file);
    setTraces([]);
    select(null);
    setWindow(null);
    setFollowLive(false);
    setTargetKey(null);
  }, []);

  const runAction = useCallback(
    async (conn: string | null, name: string) => {
      const runner = store.runAction;
      const current = store.target.currentRun();
      if (!runner || !current) return;
      setActionError(null);
      if (conn !== null) {
        const ref: TeardownTraceRef = { key: `${current.index + 1}:${conn}:${name}:${current.lastSeq}`, run: current.index + 1, conn, name, afterSeq: current.lastSeq };
        setTraces((list) => [...list, ref].slice(-4));
      }
      try {
        await runner(conn, name);
      } catch (error) {
        setActionError(`${name}${conn ? ` on ${conn}` : ''} failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    },
    [store],
  );

  const ui = useMemo<Ui>(
    () => ({
      store,
      tab,
      setTab: (t) => {
        setTab(t);
        history.replaceState(null, '', `#${t}`);
      },
      window,
      setWindow,
      selection,
      select,
      jumpToEvent: ({ run, seq }) => {
        const at = store.log.indexOf(run, seq);
        if (window && at >= 0 && !inWindow(store.log.timeAt(at), window)) setWindow(null);
        select({ run, kind: 'event', id: String(seq), reveal: true });
        setTab('events');
      },
      traces,
      openTrace: (ref) => setTraces((list) => (list.some((r) => r.key === ref.key) ? list : [...list, ref].slice(-4))),
      closeTrace: (ref) => setTraces((list) => list.filter((r) => r.key !== ref.key)),
      runAction,
      actionError,
    }),
    [store, tab, window, selection, traces, runAction, actionError],
  );

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
          <div className="empty" role="status" aria-label="Loading recording">
            Loading recording… {Math.round(loading * 100)}%
          </div>
        ) : hasData ? (
          <>
            <WindowBar />
            <Tabs />
          </>
        ) : (
          <EmptyState hub={Boolean(source.hubToken)} hubTargets={hubTargets.length} />
        )}
      </div>
    </UiContext.Provider>
  );
}
