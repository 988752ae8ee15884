import WebSocket from 'ws';
import type { TargetsMessage } from '../../shared/hub-protocol.js';
import type { Hub } from './hub.js';

/** How often a feed over its send budget checks whether its UI drained. */
const DRAIN_POLL_MS = 50;

/**
 * `/ui`: the target list, sent on connect and whenever it changes. Only the
 * latest list matters, so a UI that reads slowly is not queued for: while
 * its socket holds more than `sendBudget` unsent bytes, changes just mark
 * the list stale, and the newest list goes out once it drained.
 */
export function feedTargets(ws: WebSocket, hub: Hub, sendBudget: number): void {
  let stale = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const send = () => {
    if (ws.readyState !== WebSocket.OPEN) return;
    if (ws.bufferedAmount >= sendBudget) {
      stale = true;
      timer ??= setTimeout(() => {
        timer = undefined;
        if (stale) send();
      }, DRAIN_POLL_MS);
      timer.unref();
      return;
    }
    stale = false;
    ws.send(JSON.stringify({ type: 'targets', targets: hub.list() } satisfies TargetsMessage));
  };
  send();
  const unsubscribe = hub.onChange(send);
  ws.on('close', () => {
    unsubscribe();
    clearTimeout(timer);
  });
  ws.on('error', () => {});
}
