import { EventEmitter } from 'node:events';
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { AgentError } from '../errors.js';
import { connect, connOf, listen, startProbes, strip, waitFor } from './harness.test-util.js';

const noop = () => {};

/** A backend whose connections each own a manager listener and a session handle, released on close. */
async function backend(options: { actionTimeout?: number; allowHalfOpen?: boolean } = {}) {
  const h = startProbes({ actionTimeout: options.actionTimeout ?? 2000 });
  const manager = new EventEmitter();
  h.probes.watchEmitter(manager, { name: 'manager' });
  const sessions = h.probes.handleTable('sessions');
  const server = await listen(
    net.createServer((socket) => {
      const onUpdate = () => {};
      manager.on('update', onUpdate);
      const session = sessions.store({}, { type: 'session' });
      socket.on('error', noop);
      socket.on('close', () => {
        manager.off('update', onUpdate);
        sessions.drop(session);
      });
    }),
  );
  const client = await connect(server, { allowHalfOpen: options.allowHalfOpen ?? false });
  client.resume();
  const conn = await waitFor(() => connOf(h, client), 'conn.open');
  await waitFor(() => h.ofType('handle.store')[0], 'session');
  return { h, client, conn, manager };
}

async function rejection(promise: Promise<unknown>): Promise<AgentError> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AgentError);
  return err as AgentError;
}

describe('act', () => {
  it('close is clean: the connection closed, with what it cleaned up', async () => {
    const { h, conn } = await backend();
    const result = await h.probes.act(conn, 'close', { source: 'code' });
    expect(result).toEqual({ verdict: 'clean', duration: expect.any(Number), listenersRemoved: 1, handlesDropped: 1 });
    const start = h.ofType('action.start')[0]!;
    const settle = h.ofType('action.settle')[0]!;
    expect(strip([start, settle])).toEqual([
      { type: 'action.start', action: 'a1', conn, name: 'close', source: 'code', timeout: 2000 },
      { type: 'action.settle', action: 'a1', conn, name: 'close', result },
    ]);
    // Everything the teardown caused lies between start and settle.
    const closeEvent = h.ofType('conn.close')[0]!;
    expect(closeEvent).toMatchObject({ conn, cause: 'destroy' });
    expect(closeEvent.seq).toBeGreaterThan(start.seq);
    expect(closeEvent.seq).toBeLessThan(settle.seq);
  });

  it('disconnect on a peer that never ends is stuck half-open, with what it still owns', async () => {
    const { h, conn } = await backend({ allowHalfOpen: true, actionTimeout: 150 });
    const result = await h.probes.act(conn, 'disconnect', { source: 'inspector' });
    expect(result).toEqual({
      verdict: 'stuck',
      duration: expect.any(Number),
      listenersRemoved: 0,
      handlesDropped: 0,
      state: 'half-open',
      remaining: { listeners: 1, handles: 1 },
    });
    expect(h.ofType('conn.local-end')).toMatchObject([{ conn }]);
    expect(h.ofType('conn.close')).toEqual([]);
  });

  it('disconnect on a peer that answers FIN is clean', async () => {
    const { h, conn } = await backend();
    const result = await h.probes.act(conn, 'disconnect', { source: 'code', timeout: 5000 });
    expect(result).toMatchObject({ verdict: 'clean', listenersRemoved: 1, handlesDropped: 1 });
    expect(h.ofType('action.start')[0]).toMatchObject({ timeout: 5000 });
    expect(h.ofType('conn.close')).toMatchObject([{ conn, cause: 'local-end' }]);
  });

  it('an app action that throws is failed, with its error', async () => {
    const h = startProbes();
    const conn = h.probes.trackConnection(
      {},
      {
        actions: {
          kick: () => {
            throw Object.assign(new Error('rpc refused'), { code: 'E_REFUSED' });
          },
          later: () => Promise.reject(new Error('async failure')),
        },
      },
    );
    expect(await h.probes.act(conn, 'kick', { source: 'code' })).toEqual({
      verdict: 'failed',
      duration: expect.any(Number),
      listenersRemoved: 0,
      handlesDropped: 0,
      error: { code: 'E_REFUSED', message: 'rpc refused' },
    });
    expect(await h.probes.act(conn, 'later', { source: 'code' })).toMatchObject({
      verdict: 'failed',
      error: { message: 'async failure' },
    });
  });

  it('app actions replace or add to the builtins; custom targets get close()/disconnect()', async () => {
    const h = startProbes();
    const calls: string[] = [];
    const target = {
      close() {
        calls.push('target.close');
        h.probes.connectionClosed(target);
      },
    };
    const conn = h.probes.trackConnection(target, {
      actions: { disconnect: () => calls.push('app.disconnect'), kick: () => calls.push('app.kick') },
    });
    expect(h.ofType('conn.open')[0]!.actions).toEqual([
      { name: 'disconnect', source: 'app' },
      { name: 'close', source: 'builtin' },
      { name: 'kick', source: 'app' },
    ]);
    const result = await h.probes.act(conn, 'close', { source: 'code' });
    expect(result.verdict).toBe('clean');
    expect(calls).toEqual(['target.close']);
  });

  it('a builtin the target cannot do is failed, not thrown', async () => {
    const h = startProbes();
    const conn = h.probes.trackConnection({});
    expect(await h.probes.act(conn, 'disconnect', { source: 'code' })).toMatchObject({
      verdict: 'failed',
      error: { message: expect.stringContaining('disconnect()') },
    });
  });

  it('rejects unknown connections, unknown actions and a second action while one runs', async () => {
    const h = startProbes({ actionTimeout: 100 });
    const conn = h.probes.trackConnection({ close() {} });
    expect((await rejection(h.probes.act('c404', 'close', { source: 'code' }))).code).toBe('UNKNOWN_CONNECTION');
    expect((await rejection(h.probes.act(conn, 'explode', { source: 'code' }))).code).toBe('UNKNOWN_ACTION');
    const first = h.probes.act(conn, 'close', { source: 'code' });
    expect((await rejection(h.probes.act(conn, 'close', { source: 'code' }))).code).toBe('ACTION_BUSY');
    expect(await first).toMatchObject({ verdict: 'stuck', state: 'open' });
    h.probes.connectionClosed(conn);
    expect((await rejection(h.probes.act(conn, 'close', { source: 'code' }))).code).toBe('UNKNOWN_CONNECTION');
    expect(h.ofType('action.start')).toHaveLength(1);
  });
});
