/**
 * `bridgescope demo` orchestration: build the UI if needed, start the
 * backend (which starts its client simulator) and the inspector server,
 * and hand back the one URL to open.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startInspectorServer } from '../inspector/server/index.js';
import { packageRoot } from '../shared/node/package-root.js';
import { startBackendProcess, type BackendProcess } from './backend-process.js';
import type { Cadence } from './options.js';
import { DEFAULT_SCENARIO, type ScenarioName } from './scenarios.js';

export const DEFAULT_UI_PORT = 9231;

export interface DemoOptions {
  scenario?: ScenarioName;
  /** Inspector UI port. Default 9231; 0 picks a free one. */
  port?: number;
  /** Agent port. Default 0 (a free one). */
  agentPort?: number;
  /** Start the client simulator. Default true. */
  client?: boolean;
  /** Where the built UI is. Default `<package root>/dist/ui` (built on first run from source). */
  uiDir?: string;
  cadence?: Partial<Cadence>;
  actionTimeout?: number;
  verbose?: boolean;
  /** Progress messages (e.g. "building the UI"); default stderr. */
  log?: (message: string) => void;
}

export interface RunningDemo {
  /** The URL to open: the UI, told to connect straight to the backend's agent. */
  url: string;
  agentUrl: string;
  uiPort: number;
  /** The bridge's Unix socket (inside `tempDir`). */
  socketPath: string;
  tempDir: string;
  backend: BackendProcess;
  /** Stops everything: children, inspector server, socket files. Idempotent. */
  stop(): Promise<void>;
}

export function demoUrl(uiPort: number, agentUrl: string): string {
  return `http://127.0.0.1:${uiPort}/?agent=${encodeURIComponent(agentUrl)}`;
}

export async function runDemo(options: DemoOptions = {}): Promise<RunningDemo> {
  const log = options.log ?? ((message: string) => console.error(message));
  const root = packageRoot();
  if (!root) throw new Error('cannot find the bridgescope package root');
  const uiDir = options.uiDir ?? join(root, 'dist', 'ui');
  if (!existsSync(join(uiDir, 'index.html'))) {
    if (options.uiDir) throw new Error(`no built UI in ${uiDir}`);
    log('bridgescope demo: building the inspector UI (first run only)…');
    await buildUi(root);
  }

  const tempDir = mkdtempSync(join(tmpdir(), 'bridgescope-demo-'));
  let backend: BackendProcess;
  try {
    backend = await startBackendProcess({
      scenario: options.scenario ?? DEFAULT_SCENARIO,
      socketPath: join(tempDir, 'bridge.sock'),
      agentPort: options.agentPort ?? 0,
      client: options.client,
      cadence: options.cadence,
      actionTimeout: options.actionTimeout,
      verbose: options.verbose,
    });
  } catch (error) {
    rmSync(tempDir, { recursive: true, force: true });
    throw error;
  }

  let server: Awaited<ReturnType<typeof startInspectorServer>>;
  try {
    server = await startInspectorServer({ host: '127.0.0.1', port: options.port ?? DEFAULT_UI_PORT, uiDir });
  } catch (error) {
    await backend.stop();
    rmSync(tempDir, { recursive: true, force: true });
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') {
      throw new Error(`port ${options.port ?? DEFAULT_UI_PORT} is in use: pass --port N (or --port 0 for a free one)`);
    }
    throw error;
  }

  let stopping: Promise<void> | undefined;
  return {
    url: demoUrl(server.port, backend.agentUrl),
    agentUrl: backend.agentUrl,
    uiPort: server.port,
    socketPath: backend.socketPath,
    tempDir,
    backend,
    stop() {
      stopping ??= (async () => {
        await Promise.allSettled([server.close(), backend.stop()]);
        rmSync(tempDir, { recursive: true, force: true });
      })();
      return stopping;
    },
  };
}

function buildUi(root: string): Promise<void> {
  return new Promise((resolve, reject) => {
    // Vite's output goes to stderr: stdout is reserved for the URL.
    const child = spawn('npx', ['vite', 'build'], {
      cwd: root,
      stdio: ['ignore', process.stderr, 'inherit'],
      shell: process.platform === 'win32',
    });
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code === 0 && existsSync(join(root, 'dist', 'ui', 'index.html'))) resolve();
      else reject(new Error(`building the UI failed (npx vite build exited with ${code}); run "npm run build:ui" to see why`));
    });
  });
}
