import { mkdir, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { memoryLogger, tempDir } from './attach.test-util.js';
import { startInspectorServer, type InspectorServer } from './index.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** Raw GET: the path goes on the wire exactly as written (no URL normalisation). */
function get(server: InspectorServer, path: string, headers: Record<string, string> = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: server.port, path, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function serve(withUi: boolean, options: { open?: string } = {}): Promise<InspectorServer> {
  const root = await tempDir();
  cleanups.push(() => root.remove());
  const uiDir = join(root.path, 'ui');
  if (withUi) {
    await mkdir(join(uiDir, 'assets'), { recursive: true });
    await writeFile(join(uiDir, 'index.html'), '<!doctype html><title>Bridgescope</title>');
    await writeFile(join(uiDir, 'assets', 'index-abc123.js'), 'console.log(1)');
    await writeFile(join(uiDir, 'assets', 'index-abc123.css'), 'body{}');
    await writeFile(join(uiDir, 'favicon.svg'), '<svg/>');
  }
  // A secret next to the UI directory: traversal must never reach it.
  await writeFile(join(root.path, 'secret.txt'), 'top secret');
  const server = await startInspectorServer({ port: 0, token: 'ui-token', uiDir, logger: memoryLogger(), ...options });
  cleanups.push(() => server.close());
  return server;
}

describe('static UI serving', () => {
  it('serves index.html for / with no-store, a strict CSP and no referrer', async () => {
    const server = await serve(true);
    const reply = await get(server, '/?token=ui-token');
    expect(reply.status).toBe(200);
    expect(reply.body).toContain('<title>Bridgescope</title>');
    expect(reply.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(reply.headers['cache-control']).toBe('no-store');
    expect(reply.headers['referrer-policy']).toBe('no-referrer');
    const csp = String(reply.headers['content-security-policy']);
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("connect-src 'self' ws: http://127.0.0.1:* http://localhost:*");
    expect(csp).not.toContain("script-src 'self' 'unsafe-inline'");
  });

  it('gives each asset its content type; hashed assets may be cached', async () => {
    const server = await serve(true);
    const js = await get(server, '/assets/index-abc123.js');
    expect([js.status, js.headers['content-type'], js.body]).toEqual([200, 'text/javascript; charset=utf-8', 'console.log(1)']);
    expect(js.headers['cache-control']).toContain('immutable');
    expect((await get(server, '/assets/index-abc123.css')).headers['content-type']).toBe('text/css; charset=utf-8');
    expect((await get(server, '/favicon.svg')).headers['content-type']).toBe('image/svg+xml');
    expect((await get(server, '/missing.js')).status).toBe(404);
  });

  it('refuses directory traversal in every spelling', async () => {
    const server = await serve(true);
    for (const path of ['/../secret.txt', '/assets/../../secret.txt', '/%2e%2e/secret.txt', '/assets/..%2f..%2fsecret.txt', '/..%5csecret.txt', '/%00index.html']) {
      const reply = await get(server, path);
      expect(reply.status, path).toBe(404);
      expect(reply.body, path).not.toContain('top secret');
    }
  });

  it('answers a clear 503 page when the UI is not built, and keeps the hub up', async () => {
    const server = await serve(false);
    const reply = await get(server, '/');
    expect(reply.status).toBe(503);
    expect(reply.body).toContain('npm run build');
    expect((await get(server, '/status?token=ui-token')).status).toBe(200);
  });

  it('checks the Host header against DNS rebinding', async () => {
    const server = await serve(true);
    expect((await get(server, '/', { Host: `evil.example:${server.port}` })).status).toBe(403);
    expect((await get(server, '/', { Host: `0177.0.0.1:${server.port}` })).status).toBe(403);
    expect((await get(server, '/', { Host: `localhost:${server.port}` })).status).toBe(200);
  });

  it('serves the --open recording at /recording only with the token', async () => {
    const dir = await tempDir();
    cleanups.push(() => dir.remove());
    const file = join(dir.path, 'run.ndjson');
    await writeFile(file, '{"format":"bridgescope-recording","version":1,"createdAt":1}\n');
    const server = await serve(true, { open: file });
    expect(server.uiUrl).toBe(`http://127.0.0.1:${server.port}/?token=ui-token&recording=1`);
    const reply = await get(server, '/recording?token=ui-token');
    expect([reply.status, reply.headers['content-type']]).toEqual([200, 'application/x-ndjson; charset=utf-8']);
    expect(JSON.parse(reply.body)).toMatchObject({ format: 'bridgescope-recording' });
    expect((await get(server, '/recording?token=wrong')).status).toBe(401);
  });
});
