/** `bridgescope serve`: argv → exit code. */
import type { Logger } from '../../shared/logger.js';
import { redactToken } from '../client/agent-url.js';
import { DEFAULT_SERVE_PORT, EMULATOR_HOST_ALIASES, startInspectorServer, type InspectorServerOptions } from './index.js';
import { openBrowser } from './open-browser.js';

export const SERVE_USAGE = `Usage: bridgescope serve [options]

Serves the inspector UI and the hub that agents dial into.

Options:
  --host H                interface to listen on (default 127.0.0.1)
  --port N                port (default ${DEFAULT_SERVE_PORT}; 0 picks a free one)
  --token T               UI token (default: BRIDGESCOPE_TOKEN or random)
  --pairing-token T       token agents dial with (default: the UI token)
  --agent URL             also connect out to a listening agent (repeatable)
  --record DIR            record every target to DIR as NDJSON
  --record-max-bytes N    rotate recordings past N bytes (default 50 MB)
  --open [FILE]           open the UI in a browser; with FILE, open that recording
  --adb                   adb reverse tcp:PORT tcp:PORT on every connected Android device
  --allowed-host H        accept this Host header too (repeatable; e.g. a LAN address)
  --allowed-origin O      accept this browser origin too (repeatable)
  --max-connections N     most connections at once (default 512)
  --max-unauthenticated N most connections not yet authenticated (default 64)
  --history-bytes N       history kept per target (default 32MB)
  --max-history-bytes N   history kept for all targets together (default 256MB)
  --forget-after SECONDS  forget a target offline and unwatched this long (default 900)
  -h, --help              show this help`;

interface ServeArgs {
  options: InspectorServerOptions;
  openBrowser: boolean;
  help: boolean;
}

class UsageError extends Error {}

function takeValue(argv: string[], i: number, flag: string): string {
  const value = argv[i + 1];
  if (value === undefined || value.startsWith('--')) throw new UsageError(`${flag} needs a value`);
  return value;
}

function parsePort(text: string): number {
  const port = Number(text);
  if (!/^[0-9]+$/.test(text) || port > 65535) throw new UsageError(`--port must be 0–65535, got "${text}"`);
  return port;
}

function parseCount(flag: string, text: string): number {
  const n = Number(text);
  if (!/^[0-9]+$/.test(text) || n < 1) throw new UsageError(`${flag} must be a whole number ≥ 1, got "${text}"`);
  return n;
}

function parseBytes(flag: string, text: string): number {
  const match = /^([0-9]+(?:\.[0-9]+)?)\s*(k|kb|m|mb|g|gb)?$/i.exec(text);
  if (!match) throw new UsageError(`${flag} must be a size like 50000000 or 50MB, got "${text}"`);
  const unit = (match[2] ?? '').toLowerCase()[0];
  const bytes = Math.floor(Number(match[1]) * (unit === 'k' ? 1e3 : unit === 'm' ? 1e6 : unit === 'g' ? 1e9 : 1));
  if (bytes < 1024) throw new UsageError(`${flag} must be at least 1024`);
  return bytes;
}

