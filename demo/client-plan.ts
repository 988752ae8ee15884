/** Runs a scenario's client plan: every role at once, until stopped. */
import { runHandleRace, runReloadingApp, runStuckPeer, type RoleContext } from './client-roles.js';
import { DEFAULT_LEAKY_RELOADS, type Cadence } from './options.js';
import type { BridgeEndpoint } from './rpc.js';
import type { ClientPlan } from './scenarios.js';

export interface ClientRunOptions {
  endpoint: BridgeEndpoint;
  plan: ClientPlan;
  cadence: Cadence;
  signal: AbortSignal;
  log?: (message: string) => void;
}

/** Runs every role of the plan at once; resolves when all stopped. */
export async function runClientPlan(options: ClientRunOptions): Promise<void> {
  const ctx: RoleContext = { endpoint: options.endpoint, signal: options.signal, log: options.log };
  const { plan, cadence } = options;
  const roles: Promise<void>[] = [];
  if (plan.stuckPeer) roles.push(runStuckPeer(ctx));
  if (plan.handleRace) roles.push(runHandleRace(ctx, { cycles: cadence.raceCycles, every: cadence.reloadEvery / 3 }));
  if (plan.reload) {
    const reloads = cadence.reloads ?? (plan.reload === 'leaky' ? DEFAULT_LEAKY_RELOADS : Number.POSITIVE_INFINITY);
    roles.push(runReloadingApp(ctx, { teardown: plan.reload, reloadEvery: cadence.reloadEvery, reloads }));
  }
  const results = await Promise.allSettled(roles);
  for (const result of results) {
    if (result.status === 'rejected' && !options.signal.aborted) {
      options.log?.(`client role failed: ${result.reason instanceof Error ? result.reason.message : String(result.reason)}`);
    }
  }
}
