import { basename } from 'node:path';
import { createLogger } from './logger.js';
import { newToken } from '../shared/node/token.js';
import type { AgentOptions, Attribution, Logger } from './types.js';

/** {@link AgentOptions} with every default applied (documented in docs/agent.md). */
export interface ResolvedOptions {
  name: string;
  client: string | undefined;
  host: string;
  port: number;
  listen: boolean;
  dial: string | undefined;
  token: string;
  readonly: boolean;
  allowedOrigins: string[];
  allowedHosts: string[];
  bufferSize: number;
  autoInstrument: boolean;
  /** Frames per creation stack; 0 = no stacks. */
  stackFrames: number;
  attribution: Attribution;
  actionTimeout: number;
  sendBudget: number;
  maxMessageSize: number;
  heartbeatInterval: number;
  maxConnections: number;
  maxUnauthenticated: number;
  maxAuthMessageSize: number;
  batchSize: number;
  flushInterval: number;
  ioInterval: number;
  logger: Logger;
}

const DEFAULTS = {
  host: '127.0.0.1',
  port: 9230,
  bufferSize: 10_000,
  stackFrames: 10,
  actionTimeout: 2000,
  sendBudget: 4 * 1024 * 1024,
  maxMessageSize: 64 * 1024,
  heartbeatInterval: 15_000,
  maxConnections: 64,
  maxUnauthenticated: 16,
  maxAuthMessageSize: 4096,
  batchSize: 500,
  flushInterval: 50,
  ioInterval: 1000,
} as const;

/**
 * Applies defaults. An invalid value is replaced by its default with a
 * warning instead of throwing: a config slip in a debugging aid must not take
 * the host down.
 */
export function resolveOptions(options: AgentOptions = {}): ResolvedOptions {
  const logger = createLogger(options.logger);
  const int = (key: keyof typeof DEFAULTS & keyof AgentOptions, min: number, max = Number.MAX_SAFE_INTEGER): number => {
    const value = options[key];
    if (value === undefined) return DEFAULTS[key] as number;
    if (typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max) return value;
    logger.warn(`invalid option ${key}, using the default`, { given: value, default: DEFAULTS[key] });
    return DEFAULTS[key] as number;
  };
  return {
    name: nonEmpty(options.name) ?? defaultName(),
    client: nonEmpty(options.client),
    host: nonEmpty(options.host) ?? DEFAULTS.host,
    port: int('port', 0, 65535),
    listen: options.listen ?? true,
    dial: nonEmpty(options.dial),
    token: nonEmpty(options.token) ?? nonEmpty(process.env.BRIDGESCOPE_TOKEN) ?? newToken(),
    readonly: options.readonly === true,
    allowedOrigins: strings(options.allowedOrigins),
    allowedHosts: strings(options.allowedHosts),
    bufferSize: int('bufferSize', 1),
    autoInstrument: options.autoInstrument ?? true,
    stackFrames: stackFrames(options.captureStacks),
    attribution: attribution(options.attribution, logger),
    actionTimeout: int('actionTimeout', 0),
    sendBudget: int('sendBudget', 1),
    maxMessageSize: int('maxMessageSize', 1),
    heartbeatInterval: int('heartbeatInterval', 1),
    maxConnections: int('maxConnections', 1),
    maxUnauthenticated: int('maxUnauthenticated', 1),
    maxAuthMessageSize: int('maxAuthMessageSize', 64),
    batchSize: int('batchSize', 1),
    flushInterval: int('flushInterval', 0),
    ioInterval: int('ioInterval', 0),
    logger,
  };
}

/** Default name: the script's file name (`server.js`), or `node` for a REPL / `-e`. */
function defaultName(): string {
  const script = process.argv[1];
  return script ? basename(script) : 'node';
}

function stackFrames(capture: boolean | number | undefined): number {
  if (capture === undefined || capture === true) return DEFAULTS.stackFrames;
  if (capture === false) return 0;
  return Number.isFinite(capture) && capture > 0 ? Math.floor(capture) : 0;
}

function attribution(given: Attribution | undefined, logger: Logger): Attribution {
  if (given === undefined || given === 'async' || given === 'sync') return given ?? 'async';
  logger.warn('invalid option attribution, using the default', { given, default: 'async' });
  return 'async';
}

function nonEmpty(value: string | undefined): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function strings(list: string[] | undefined): string[] {
  return Array.isArray(list) ? list.filter((s): s is string => typeof s === 'string' && s !== '') : [];
}
