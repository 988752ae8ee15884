import type { HelloMessage } from '../../shared/protocol.js';

/** A minimal hello of one agent run, for tests that build streams and recordings by hand (`protocol` for version checks). */
export function hello(instance: string, protocol = 1): HelloMessage {
  return {
    type: 'hello',
    protocol,
    agent: { name: 'app', pid: 1, runtime: 'node', startedAt: 0, instance },
    now: 0,
    lastSeq: 0,
    readonly: false,
    actions: [],
    bufferSize: 100,
  };
}
