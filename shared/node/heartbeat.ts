import type WebSocket from 'ws';

/**
 * Pings `ws` every `interval` ms and terminates it when a ping went
 * unanswered (any frame from the peer counts as an answer), so sockets to
 * vanished peers — a killed emulator, a sleeping laptop — do not linger.
 * Returns the function that stops it; it also stops when the socket closes.
 */
export function keepAlive(ws: WebSocket, interval: number, onDead: () => void): () => void {
  let answered = true;
  const heard = () => {
    answered = true;
  };
  const timer = setInterval(() => {
    if (!answered) {
      stop();
      onDead();
      ws.terminate();
      return;
    }
    answered = false;
    try {
      ws.ping();
    } catch {
      // Closing already: the close handler reports it.
    }
  }, interval);
  timer.unref?.();
  const stop = () => {
    clearInterval(timer);
    ws.off('pong', heard);
    ws.off('message', heard);
  };
  ws.on('pong', heard);
  ws.on('message', heard);
  ws.once('close', stop);
  return stop;
}
