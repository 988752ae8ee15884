/**
 * The client simulator process (the "app"): runs the client side of a
 * scenario against the bridge.
 *
 *   client.ts --endpoint unix:/tmp/x/bridge.sock --scenario reload-leak [cadence flags]
 *
 * Exits on SIGTERM/SIGINT, or when its parent's IPC channel closes, so it
 * never outlives the demo.
 */
import { parseArgs } from 'node:util';
import { runClientPlan } from './client-plan.js';
import { CADENCE_FLAGS, DEFAULT_CADENCE, readCadenceFlags } from './options.js';
import { parseEndpoint } from './rpc.js';
import { parseScenario, SCENARIOS } from './scenarios.js';

async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      endpoint: { type: 'string' },
      scenario: { type: 'string' },
      verbose: { type: 'boolean', default: false },
      ...CADENCE_FLAGS,
    },
  });
  if (!values.endpoint) throw new Error('--endpoint is required');
  const scenario = SCENARIOS[parseScenario(values.scenario)];
  const controller = new AbortController();
  const stop = (): void => controller.abort();
  // `on`, not `once`: see demo/cli.ts; aborting twice is harmless.
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  process.once('disconnect', stop);
  const log = values.verbose ? (message: string) => console.error(`[demo client] ${message}`) : undefined;
  const running = runClientPlan({
    endpoint: parseEndpoint(values.endpoint),
    plan: scenario.client,
    cadence: { ...DEFAULT_CADENCE, ...readCadenceFlags(values) },
    signal: controller.signal,
    log,
  });
  process.send?.({ type: 'client-ready', scenario: scenario.name });
  await running;
  // Every role resolved: either stopped, or nothing left to do; wait for a stop.
  if (!controller.signal.aborted) await new Promise((resolve) => controller.signal.addEventListener('abort', resolve));
  process.exit(0);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(`demo client: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(2);
});
