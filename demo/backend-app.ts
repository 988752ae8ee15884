/**
 * The demo backend: a bridge server on a Unix socket (and optionally TCP),
 * the singleton manager, the room service, and the Bridgescope agent
 * embedded through its public API — plus the client simulator it owns and
 * the `scenario:<name>` actions that switch scenario from the inspector.
 */
import { rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { createAgent } from '../agent/index.js';
import type { Agent } from '../agent/types.js';
import { Bridge } from './bridge.js';
import { ClientSupervisor } from './client-supervisor.js';
import { BridgeManager } from './manager.js';
import type { Cadence } from './options.js';
import { DEFAULT_CADENCE } from './options.js';
import { RoomService, type Room, type Track } from './rooms.js';
import { SCENARIO_NAMES, SCENARIOS, type BackendMode, type ScenarioName } from './scenarios.js';

export interface BackendAppOptions {
  scenario: ScenarioName;
  /** Unix socket path the bridge listens on. */
  socketPath: string;
  /** Also serve the bridge on 127.0.0.1:tcpPort (0 = a free port). */
  tcpPort?: number;
  /** Agent port (0 = free). */
  agentPort: number;
  /** Run the client simulator (default true). */
  client?: boolean;
  cadence?: Partial<Cadence>;
  /** Milliseconds the agent's teardown actions wait before `stuck`. */
  actionTimeout?: number;
  verbose?: boolean;
  /** Told the pid of every client simulator started (at start and on each scenario switch). */
  onClientStarted?: (pid: number) => void;
}

export interface BackendApp {
  agent: Agent;
  readonly scenario: ScenarioName;
  readonly mode: BackendMode;
  socketPath: string;
  tcpPort?: number;
  readonly clientPid: number | undefined;
  switchScenario(name: ScenarioName): Promise<SwitchResult>;
  close(): Promise<void>;
}

export interface SwitchResult {
  scenario: ScenarioName;
  backend: BackendMode;
  clientPid: number | null;
}

/** How long a scenario switch waits for the old client's sockets to close. */
const SWITCH_DRAIN_MS = 2000;

export async function startBackendApp(options: BackendAppOptions): Promise<BackendApp> {
  const cadence: Cadence = { ...DEFAULT_CADENCE, ...options.cadence };
  const log = options.verbose ? (message: string) => console.error(`[demo backend] ${message}`) : undefined;

  // The agent first: servers created after it are observed automatically.
  const agent = createAgent({ name: 'demo-backend', port: options.agentPort, actionTimeout: options.actionTimeout });
  await agent.ready;
  if (!agent.url) {
    await agent.close();
    throw new Error(`the agent could not listen on port ${options.agentPort}`);
  }

  let scenario = options.scenario;
  let mode: BackendMode = SCENARIOS[scenario].backend;
  // While switching, the old client's sockets are cleaned up whatever the mode.
  let switching = false;
  const currentMode = (): BackendMode => (switching ? { ...mode, cleanup: true } : mode);

  const manager = new BridgeManager();
  agent.watchEmitter(manager, { name: 'manager' });
  const rooms = new RoomService(agent.handleTable<Room | Track>('rooms'), {
    mode: () => currentMode().rooms,
    taskDelay: cadence.taskDelay,
  });
  const bridge = new Bridge({ manager, rooms, mode: currentMode, log });

  const sockets = new Set<Socket>();
  const onConnection = (socket: Socket): void => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    bridge.serve(socket);
  };
  rmSync(options.socketPath, { force: true });
  const servers: Server[] = [await listen(createServer(onConnection), options.socketPath)];
  let tcpPort: number | undefined;
  if (options.tcpPort !== undefined) {
    const tcp = await listen(createServer(onConnection), { host: '127.0.0.1', port: options.tcpPort });
    servers.push(tcp);
    tcpPort = (tcp.address() as { port: number }).port;
  }
  manager.start(cadence.emitEvery);

  const supervisor =
    options.client === false
      ? undefined
      : new ClientSupervisor({ path: options.socketPath }, options.cadence ?? {}, options.verbose ?? false, options.onClientStarted);

  let queue: Promise<unknown> = Promise.resolve();
  const switchScenario = (name: ScenarioName): Promise<SwitchResult> => {
    const run = async (): Promise<SwitchResult> => {
      switching = true;
      try {
        if (supervisor) {
          await supervisor.stop();
          const deadline = Date.now() + SWITCH_DRAIN_MS;
          while (bridge.openSessions > 0 && Date.now() < deadline) await sleep(20);
        }
        bridge.cleanupClosed();
        scenario = name;
        mode = SCENARIOS[name].backend;
      } finally {
        switching = false;
      }
      agent.mark(`scenario:${name}`);
      const clientPid = supervisor ? await supervisor.start(name) : undefined;
      return { scenario: name, backend: mode, clientPid: clientPid ?? null };
    };
    const result = queue.then(run, run);
    queue = result.catch(() => undefined);
    return result;
  };
  for (const name of SCENARIO_NAMES) {
    agent.defineAction(`scenario:${name}`, () => switchScenario(name), { label: SCENARIOS[name].label });
  }

  agent.mark(`scenario:${scenario}`);
  if (supervisor) await supervisor.start(scenario);

  let closing: Promise<void> | undefined;
  return {
    agent,
    get scenario() {
      return scenario;
    },
    get mode() {
      return mode;
    },
    socketPath: options.socketPath,
    tcpPort,
    get clientPid() {
      return supervisor?.pid;
    },
    switchScenario,
    close() {
      closing ??= (async () => {
        manager.stop();
        rooms.close();
        await supervisor?.stop();
        for (const socket of sockets) socket.destroy();
        await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
        rmSync(options.socketPath, { force: true });
        await agent.close();
      })();
      return closing;
    },
  };
}

function listen(server: Server, where: string | { host: string; port: number }): Promise<Server> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    const done = (): void => {
      server.off('error', reject);
      resolve(server);
    };
    if (typeof where === 'string') server.listen(where, done);
    else server.listen(where.port, where.host, done);
  });
}
