import { connect } from 'node:net';

/**
 * A hand-written HTTP request over a raw TCP socket, so Host and Origin can be
 * forged or left out. Resolves with the status code and body the agent sent.
 */
export async function rawRequest(
  port: number,
  options: { path?: string; host?: string | null; origin?: string; upgrade?: boolean; method?: string } = {},
): Promise<{ status: number; body: string; headers: string }> {
  const lines = [`${options.method ?? 'GET'} ${options.path ?? '/'} HTTP/1.1`];
  if (options.host !== null) lines.push(`Host: ${options.host ?? `127.0.0.1:${port}`}`);
  if (options.origin !== undefined) lines.push(`Origin: ${options.origin}`);
  if (options.upgrade !== false) {
    lines.push('Connection: Upgrade', 'Upgrade: websocket', 'Sec-WebSocket-Version: 13', 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==');
  } else lines.push('Connection: close');
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let data = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no complete response; got ${JSON.stringify(data)}`));
    }, 8000);
    const finish = () => {
      const end = data.indexOf('\r\n\r\n');
      if (end < 0) return false;
      const headers = data.slice(0, end);
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(headers)?.[1]);
      const length = /content-length: (\d+)/i.exec(headers)?.[1];
      const body = data.slice(end + 4);
      if (status !== 101 && length !== undefined && Buffer.byteLength(body) < Number(length)) return false;
      clearTimeout(timer);
      socket.destroy();
      resolve({ status, body, headers });
      return true;
    };
    socket.on('data', (chunk) => {
      data += chunk.toString('latin1');
      finish();
    });
    socket.on('close', () => {
      if (!finish()) {
        clearTimeout(timer);
        reject(new Error(`connection closed; got ${JSON.stringify(data)}`));
      }
    });
    socket.on('error', () => {});
    socket.write(`${lines.join('\r\n')}\r\n\r\n`);
  });
}
