/**
 * A MessagePort-like channel over a socket, for rpc-reflector: one JSON
 * message per line. What an app bridging rpc-reflector over a Unix socket
 * writes itself (rpc-reflector takes any object with `postMessage` and
 * `'message'` events).
 */
import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';

export class LinePort extends EventEmitter {
  private buffered = '';

  constructor(private readonly socket: Socket) {
    super();
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      this.buffered += chunk;
      let newline: number;
      while ((newline = this.buffered.indexOf('\n')) >= 0) {
        const line = this.buffered.slice(0, newline);
        this.buffered = this.buffered.slice(newline + 1);
        this.emit('message', JSON.parse(line));
      }
    });
  }

  postMessage(message: unknown): void {
    if (!this.socket.destroyed) this.socket.write(`${JSON.stringify(message)}\n`);
  }
}
