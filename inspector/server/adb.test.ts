import { chmod, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ADB_MISSING, parseDevices, startAdbReverse } from './adb.js';
import { memoryLogger, tempDir } from './attach.test-util.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A fake `adb` that logs its arguments and lists the devices written in a file. */
async function fakeAdb(devices: string) {
  const dir = await tempDir();
  cleanups.push(() => dir.remove());
  const log = join(dir.path, 'adb.log');
  const list = join(dir.path, 'devices.txt');
  const adb = join(dir.path, 'adb');
  await writeFile(list, devices);
  await writeFile(log, '');
  await writeFile(adb, `#!/bin/sh\necho "$@" >> '${log}'\nif [ "$1" = devices ]; then echo 'List of devices attached'; cat '${list}'; fi\n`);
  await chmod(adb, 0o755);
  return {
    adb,
    // Replace the list atomically: a poll must never read it half-written.
    setDevices: async (text: string) => {
      await writeFile(`${list}.new`, text);
      await rename(`${list}.new`, list);
    },
    commands: async () => (await readFile(log, 'utf8')).split('\n').filter(Boolean),
  };
}

describe('adb reverse', () => {
  it('parses `adb devices`, keeping only devices that are ready', () => {
    const output = '* daemon not running; starting now at tcp:5037\n* daemon started successfully\nList of devices attached\nemulator-5554\tdevice\nR58M12345\tunauthorized\n0123abcd\toffline\nPIXEL7\tdevice\n\n';
    expect(parseDevices(output)).toEqual(['emulator-5554', 'PIXEL7']);
  });

  it('reverses every device, and again after a device reconnects', async () => {
    const fake = await fakeAdb('emulator-5554\tdevice\n');
    const logger = memoryLogger();
    const adb = startAdbReverse({ port: 9231, logger, pollInterval: 50, adb: fake.adb });
    cleanups.push(() => adb.close());
    await adb.ready;
    expect(await fake.commands()).toEqual(['devices', '-s emulator-5554 reverse tcp:9231 tcp:9231']);

    const count = async (command: string) => (await fake.commands()).filter((c) => c === command).length;
    const emulator = '-s emulator-5554 reverse tcp:9231 tcp:9231';
    await fake.setDevices('emulator-5554\tdevice\nPIXEL7\tdevice\n');
    await waitForAsync(async () => (await count('-s PIXEL7 reverse tcp:9231 tcp:9231')) === 1, 'the second device reversed');
    expect(await count(emulator)).toBe(1);

    await fake.setDevices('PIXEL7\tdevice\n');
    const polls = await count('devices');
    await waitForAsync(async () => (await count('devices')) > polls + 1, 'a poll without the emulator');
    await fake.setDevices('emulator-5554\tdevice\nPIXEL7\tdevice\n');
    await waitForAsync(async () => (await count(emulator)) === 2, 'the emulator reversed again after reconnecting');
    expect(await count('-s PIXEL7 reverse tcp:9231 tcp:9231')).toBe(1);
    expect(logger.lines.some((l) => l.includes('emulator-5554 now reaches the hub at 127.0.0.1:9231'))).toBe(true);
  });

  it('says plainly when adb is not on the PATH', async () => {
    const logger = memoryLogger();
    const adb = startAdbReverse({ port: 9231, logger, adb: 'bridgescope-no-such-adb' });
    cleanups.push(() => adb.close());
    await adb.ready;
    expect(logger.lines).toEqual([`error: ${ADB_MISSING}`]);
  });
});

async function waitForAsync(probe: () => Promise<boolean>, what: string, timeout = 10_000): Promise<void> {
  const deadline = Date.now() + timeout;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
