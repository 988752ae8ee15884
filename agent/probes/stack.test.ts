import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { appFrames, createStackCapture } from './stack.js';

const agentFile = fileURLToPath(new URL('./connections.ts', import.meta.url));

describe('creation stacks', () => {
  it('keeps app frames only: no agent files, no Node internals', () => {
    const text = [
      'Error',
      `    at ConnectionRegistry.track (${agentFile}:10:5)`,
      '    at EventEmitter.on (node:events:500:3)',
      '    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)',
      '    at subscribe (/app/server.js:42:7)',
      '    at /app/server.js:50:1',
      '    at main (file:///app/main.mjs:3:3)',
    ].join('\n');
    expect(appFrames(text, 10)).toEqual(['at subscribe (/app/server.js:42:7)', 'at /app/server.js:50:1', 'at main (file:///app/main.mjs:3:3)']);
    expect(appFrames(text, 1)).toEqual(['at subscribe (/app/server.js:42:7)']);
  });

  it('when every frame kept is a library’s, also keeps the first frame of the app’s own code', () => {
    const lib = (n: number) => `    at lib${n} (/app/node_modules/rpc/server.js:${n}:1)`;
    const text = ['Error', lib(1), lib(2), lib(3), '    at FramedPort.emit (/app/bridge.js:12:9)', '    at main (/app/main.js:3:3)'].join('\n');
    expect(appFrames(text, 2)).toEqual([lib(1).trim(), lib(2).trim(), 'at FramedPort.emit (/app/bridge.js:12:9)']);
    expect(appFrames(text, 5)).toEqual([lib(1).trim(), lib(2).trim(), lib(3).trim(), 'at FramedPort.emit (/app/bridge.js:12:9)', 'at main (/app/main.js:3:3)']);
  });

  it('captures the caller’s frames, bounded, and nothing when off', () => {
    const capture = createStackCapture(2);
    function subscribeHere() {
      return capture();
    }
    const stack = subscribeHere()!;
    expect(stack).toHaveLength(2);
    expect(stack[0]).toMatch(/^at subscribeHere \(.*stack\.test\.ts:\d+:\d+\)$/);
    expect(createStackCapture(0)()).toBeUndefined();
  });

  it('is an ordinary array to every reader, though formatted only when first read', () => {
    const capture = createStackCapture(3);
    function subscribeHere() {
      return capture();
    }
    // Count V8's formatting (the expensive part), keeping its usual text.
    let formatted = 0;
    const original = Error.prepareStackTrace;
    Error.prepareStackTrace = (error, sites) => {
      formatted++;
      return `${String(error)}\n${sites.map((site) => `    at ${String(site)}`).join('\n')}`;
    };
    let stack: string[];
    try {
      stack = subscribeHere()!;
      expect(formatted).toBe(0);
      expect(stack[0]).toMatch(/^at subscribeHere \(/);
      expect(formatted).toBe(1);
    } finally {
      Error.prepareStackTrace = original;
    }
    expect(Array.isArray(stack)).toBe(true);
    const sent = JSON.parse(JSON.stringify({ stack }));
    expect(sent.stack[0]).toMatch(/^at subscribeHere \(/);
    expect([...stack]).toEqual(sent.stack);
    expect(stack.slice(0, 1)).toEqual([sent.stack[0]]);
  });

  it('leaves Error.stackTraceLimit as it was', () => {
    const before = Error.stackTraceLimit;
    createStackCapture(30)();
    expect(Error.stackTraceLimit).toBe(before);
  });
});
