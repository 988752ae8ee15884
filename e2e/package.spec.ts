import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from '@playwright/test';

/**
 * The package as users get it: `npm pack`, installed into a fresh project,
 * used from plain Node with no TypeScript loader.
 */
const repoRoot = fileURLToPath(new URL('..', import.meta.url));

test.describe.configure({ mode: 'serial', timeout: 180_000 });

let project: string;

test.beforeAll(() => {
  project = mkdtempSync(join(tmpdir(), 'bridgescope-pack-'));
  // The build already ran (test:e2e builds first); don't rebuild in prepack.
  execFileSync('npm', ['pack', '--ignore-scripts', '--pack-destination', project], { cwd: repoRoot, stdio: 'pipe' });
  const tarball = readdirSync(project).find((f) => f.endsWith('.tgz'));
  if (!tarball) throw new Error('npm pack produced no tarball');
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', type: 'module', private: true }));
  execFileSync('npm', ['install', '--no-audit', '--no-fund', `./${tarball}`], { cwd: project, stdio: 'pipe' });
});

test.afterAll(() => {
  if (project) rmSync(project, { recursive: true, force: true });
});

test('the package ships the library, the CLI and the UI, and no tests, test utilities, fixtures or benches', () => {
  const [pack] = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: repoRoot, encoding: 'utf8' })) as [
    { files: { path: string }[] },
  ];
  const files = pack.files.map((f) => f.path);
  const testOnly = files.filter((f) => /\.test\.|\.test-util\.|\.spec\.|\/fixtures\/|^bench\/|^e2e\/|^\.tsbuild\//.test(f));
  expect(testOnly).toEqual([]);
  for (const entry of ['dist/agent/index.js', 'dist/inspector/testing/index.js', 'dist/shared/analysis/index.js', 'dist/shared/protocol.js', 'dist/inspector/cli/main.js', 'dist/ui/index.html']) {
    expect(files).toContain(entry);
  }
});

test('the installed agent and testing client talk to each other from plain Node', () => {
  const script = `
    import net from 'node:net';
    import { createAgent } from 'bridgescope/agent';
    import { connectInspector } from 'bridgescope/testing';
    const agent = createAgent({ name: 'consumer-app', port: 0, logger: false });
    await agent.ready;
    const server = net.createServer((socket) => socket.on('data', () => {}));
    await new Promise((r) => server.listen(0, '127.0.0.1', r));
    const inspector = await connectInspector(agent.url);
    const client = net.connect(server.address().port, '127.0.0.1');
    await inspector.waitFor((s) => s.connections.some((c) => c.state === 'open'), { timeout: 10000 });
    client.destroy();
    await inspector.waitFor((s) => s.connections.some((c) => c.state === 'closed'), { timeout: 10000 });
    console.log(JSON.stringify({ connections: inspector.state().connections.length }));
    await inspector.close();
    server.close();
    await agent.close();
  `;
  writeFileSync(join(project, 'check.mjs'), script);
  const out = execFileSync(process.execPath, ['check.mjs'], { cwd: project, encoding: 'utf8', timeout: 60_000 });
  expect(JSON.parse(out.trim().split('\n').pop()!)).toEqual({ connections: 1 });
});

test('npx bridgescope serves the built UI from inside the tarball', async () => {
  // Its own process group, so npx and the server it starts stop together.
  const child = spawn('npx', ['bridgescope', 'serve', '--port', '0'], { cwd: project, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  try {
    const uiUrl = await new Promise<string>((resolveUrl, reject) => {
      let output = '';
      const timer = setTimeout(() => reject(new Error(`no UI URL printed:\n${output}`)), 30_000);
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        const match = /http:\/\/\S+/.exec(output);
        if (match) {
          clearTimeout(timer);
          resolveUrl(match[0]);
        }
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      child.on('exit', (code) => reject(new Error(`serve exited with ${code}:\n${output}`)));
    });
    const response = await fetch(uiUrl);
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('<div id="root">');
  } finally {
    if (child.pid) process.kill(-child.pid, 'SIGTERM');
  }
});
