/**
 * Attacks for the robustness tests, as a hostile local process would run
 * them: WebSocket upgrades without a token that each park part of a large
 * frame, a server's resident memory read from /proc, and fresh TCP round
 * trips to prove a server still answers.
 */
import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';

/** Resident set size of a process in bytes (Linux /proc). */
export function rssOf(pid: number): number {
  const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  if (kb === undefined) throw new Error(`no VmRSS for ${pid}`);
  return Number(kb) * 1024;
}

/** Largest RSS of `pid` seen while `work` runs, sampled every 20 ms. */
export async function peakRss<T>(pid: number, work: () => Promise<T>): Promise<{ peak: number; result: T }> {
  let peak = rssOf(pid);
  const timer = setInterval(() => {
    try {
      peak = Math.max(peak, rssOf(pid));
    } catch {
      // the process is gone: the caller finds out
    }
  }, 20);
  try {
    const result = await work();
    peak = Math.max(peak, rssOf(pid));
    return { peak, result };
  } finally {
    clearInterval(timer);
  }
}

export interface FloodOptions {
  port: number;
  /** Request target of each upgrade (no token on it). */
  path: string;
  count: number;
  /** Length the frame header announces. Default 1 MiB. */
  frameBytes?: number;
  /** Payload bytes actually sent of that frame (never completing it). Default 256 KiB. */
  sendBytes?: number;
  /** Connections opened at a time. Default 100. */
  parallel?: number;
}

export interface FloodResult {
  /** Connections the server upgraded (101). */
  upgraded: number;
  sockets: Socket[];
}

const HANDSHAKE = 'Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n';

/**
 * `count` token-less upgrades; each announces a masked text frame of
 * `frameBytes` and sends `sendBytes` of it, then stays open (the sockets are
 * returned for the caller to destroy).
 */
export async function floodUnauthenticated(options: FloodOptions): Promise<FloodResult> {
  const frameBytes = options.frameBytes ?? 1 << 20;
  const sendBytes = options.sendBytes ?? 256 * 1024;
  const result: FloodResult = { upgraded: 0, sockets: [] };
  const one = () =>
    new Promise<void>((resolve) => {
      const socket = connect(options.port, '127.0.0.1');
      result.sockets.push(socket);
      let headers = '';
      let sent = 0;
      const finish = () => resolve();
      socket.on('error', finish);
      socket.on('close', finish);
      socket.setTimeout(10_000, () => socket.destroy());
      const pump = () => {
        while (sent < sendBytes && !socket.destroyed) {
          const chunk = Buffer.alloc(Math.min(16 * 1024, sendBytes - sent), 0x61);
          sent += chunk.length;
          if (!socket.write(chunk)) return void socket.once('drain', pump);
        }
        resolve();
      };
      socket.on('data', function onData(chunk: Buffer) {
        headers += chunk.toString('latin1');
        if (!headers.includes('\r\n\r\n')) return;
        socket.off('data', onData);
        if (!headers.startsWith('HTTP/1.1 101')) return void socket.destroy();
        result.upgraded++;
        socket.write(frameHeader(frameBytes));
        pump();
      });
      socket.write(`GET ${options.path} HTTP/1.1\r\nHost: 127.0.0.1:${options.port}\r\n${HANDSHAKE}\r\n`);
    });
  const parallel = options.parallel ?? 100;
  for (let started = 0; started < options.count; started += parallel) {
    await Promise.all(Array.from({ length: Math.min(parallel, options.count - started) }, one));
  }
  return result;
}

/** `count` connections that send the start of a request and then nothing (sockets returned, still open). */
export async function floodIdle(port: number, count: number, parallel = 100): Promise<Socket[]> {
  const sockets: Socket[] = [];
  const one = () =>
    new Promise<void>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.write(`GET / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n`);
        resolve();
      });
      sockets.push(socket);
      socket.on('error', () => resolve());
      socket.setTimeout(10_000, () => socket.destroy());
    });
  for (let started = 0; started < count; started += parallel) {
    await Promise.all(Array.from({ length: Math.min(parallel, count - started) }, one));
  }
  return sockets;
}

/** A client frame header (FIN, text, masked with a zero key) announcing `length` payload bytes. */
function frameHeader(length: number): Buffer {
  const header = Buffer.alloc(14);
  header[0] = 0x81;
  header[1] = 0x80 | 127;
  header.writeBigUInt64BE(BigInt(length), 2);
  // Mask key 0: the payload goes as is.
  return header;
}

/** One round trip on a fresh TCP connection to a line-echo server; rejects after `timeout` ms. */
export function freshEcho(port: number, timeout = 5000): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no echo within ${timeout} ms`));
    }, timeout);
    let echoed = '';
    socket.on('data', (chunk) => {
      echoed += chunk;
      if (!echoed.includes('\n')) return;
      clearTimeout(timer);
      socket.destroy();
      resolve();
    });
    socket.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    socket.write('ping\n');
  });
}
