import { backoffDelay } from '../../../shared/backoff.js';
import { AgentLink } from '../../client/link.js';
import { createRecordingHeader } from '../../client/recording.js';
import type { TargetInfo, TargetsMessage } from '../../../shared/hub-protocol.js';
import type { ReadProgress, RecordingSource } from './recording-reader.js';
import { readerFailure, startReader } from './reader-thread.js';
import { takeReadAhead } from './served-recording.js';
import type { UiStore } from './ui-store.js';
import { rememberTarget } from './recent-targets.js';

/** How often the agent's clock estimate advances the analysis while the stream is quiet. */
const TICK_MS = 500;

/**
 * Connects the store to a live agent (or a hub target URL). `remember`: list
 * it under recent targets (direct agents; without the token). Returns a
 * function that disconnects.
 */
export function connectAgent(store: UiStore, url: string, remember = false): () => void {
  let link: AgentLink;
  try {
    link = new AgentLink({ url, WebSocket, fetch: (u) => fetch(u, { cache: 'no-store' }) });
  } catch (error) {
    store.setLink({ status: 'offline', reason: error instanceof Error ? error.message : String(error), code: 'BAD_URL' });
    return () => {};
  }
  link.on('state', (state) => store.setLink(state));
  link.on('message', (delivery) => {
    if (remember && delivery.type === 'hello') rememberTarget(url, delivery.hello.agent.name);
    store.deliver(delivery);
  });
  store.runAction = (conn, name) => link.act(conn, name);
  const ticker = setInterval(() => store.tick(), TICK_MS);
  return () => {
    clearInterval(ticker);
    store.runAction = null;
    void link.close();
  };
}

/**
 * Opens a recording in the store: a worker reads the file into row batches,
 * the page checks, analyses and logs each batch while the rest is still
 * being read. What is valid is loaded, where it broke is reported. Returns a
 * function that stops reading.
 */
export function openRecording(store: UiStore, source: RecordingSource, name: string): () => void {
  store.beginRecording(name);
  let worker: Worker | undefined;
  let finished = false;
  const finish = (end: Parameters<UiStore['endRecording']>[0]) => {
    finished = true;
    worker?.terminate();
    store.endRecording(end);
  };
  const receive = (progress: ReadProgress): void => {
    if (finished) return;
    if (progress.type === 'rows') {
      const wanted = store.appendRecording(progress.batch, progress.total ? Math.min(1, progress.read / progress.total) : null);
      // Past the damage nothing more is loaded.
      if (!wanted) finish({ read: null });
    } else finish(progress.type === 'end' ? { read: progress.stats } : { failed: progress.message });
  };
  const early = 'url' in source ? takeReadAhead(source.url) : undefined;
  try {
    worker = early?.worker ?? startReader(source);
  } catch (error) {
    receive({ type: 'failed', message: `no worker to read it (${error instanceof Error ? error.message : String(error)})` });
    return () => {};
  }
  worker.onmessage = (event: MessageEvent<ReadProgress>) => receive(event.data);
  worker.onerror = (event) => receive(readerFailure(event));
  for (const progress of early?.read ?? []) receive(progress);
  return () => {
    finished = true;
    worker.terminate();
  };
}

/** Everything seen so far as a recording: each run's hello, events, gaps and clock ticks as they arrived (an opened file's rows as they were). */
export function recordingText(store: UiStore): string {
  const { log, markers } = store;
  const out = [JSON.stringify(createRecordingHeader())];
  let next = 0;
  for (let i = 0; i <= log.length; i++) {
    while (next < markers.length && markers[next]!.at === i) out.push(JSON.stringify(markers[next++]!.line));
    if (i < log.length) out.push(log.rawAt(i) ?? JSON.stringify(log.at(i)));
  }
  return `${out.join('\n')}\n`;
}

/** Starts a browser download of `text`. */
export function download(name: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'application/x-ndjson' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

// --- hub ----------------------------------------------------------------------

/** Follows the hub's target list (`/ui?token=`). Reconnects while the page lives. */
export function watchHub(token: string, onTargets: (targets: TargetInfo[]) => void, onState: (state: 'connecting' | 'live' | 'down') => void): () => void {
  let socket: WebSocket | null = null;
  let stopped = false;
  let retry: ReturnType<typeof setTimeout> | undefined;
  let attempt = 0;
  const open = () => {
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    onState('connecting');
    socket = new WebSocket(`${scheme}//${location.host}/ui?token=${encodeURIComponent(token)}`);
    socket.addEventListener('open', () => {
      attempt = 0;
      onState('live');
    });
    socket.addEventListener('message', (event) => {
      try {
        const message = JSON.parse(String(event.data)) as Partial<TargetsMessage>;
        if (message.type === 'targets' && Array.isArray(message.targets)) onTargets(message.targets);
      } catch {
        // Not ours; the hub only sends JSON.
      }
    });
    socket.addEventListener('close', () => {
      if (stopped) return;
      onState('down');
      retry = setTimeout(open, backoffDelay(++attempt));
    });
  };
  open();
  return () => {
    stopped = true;
    clearTimeout(retry);
    socket?.close();
  };
}

