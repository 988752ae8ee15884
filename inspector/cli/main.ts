#!/usr/bin/env node
/**
 * `bridgescope` command line: `serve`, `check`, `demo`. Each command module
 * exports a function from argv to an exit code, so they stay testable
 * without spawning.
 */
import { runCheck } from './check.js';
import { runDemoCommand } from '../../demo/cli.js';
import { runServe } from '../server/cli.js';

const USAGE = `Usage: bridgescope <command> [options]

Commands:
  serve [--port N] [--agent URL]... [--open [FILE]] [--record DIR] [--adb]
                        serve the inspector UI and the hub agents dial into
  check <agent-url> [--for 10s] [--cycles-mark NAME] [--json] [--junit FILE] [--ignore RULE,...]
                        attach to an agent, wait, report open findings (exit 1 if any)
  demo [--scenario NAME] [--port N]
                        run the built-in demo backend, client and inspector

Run "bridgescope <command> --help" for a command's options.`;

const commands: Record<string, (argv: string[]) => Promise<number>> = {
  serve: runServe,
  check: runCheck,
  demo: runDemoCommand,
};

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h') {
    console.log(USAGE);
    return name ? 0 : 2;
  }
  const command = commands[name];
  if (!command) {
    console.error(`bridgescope: unknown command "${name}"\n\n${USAGE}`);
    return 2;
  }
  return command(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(`bridgescope: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 2;
  },
);
