/**
 * A MessagePort-like object over a stream socket: `postMessage(value)`
 * sends one frame, each received frame is a `'message'` event, `'close'`
 * fires once when the socket closes (the app's cue to clean up) or the port
 * is closed. Built on the socket's own `'data'` events, so whatever a
 * `'message'` handler creates is attributed by the agent to the connection
 * that delivered it.
 */
import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import { encodeFrame, FrameDecoder, FrameError } from './framing.js';

/**
 * Bytes queued in user space beyond which posts to a peer that stopped
 * reading are dropped, so a stalled peer cannot grow our memory forever.
 */
export const DEFAULT_MAX_BUFFERED = 256 * 1024;

export interface SocketPortEvents {
  message: [unknown];
  /** A frame the peer sent was invalid; the socket is destroyed after this. */
  messageerror: [FrameError];
  /** The socket closed or `close()` was called; fired once. */
  close: [];
}

export class SocketPort extends EventEmitter<SocketPortEvents> {
  private readonly decoder = new FrameDecoder();
  private closed = false;
  private closeEmitted = false;
  /** Posts skipped because the peer was not reading (see DEFAULT_MAX_BUFFERED). */
  dropped = 0;

  constructor(
    readonly socket: Socket,
    private readonly maxBuffered = DEFAULT_MAX_BUFFERED,
  ) {
    super();
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    // The socket closing does not close the port: an app that forgets to
    // close it keeps posting into a dead connection, as real backends do.
    socket.once('close', () => this.emitClose());
  }

  /** True once `close()` was called. */
  get isClosed(): boolean {
    return this.closed;
  }

  /**
   * Like MessagePort: posting on a closed port does nothing. Posting while
   * the socket itself is gone still writes — that is the app's bug to find,
   * not the port's to hide.
   */
  postMessage(message: unknown): void {
    if (this.closed) return;
    if (!this.socket.destroyed && this.socket.writableLength > this.maxBuffered) {
      this.dropped++;
      return;
    }
    this.socket.write(encodeFrame(message));
  }

  /** Stops delivering and posting; the socket is left to its owner. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.emitClose();
  }

  private emitClose(): void {
    if (this.closeEmitted) return;
    this.closeEmitted = true;
    this.emit('close');
  }

  private receive(chunk: Buffer): void {
    if (this.closed) return;
    let messages: unknown[];
    try {
      messages = this.decoder.push(chunk);
    } catch (error) {
      this.emit('messageerror', error as FrameError);
      this.socket.destroy();
      return;
    }
    for (const message of messages) {
      if (this.closed) return;
      this.emit('message', message);
    }
  }
}
