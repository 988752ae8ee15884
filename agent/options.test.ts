import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLogger } from './logger.js';
import { resolveOptions } from './options.js';

afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

describe('resolveOptions', () => {
  it('applies the documented defaults', () => {
    vi.stubEnv('BRIDGESCOPE_TOKEN', '');
    const o = resolveOptions({});
    expect(o).toMatchObject({
      host: '127.0.0.1',
      port: 9230,
      listen: true,
      readonly: false,
      bufferSize: 10_000,
      autoInstrument: true,
      stackFrames: 10,
      attribution: 'async',
      actionTimeout: 2000,
      sendBudget: 4 * 1024 * 1024,
      maxMessageSize: 64 * 1024,
      heartbeatInterval: 15_000,
      batchSize: 500,
      flushInterval: 50,
      ioInterval: 1000,
      allowedHosts: [],
      allowedOrigins: [],
    });
    expect(o.dial).toBeUndefined();
    expect(o.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(resolveOptions({}).token).not.toBe(o.token);
  });

  it('takes the token from the option, then BRIDGESCOPE_TOKEN', () => {
    vi.stubEnv('BRIDGESCOPE_TOKEN', 'from-env');
    expect(resolveOptions({}).token).toBe('from-env');
    expect(resolveOptions({ token: 'explicit' }).token).toBe('explicit');
  });

  it('maps captureStacks to a frame count', () => {
    expect(resolveOptions({ captureStacks: false }).stackFrames).toBe(0);
    expect(resolveOptions({ captureStacks: 3 }).stackFrames).toBe(3);
    expect(resolveOptions({ captureStacks: true }).stackFrames).toBe(10);
  });

  it('replaces an invalid value by its default with a warning instead of throwing', () => {
    const warnings: string[] = [];
    const logger = { warn: (m: string) => warnings.push(m), error() {} };
    const o = resolveOptions({ bufferSize: 0, port: 70_000, batchSize: 2.5, attribution: 'threads' as 'sync', logger });
    expect([o.bufferSize, o.port, o.batchSize, o.attribution]).toEqual([10_000, 9230, 500, 'async']);
    expect(warnings.sort()).toEqual([
      'invalid option attribution, using the default',
      'invalid option batchSize, using the default',
      'invalid option bufferSize, using the default',
      'invalid option port, using the default',
    ]);
    expect(resolveOptions({ attribution: 'sync' }).attribution).toBe('sync');
  });
});

describe('createLogger', () => {
  it('warns on the console at most once per message', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const logger = createLogger(undefined);
    logger.warn('cannot reach the hub', 'ECONNREFUSED');
    logger.warn('cannot reach the hub', 'ECONNREFUSED');
    logger.warn('something else');
    expect(warn.mock.calls).toEqual([['[bridgescope] cannot reach the hub', 'ECONNREFUSED'], ['[bridgescope] something else']]);
  });

  it('is silent with false and survives a throwing app logger', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    createLogger(false).warn('x');
    expect(warn).not.toHaveBeenCalled();
    const throwing = createLogger({
      warn() {
        throw new Error('broken logger');
      },
      error() {},
    });
    expect(() => throwing.warn('x')).not.toThrow();
  });
});
