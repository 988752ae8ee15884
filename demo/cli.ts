/**
 * `bridgescope demo [--scenario NAME] [--port N] [--agent-port N] [--no-client]`:
 * prints the one URL to open, runs until Ctrl-C / SIGTERM, then stops
 * everything it started.
 */
import { parseArgs } from 'node:util';
import { nonNegativeInt } from './options.js';
import { DEFAULT_UI_PORT, runDemo } from './run.js';
import { DEFAULT_SCENARIO, parseScenario, SCENARIO_NAMES } from './scenarios.js';

const USAGE = `Usage: bridgescope demo [--scenario NAME] [--port N] [--agent-port N] [--no-client] [--verbose]

Runs a demo bridge backend with the Bridgescope agent, a client simulator
that reproduces a real bridge bug, and the inspector UI; prints the URL to open.

Options:
  --scenario NAME   ${SCENARIO_NAMES.join(' | ')}
                    (default ${DEFAULT_SCENARIO}; switch later from the UI's actions)
  --port N          inspector UI port (default ${DEFAULT_UI_PORT}; 0 = a free port)
  --agent-port N    the backend agent's port (default 0 = a free port)
  --no-client       start no client simulator (connect your own to the printed socket)
  --verbose         log what the backend and client do (stderr)

See docs/demo.md for what each scenario shows.`;

export async function runDemoCommand(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        scenario: { type: 'string' },
        port: { type: 'string' },
        'agent-port': { type: 'string' },
        'no-client': { type: 'boolean', default: false },
        verbose: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (error) {
    console.error(`bridgescope demo: ${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }

  let options;
  try {
    options = {
      scenario: parseScenario(values.scenario),
      port: values.port === undefined ? DEFAULT_UI_PORT : nonNegativeInt('--port', values.port),
      agentPort: values['agent-port'] === undefined ? 0 : nonNegativeInt('--agent-port', values['agent-port']),
      client: !values['no-client'],
      verbose: values.verbose,
    };
  } catch (error) {
    console.error(`bridgescope demo: ${(error as Error).message}`);
    return 2;
  }

  const demo = await runDemo(options).catch((error: unknown) => {
    console.error(`bridgescope demo: ${error instanceof Error ? error.message : String(error)}`);
    return undefined;
  });
  if (!demo) return 2;

  // Listening for Ctrl-C before printing the URL: whoever reads it may stop us at once.
  const stopped = new Promise<void>((resolve) => {
    // The listeners stay (a second Ctrl-C while stopping is ignored): removing
    // ours can leave a loader's own SIGINT listener alone, and tsx then
    // re-raises the signal, killing the process before its children are stopped.
    const stop = (): void => resolve();
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  if (!options.client) console.error(`bridgescope demo: bridge socket at ${demo.socketPath}`);
  console.log(demo.url);
  await stopped;
  await demo.stop();
  return 0;
}
