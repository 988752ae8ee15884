/**
 * The backend owns its client simulator process, so a scenario action from
 * the inspector can restart it with another scenario.
 */
import type { ChildProcess } from 'node:child_process';
import type { Cadence } from './options.js';
import { cadenceArgs } from './options.js';
import { describeEndpoint, type BridgeEndpoint } from './rpc.js';
import type { ScenarioName } from './scenarios.js';
import { isRunning, spawnDemoProcess, stopChild, waitForMessage } from './spawn.js';

function isClientReady(message: unknown): message is { type: 'client-ready' } {
  return (message as { type?: unknown } | null)?.type === 'client-ready';
}

export class ClientSupervisor {
  private child: ChildProcess | undefined;

  constructor(
    private readonly endpoint: BridgeEndpoint,
    private readonly cadence: Partial<Cadence>,
    private readonly verbose: boolean,
    private readonly onStarted?: (pid: number) => void,
  ) {}

  /** Pid of the running client, if any. */
  get pid(): number | undefined {
    return this.child && isRunning(this.child) ? this.child.pid : undefined;
  }

  async start(scenario: ScenarioName): Promise<number | undefined> {
    await this.stop();
    const args = ['--endpoint', describeEndpoint(this.endpoint), '--scenario', scenario, ...cadenceArgs(this.cadence)];
    if (this.verbose) args.push('--verbose');
    const child = spawnDemoProcess('client', args);
    this.child = child;
    if (child.pid !== undefined) this.onStarted?.(child.pid);
    await waitForMessage(child, isClientReady, 30_000, 'demo client');
    return child.pid;
  }

  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (child) await stopChild(child);
  }
}
