/**
 * Writes a recording of `count` events shaped like a busy bridge backend:
 * clients connect, subscribe three listeners, open a room (three handles),
 * exchange I/O, then clean up and close — with every hundredth session leaking
 * its listeners, so the analysis has findings to explain. Rows are what the
 * Node agent writes: times in ms rounded to microseconds (agent/clock.ts), a
 * socket's conn.io with byte counters and `lastIn`, no message counts
 * (agent/probes/io.ts).
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { PROTOCOL_VERSION, type AgentEvent, type EventInput, type HelloMessage } from '../../shared/protocol.js';
import { createRecordingHeader, RecordingWriter } from '../../inspector/client/recording.js';

export function writeRecording(path: string, count: number): void {
  const fd = openSync(path, 'w');
  let pending: string[] = [];
  const writer = new RecordingWriter((chunk) => {
    pending.push(chunk);
    if (pending.length >= 10_000) {
      writeSync(fd, pending.join(''));
      pending = [];
    }
  }, createRecordingHeader(0));
  let seq = 0;
  /** One event every 50 µs. */
  let micros = 0;
  let t = 0;
  const emit = (input: EventInput) => {
    t = (micros += 50) / 1000;
    writer.add({ ...input, seq: ++seq, t } as AgentEvent);
  };
  const hello: HelloMessage = {
    type: 'hello',
    protocol: PROTOCOL_VERSION,
    agent: { name: 'bench-recording', pid: 1, runtime: 'node v20', startedAt: 0, instance: 'bench' },
    now: 0,
    lastSeq: 0,
    readonly: false,
    actions: [],
    bufferSize: 10_000,
  };
  writer.add(hello);
  emit({ type: 'server.listen', server: 's1', transport: 'unix', address: '/tmp/bridge.sock' });
  emit({ type: 'emitter.watch', emitter: 'e1', name: 'manager', kind: 'EventEmitter' });
  emit({ type: 'handle.table', table: 'rooms', mirror: false });
  const actions = [{ name: 'disconnect', source: 'builtin' as const }, { name: 'close', source: 'builtin' as const }];
  let handle = 0;
  let listener = 0;
  for (let session = 1; seq < count; session++) {
    const conn = `c${session}`;
    emit({ type: 'conn.open', conn, server: 's1', transport: 'unix', client: 'app', actions });
    const listeners = ['stateChanged', 'volumeChanged', 'peerJoined'].map((event) => {
      const id = `l${++listener}`;
      emit({ type: 'listener.add', listener: id, emitter: 'e1', event, owner: conn, once: false });
      return { id, event };
    });
    const room = ++handle;
    emit({ type: 'handle.store', table: 'rooms', handle: room, handleType: 'room', owner: conn });
    for (let k = 0; k < 2; k++) emit({ type: 'handle.store', table: 'rooms', handle: ++handle, handleType: 'track', parent: room, owner: conn });
    for (let k = 1; k <= 40 && seq < count; k++) emit({ type: 'conn.io', conn, bytesIn: k * 120, bytesOut: k * 340, lastActivity: t, lastIn: t });
    for (let h = handle; h >= room; h--) emit({ type: 'handle.drop', table: 'rooms', handle: h, ok: true, ...(h !== room && { cascadeFrom: room }), owner: conn });
    if (session % 100 !== 0) for (const l of listeners) emit({ type: 'listener.remove', listener: l.id, emitter: 'e1', event: l.event, how: 'remove' });
    emit({ type: 'conn.peer-end', conn });
    emit({ type: 'conn.close', conn, cause: 'peer-end' });
  }
  writer.add({ type: 'now', now: t + 5000 });
  writeSync(fd, pending.join(''));
  closeSync(fd);
}
