/**
 * The demo's scenarios: which backend mode and which client behaviours
 * reproduce each story, and what the inspector should find. The names are
 * public (CLI flag values and `scenario:<name>` actions).
 */
import type { RuleId } from '../shared/protocol.js';

export const SCENARIO_NAMES = [
  'reload-leak',
  'reload-fixed',
  'no-cleanup',
  'handle-race',
  'handle-race-fixed',
  'stuck-peer',
  'all',
] as const;

export type ScenarioName = (typeof SCENARIO_NAMES)[number];

export const DEFAULT_SCENARIO: ScenarioName = 'reload-leak';

/** How the backend behaves; switchable at runtime. */
export interface BackendMode {
  /** Remove a connection's subscriptions and rooms when it closes. False = the orphan-listener bug. */
  cleanup: boolean;
  /** `buggy` looks the room up inside the async disconnect task; `fixed` before spawning it. */
  rooms: 'buggy' | 'fixed';
}

/** What the client simulator runs, all at once, against one backend. */
export interface ClientPlan {
  /** A reloading app: `leaky` abandons its old socket, `fixed` shuts down then closes it. */
  reload?: 'leaky' | 'fixed';
  /** Connect a room, disconnect it, and dispose it as soon as the disconnect reply arrives. */
  handleRace?: boolean;
  /** Connect, take a room, then stop reading and never close. */
  stuckPeer?: boolean;
}

export interface Scenario {
  name: ScenarioName;
  /** Action button label. */
  label: string;
  backend: BackendMode;
  client: ClientPlan;
  /** Rules the inspector opens while the scenario runs on its own (stuck-teardown needs a user action). */
  findings: RuleId[];
}

export const SCENARIOS: Record<ScenarioName, Scenario> = {
  'reload-leak': {
    name: 'reload-leak',
    label: 'Scenario: reload leak',
    backend: { cleanup: true, rooms: 'fixed' },
    client: { reload: 'leaky' },
    findings: ['listener-growth', 'connection-growth'],
  },
  'reload-fixed': {
    name: 'reload-fixed',
    label: 'Scenario: reload, fixed (shutdown then close)',
    backend: { cleanup: true, rooms: 'fixed' },
    client: { reload: 'fixed' },
    findings: [],
  },
  'no-cleanup': {
    name: 'no-cleanup',
    label: 'Scenario: backend forgets per-connection cleanup',
    backend: { cleanup: false, rooms: 'fixed' },
    client: { reload: 'fixed' },
    findings: ['orphan-listener', 'emit-after-close'],
  },
  'handle-race': {
    name: 'handle-race',
    label: 'Scenario: handle race',
    backend: { cleanup: true, rooms: 'buggy' },
    client: { handleRace: true },
    findings: ['stale-handle'],
  },
  'handle-race-fixed': {
    name: 'handle-race-fixed',
    label: 'Scenario: handle race, fixed',
    backend: { cleanup: true, rooms: 'fixed' },
    client: { handleRace: true },
    findings: [],
  },
  'stuck-peer': {
    name: 'stuck-peer',
    label: 'Scenario: stuck peer',
    backend: { cleanup: true, rooms: 'fixed' },
    client: { stuckPeer: true },
    findings: [],
  },
  all: {
    name: 'all',
    label: 'Scenario: all bugs at once',
    backend: { cleanup: true, rooms: 'buggy' },
    client: { reload: 'leaky', handleRace: true, stuckPeer: true },
    findings: ['listener-growth', 'connection-growth', 'stale-handle'],
  },
};

export function isScenarioName(value: unknown): value is ScenarioName {
  return typeof value === 'string' && (SCENARIO_NAMES as readonly string[]).includes(value);
}

/** Throws a readable error listing the valid names. */
export function parseScenario(value: string | undefined): ScenarioName {
  if (value === undefined) return DEFAULT_SCENARIO;
  if (isScenarioName(value)) return value;
  throw new Error(`unknown scenario "${value}" (choose one of: ${SCENARIO_NAMES.join(', ')})`);
}
