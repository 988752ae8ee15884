/**
 * The demo backend process.
 *
 *   backend.ts [--scenario NAME] [--socket PATH] [--tcp-port N] [--agent-port N]
 *              [--no-client] [--action-timeout MS] [--verbose] [cadence flags]
 *
 * When ready it sends `{ type: 'ready', agentUrl, socketPath, tcpPort, clientPid }`
 * to its parent over IPC, or prints the agent URL when run on its own.
 * SIGTERM/SIGINT (or the parent going away) stops the client, closes the
 * bridge and unlinks its socket file.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startBackendApp } from './backend-app.js';
import { CADENCE_FLAGS, nonNegativeInt, positiveInt, readCadenceFlags } from './options.js';
import { parseScenario } from './scenarios.js';

export interface BackendReadyMessage {
  type: 'ready';
  agentUrl: string;
  socketPath: string;
  tcpPort: number | null;
  clientPid: number | null;
}

/** Sent to the parent whenever the backend starts a client simulator. */
export interface BackendClientMessage {
  type: 'client';
  pid: number;
}

async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      scenario: { type: 'string' },
      socket: { type: 'string' },
      'tcp-port': { type: 'string' },
      'agent-port': { type: 'string' },
      'no-client': { type: 'boolean', default: false },
      'action-timeout': { type: 'string' },
      verbose: { type: 'boolean', default: false },
      ...CADENCE_FLAGS,
    },
  });
  // On its own, the backend makes (and later removes) its own socket directory.
  const ownDir = values.socket ? undefined : mkdtempSync(join(tmpdir(), 'bridgescope-demo-'));
  const socketPath = values.socket ?? join(ownDir as string, 'bridge.sock');
  const app = await startBackendApp({
    scenario: parseScenario(values.scenario),
    socketPath,
    tcpPort: values['tcp-port'] === undefined ? undefined : nonNegativeInt('--tcp-port', values['tcp-port']),
    agentPort: values['agent-port'] === undefined ? 0 : nonNegativeInt('--agent-port', values['agent-port']),
    client: !values['no-client'],
    cadence: readCadenceFlags(values),
    actionTimeout: values['action-timeout'] === undefined ? undefined : positiveInt('--action-timeout', values['action-timeout']),
    verbose: values.verbose,
    onClientStarted: (pid) => process.send?.({ type: 'client', pid } satisfies BackendClientMessage),
  });

  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    app
      .close()
      .catch((error: unknown) => console.error(`demo backend: ${error instanceof Error ? error.message : String(error)}`))
      .finally(() => {
        if (ownDir) rmSync(ownDir, { recursive: true, force: true });
        process.exit(0);
      });
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  process.on('disconnect', stop);

  const ready: BackendReadyMessage = {
    type: 'ready',
    agentUrl: app.agent.url,
    socketPath,
    tcpPort: app.tcpPort ?? null,
    clientPid: app.clientPid ?? null,
  };
  if (process.send) process.send(ready);
  else {
    console.log(`demo backend (${app.scenario}): bridge on unix:${socketPath}${app.tcpPort ? ` and tcp:127.0.0.1:${app.tcpPort}` : ''}`);
    console.log(`agent: ${app.agent.url}`);
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(`demo backend: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(2);
});
