/**
 * Runs the demo backend as a child process and waits for it to be ready.
 * Tracks every client simulator pid it reports, so stopping can prove (and
 * enforce) that nothing is left running.
 */
import type { ChildProcess } from 'node:child_process';
import type { BackendClientMessage, BackendReadyMessage } from './backend.js';
import { cadenceArgs, type Cadence } from './options.js';
import type { ScenarioName } from './scenarios.js';
import { spawnDemoProcess, stopChild, waitForMessage } from './spawn.js';

export interface BackendProcessOptions {
  scenario: ScenarioName;
  socketPath: string;
  agentPort?: number;
  tcpPort?: number;
  client?: boolean;
  cadence?: Partial<Cadence>;
  actionTimeout?: number;
  verbose?: boolean;
}

export interface BackendProcess {
  child: ChildProcess;
  agentUrl: string;
  socketPath: string;
  tcpPort: number | null;
  /** Every client simulator pid the backend reported. */
  clientPids: number[];
  stop(): Promise<void>;
}

const READY_TIMEOUT_MS = 60_000;

function isReady(message: unknown): message is BackendReadyMessage {
  return (message as { type?: unknown } | null)?.type === 'ready';
}

function isClientMessage(message: unknown): message is BackendClientMessage {
  return (message as { type?: unknown } | null)?.type === 'client' && typeof (message as { pid?: unknown }).pid === 'number';
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export async function startBackendProcess(options: BackendProcessOptions): Promise<BackendProcess> {
  const args = ['--scenario', options.scenario, '--socket', options.socketPath, ...cadenceArgs(options.cadence ?? {})];
  if (options.agentPort !== undefined) args.push('--agent-port', String(options.agentPort));
  if (options.tcpPort !== undefined) args.push('--tcp-port', String(options.tcpPort));
  if (options.client === false) args.push('--no-client');
  if (options.actionTimeout !== undefined) args.push('--action-timeout', String(options.actionTimeout));
  if (options.verbose) args.push('--verbose');

  const child = spawnDemoProcess('backend', args, options.verbose ? 'inherit' : 'ignore');
  const clientPids: number[] = [];
  child.on('message', (message) => {
    if (isClientMessage(message)) clientPids.push(message.pid);
  });
  let ready: BackendReadyMessage;
  try {
    ready = await waitForMessage(child, isReady, READY_TIMEOUT_MS, 'demo backend');
  } catch (error) {
    await stopChild(child);
    throw error;
  }
  return {
    child,
    agentUrl: ready.agentUrl,
    socketPath: ready.socketPath,
    tcpPort: ready.tcpPort,
    clientPids,
    async stop() {
      await stopChild(child);
      // The backend stops its client (earlier ones it stopped and awaited on
      // each switch); should the backend have died first, the client exits
      // when its IPC channel closes — make sure either way.
      const latest = clientPids.at(-1);
      if (latest !== undefined && isAlive(latest)) process.kill(latest, 'SIGKILL');
    },
  };
}
