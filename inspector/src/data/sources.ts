import { backoffDelay } from '../../client/backoff.js';
import { AgentLink } from '../../client/link.js';
import { createRecordingHeader, RecordingParser, serializeRecording, type ParsedRecording } from '../../client/recording.js';
import type { TargetInfo, TargetsMessage } from '../../client/hub-protocol.js';
import type { UiStore } from './ui-store.js';

/** How often the agent's clock estimate advances the analysis while the stream is quiet. */
const TICK_MS = 500;

/** Connects the store to a live agent (or a hub target URL). Returns a function that disconnects. */
export function connectAgent(store: UiStore, url: string): () => void {
  let link: AgentLink;
  try {
    link = new AgentLink({ url, WebSocket, fetch: (u) => fetch(u, { cache: 'no-store' }) });
  } catch (error) {
    store.setLink({ status: 'offline', reason: error instanceof Error ? error.message : String(error), code: 'BAD_URL' });
    return () => {};
  }
  link.on('state', (state) => {
    store.setLink(state);
    if (state.status === 'live') rememberTarget(url);
  });
  link.on('message', (delivery) => store.deliver(delivery));
  store.runAction = (conn, name) => link.act(conn, name);
  const ticker = setInterval(() => store.tick(), TICK_MS);
  return () => {
    clearInterval(ticker);
    store.runAction = null;
    void link.close();
  };
}

/** Reads a recording as it arrives (download or file), parsing while the rest is still coming. */
export async function readRecording(stream: ReadableStream<Uint8Array>): Promise<ParsedRecording> {
  const parser = new RecordingParser();
  const decoder = new TextDecoder();
  const reader = stream.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    parser.push(decoder.decode(value, { stream: true }));
  }
  parser.push(decoder.decode());
  return parser.end();
}

/** Opens a parsed recording in the store: what parsed is loaded, where it broke is reported. */
export function openRecording(store: UiStore, parsed: ParsedRecording, name: string): void {
  store.recordingErrors = parsed.errors;
  store.setLink({ status: 'recording', name });
  store.loadRecording(parsed.lines);
}

/** Everything seen so far as a recording: each run's hello, events, gaps and clock ticks as they arrived. */
export function recordingText(store: UiStore): string {
  return serializeRecording(createRecordingHeader(), store.lines);
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

/** Fetches the recording `bridgescope serve --open FILE` serves. */
export async function fetchServedRecording(token: string): Promise<ParsedRecording> {
  const response = await fetch(`/recording?token=${encodeURIComponent(token)}`, { cache: 'no-store' });
  if (!response.ok || !response.body) throw new Error(`the server answered ${response.status} for /recording`);
  return readRecording(response.body);
}

// --- recent targets -----------------------------------------------------------

const RECENT_KEY = 'bridgescope.recent';

export function recentTargets(): string[] {
  try {
    const list = JSON.parse(localStorage.getItem(RECENT_KEY) ?? '[]') as unknown;
    return Array.isArray(list) ? list.filter((x): x is string => typeof x === 'string').slice(0, 8) : [];
  } catch {
    return [];
  }
}

function rememberTarget(url: string): void {
  try {
    const list = [url, ...recentTargets().filter((u) => u !== url)].slice(0, 8);
    localStorage.setItem(RECENT_KEY, JSON.stringify(list));
  } catch {
    // Storage disabled: recents are a convenience.
  }
}