export function parseServeArgs(argv: string[]): ServeArgs {
  const options: InspectorServerOptions = {};
  const agents: string[] = [];
  const allowedHosts: string[] = [];
  const allowedOrigins: string[] = [];
  let open = false;
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = () => {
      if (inline !== undefined) return inline;
      const v = takeValue(argv, i, flag);
      i++;
      return v;
    };
    switch (flag) {
      case '--host':
        options.host = value();
        break;
      case '--port':
        options.port = parsePort(value());
        break;
      case '--token':
        options.token = value();
        break;
      case '--pairing-token':
        options.pairingToken = value();
        break;
      case '--agent':
        agents.push(value());
        break;
      case '--record':
        options.recordDir = value();
        break;
      case '--record-max-bytes':
        options.recordMaxBytes = parseBytes(flag, value());
        break;
      case '--open': {
        open = true;
        const next = argv[i + 1];
        if (inline !== undefined) options.open = inline;
        else if (next !== undefined && !next.startsWith('-')) {
          options.open = next;
          i++;
        }
        break;
      }
      case '--adb':
        options.adb = true;
        break;
      case '--allowed-host':
        allowedHosts.push(value());
        break;
      case '--allowed-origin':
        allowedOrigins.push(value());
        break;
      case '--max-connections':
        options.maxConnections = parseCount(flag, value());
        break;
      case '--max-unauthenticated':
        options.maxUnauthenticated = parseCount(flag, value());
        break;
      case '--history-bytes':
        options.historyBytes = parseBytes(flag, value());
        break;
      case '--max-history-bytes':
        options.maxHistoryBytes = parseBytes(flag, value());
        break;
      case '--forget-after':
        options.forgetAfter = parseCount(flag, value()) * 1000;
        break;
      case '-h':
      case '--help':
        help = true;
        break;
      default:
        throw new UsageError(`unknown option "${arg}"`);
    }
  }
  if (agents.length) options.agents = agents;
  if (allowedHosts.length) options.allowedHosts = allowedHosts;
  if (allowedOrigins.length) options.allowedOrigins = allowedOrigins;
  return { options, openBrowser: open, help };
}

/** Startup lines: where the UI is, what agents dial, and the dial option for each simulator. */
export function startupBanner(uiUrl: string, hubUrl: string): string {
  // The same dial URL, as an emulator or simulator reaches this machine.
  const dial = (host: string) => {
    const url = new URL(hubUrl);
    url.hostname = host;
    return url.href;
  };
  return [
    `Bridgescope inspector: ${uiUrl}`,
    `Agents dial:           ${hubUrl}`,
    `  createAgent({ dial }) — Android emulator: dial: '${dial(EMULATOR_HOST_ALIASES[0]!)}' · iOS simulator: dial: '${dial('127.0.0.1')}'`,
  ].join('\n');
}

const cliLogger: Logger = {
  debug: (message) => console.log(message),
  warn: (message) => console.warn(`warning: ${message}`),
  error: (message) => console.error(`error: ${message}`),
};

/** Runs until SIGINT/SIGTERM; resolves with the exit code. */
export async function runServe(argv: string[]): Promise<number> {
  let args: ServeArgs;
  try {
    args = parseServeArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`bridgescope serve: ${error.message}\n\n${SERVE_USAGE}`);
    return 2;
  }
  if (args.help) {
    console.log(SERVE_USAGE);
    return 0;
  }
  const port = args.options.port ?? DEFAULT_SERVE_PORT;
  let server: Awaited<ReturnType<typeof startInspectorServer>>;
  try {
    server = await startInspectorServer({ ...args.options, logger: cliLogger });
  } catch (error) {
    const { code, message } = error as NodeJS.ErrnoException;
    if (code === 'EADDRINUSE') {
      console.error(`bridgescope serve: port ${port} is already in use (EADDRINUSE). Stop the other server or pick another with --port N (0 = any free port).`);
    } else if (code === 'ENOENT' && args.options.open) {
      console.error(`bridgescope serve: cannot open recording ${args.options.open}: no such file`);
    } else {
      console.error(`bridgescope serve: ${redactToken(message)}`);
    }
    return 2;
  }
  // Listening for Ctrl-C before the banner says we are up: whoever reads it may stop us at once.
  const exited = new Promise<number>((resolveExit) => {
    // The listeners stay: removing ours can leave a loader's own SIGINT
    // listener alone (tsx then re-raises the signal and kills the close).
    let stopping = false;
    const stop = (signal: NodeJS.Signals) => {
      if (stopping) return;
      stopping = true;
      console.log(`\n${signal === 'SIGINT' ? 'Ctrl-C' : signal}: closing`);
      void server.close().then(() => resolveExit(0));
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  console.log(startupBanner(server.uiUrl, server.hubUrl));
  if (args.openBrowser) openBrowser(server.uiUrl);
  return exited;
}
