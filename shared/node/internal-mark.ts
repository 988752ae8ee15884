/**
 * Marks Bridgescope's own servers (the agent's transport, the inspector
 * hub) so the probes never report them as the app's connections. A global
 * symbol, so copies of the package loaded twice still agree.
 */
const INTERNAL_MARK = Symbol.for('bridgescope.internal');

export function markInternal(server: object): void {
  Object.defineProperty(server, INTERNAL_MARK, { value: true });
}

export function isInternal(server: object | undefined): boolean {
  return server !== undefined && (server as { [INTERNAL_MARK]?: boolean })[INTERNAL_MARK] === true;
}
