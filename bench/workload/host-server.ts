/**
 * host.* server child: the demo bridge (framed JSON RPC over a Unix socket,
 * a singleton manager whose events fan out to subscribed sessions, rooms in a
 * handle table) in one of six variants:
 *   none      no agent, a plain handle table
 *   control   the same as none: a second server that shows how far a ratio strays from 1 here
 *   agent     agent embedded: synchronous attribution, no stacks; no inspector
 *   attached  as agent; the parent attaches an inspector
 *   async     agent with attribution across async work (the default), no stacks; no inspector
 *   stacks    agent with its defaults: async attribution and 10-frame creation stacks; no inspector
 * argv: <variant> <socket path>. Replies `ready` with the agent URL;
 * `cpu-start` / `cpu-stop` bracket the measured phase (reply `cpu`, in µs).
 */
import { rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { createAgent } from '../../agent/index.js';
import type { AgentOptions, HandleTable } from '../../agent/types.js';
import { Bridge } from '../../demo/bridge.js';
import { BridgeManager } from '../../demo/manager.js';
import { RoomService, type Room, type Track } from '../../demo/rooms.js';
import { answerCpu, reply } from './child.js';
import { PlainHandleTable } from './plain-handles.js';

export type HostVariant = 'none' | 'control' | 'agent' | 'attached' | 'async' | 'stacks';
type AgentVariant = Exclude<HostVariant, 'none' | 'control'>;

const OPTIONS: Record<AgentVariant, AgentOptions> = {
  agent: { attribution: 'sync', captureStacks: false },
  attached: { attribution: 'sync', captureStacks: false },
  async: { captureStacks: false },
  stacks: {},
};

// Under tsx (bench/cg-host.ts by hand) source maps are on; a compiled production backend
// runs without them, and with them every captured stack would be source-mapped (several times dearer).
process.setSourceMapsEnabled(false);

const [variant, socketPath] = process.argv.slice(2) as [HostVariant, string];

const agentOptions = variant === 'none' || variant === 'control' ? null : OPTIONS[variant];
const agent = agentOptions && createAgent({ name: `bench-host-${variant}`, port: 0, logger: false, ...agentOptions });
await agent?.ready;

const manager = new BridgeManager();
agent?.watchEmitter(manager, { name: 'manager' });
const table: HandleTable<Room | Track> = agent ? agent.handleTable<Room | Track>('rooms') : new PlainHandleTable<Room | Track>('rooms');
const rooms = new RoomService(table, { mode: () => 'fixed', taskDelay: 1 });
const bridge = new Bridge({ manager, rooms, mode: () => ({ cleanup: true, rooms: 'fixed' }) });
const server = createServer((socket) => bridge.serve(socket));
rmSync(socketPath, { force: true });
await new Promise<void>((resolve) => server.listen(socketPath, resolve));

answerCpu();
reply({ type: 'ready', agentUrl: agent?.url ?? '' });
