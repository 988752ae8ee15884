/**
 * host.bridge.* server child: an rpc-reflector bridge (the real package) over
 * a Unix socket. One shared API object whose methods every client calls and
 * whose events every client subscribes to; one rpc-reflector server per
 * connection, closed (its subscriptions removed) when the socket closes. Variants:
 *   none      no agent
 *   control   the same as none: how far a ratio strays from 1 in this run
 *   agent     agent embedded as in host.* (attribution 'sync', no stacks), no inspector
 *   attached  as agent; the parent attaches an inspector
 *   why       why-is-node-running loaded (its async hook records every resource with its stack), no agent
 * argv: <variant> <socket path>. Replies `ready` with the agent URL;
 * `cpu-start` / `cpu-stop` bracket a measured slice (reply `cpu`, in µs).
 */
import { EventEmitter } from 'node:events';
import { rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { createServer as createRpcServer } from 'rpc-reflector';
import { createAgent } from '../../agent/index.js';
import { answerCpu, reply } from './child.js';
import { LinePort } from './line-port.js';

export type BridgeVariant = 'none' | 'control' | 'agent' | 'attached' | 'why';

process.setSourceMapsEnabled(false);
const [variant, socketPath] = process.argv.slice(2) as [BridgeVariant, string];

if (variant === 'why') await import('why-is-node-running');
const agent = variant === 'agent' || variant === 'attached' ? createAgent({ name: `bench-bridge-${variant}`, port: 0, logger: false, attribution: 'sync', captureStacks: false }) : null;
await agent?.ready;

/** The backend's API: status reads, a setter whose change every subscriber hears. */
class Player extends EventEmitter {
  private volume = 50;
  private readonly peers = ['a', 'b', 'c'];

  getStatus(): { volume: number; peers: string[]; state: string } {
    return { volume: this.volume, peers: this.peers, state: 'playing' };
  }

  setVolume(volume: number): number {
    this.volume = volume;
    this.emit('volumeChanged', volume);
    return volume;
  }
}

const player = new Player();
player.setMaxListeners(0);
agent?.watchEmitter(player, { name: 'player' });

const server = createServer((socket) => {
  const { close } = createRpcServer(player, new LinePort(socket));
  socket.on('close', close);
  socket.on('error', () => {});
});
rmSync(socketPath, { force: true });
await new Promise<void>((resolve) => server.listen(socketPath, resolve));

answerCpu();
reply({ type: 'ready', agentUrl: agent?.url ?? '' });
