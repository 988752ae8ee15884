import { execFile } from 'node:child_process';
import type { Logger } from '../../shared/logger.js';

export const ADB_MISSING = 'adb not found on PATH: install Android platform-tools or drop --adb';

export interface AdbReverseOptions {
  /** The hub's port: devices get `tcp:PORT` forwarded to it. */
  port: number;
  logger: Logger;
  /** Milliseconds between `adb devices` polls. Default 2000. */
  pollInterval?: number;
  /** The adb executable. Default `adb` (looked up on PATH). */
  adb?: string;
}

export interface AdbReverse {
  /** Resolves after the first poll (devices present then are reversed, or adb was found missing). */
  readonly ready: Promise<void>;
  close(): void;
}

function run(adb: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(adb, args, { timeout: 15_000, windowsHide: true }, (error, stdout) => (error ? reject(error) : resolve(stdout)));
  });
}

/** Serials in state `device` from `adb devices` output (skips `offline`, `unauthorized`, daemon chatter). */
export function parseDevices(output: string): string[] {
  const serials: string[] = [];
  for (const line of output.split(/\r?\n/)) {
    const [serial, state] = line.trim().split(/\s+/);
    if (serial && state === 'device' && !line.startsWith('*') && !line.startsWith('List of devices')) serials.push(serial);
  }
  return serials;
}

/**
 * `--adb`: makes `127.0.0.1:PORT` on every connected Android device reach
 * the hub, so an app can `dial: 'ws://127.0.0.1:PORT/agent?token=…'` over
 * USB. Polls `adb devices` and reverses each device when it appears — again
 * after it reconnects, since a device forgets its reverse rules on reboot.
 */
export function startAdbReverse(options: AdbReverseOptions): AdbReverse {
  const adb = options.adb ?? 'adb';
  const interval = options.pollInterval ?? 2000;
  const rule = `tcp:${options.port}`;
  const reversed = new Set<string>();
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;

  async function poll(): Promise<void> {
    let output: string;
    try {
      output = await run(adb, ['devices']);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        options.logger.error(ADB_MISSING);
        stopped = true;
        return;
      }
      options.logger.warn(`adb devices failed: ${(error as Error).message.trim()}`);
      return;
    }
    const present = new Set(parseDevices(output));
    for (const serial of reversed) if (!present.has(serial)) reversed.delete(serial);
    for (const serial of present) {
      if (reversed.has(serial) || stopped) continue;
      try {
        await run(adb, ['-s', serial, 'reverse', rule, rule]);
        reversed.add(serial);
        options.logger.debug?.(`adb: ${serial} now reaches the hub at 127.0.0.1:${options.port} (adb reverse ${rule} ${rule})`);
      } catch (error) {
        options.logger.warn(`adb reverse on ${serial} failed: ${(error as Error).message.trim()}`);
      }
    }
  }

  function schedule(): void {
    if (stopped) return;
    timer = setTimeout(() => void poll().then(schedule), interval);
    timer.unref?.();
  }

  const ready = poll().then(schedule);
  return {
    ready,
    close() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
