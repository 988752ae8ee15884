/**
 * A target is one backend across its restarts: the agent's `name` plus its
 * optional `client`. The key is readable (`demo`, `demo@ios`) and
 * unambiguous: `%` and `@` inside the name are percent-encoded.
 */
export function targetKey(name: string, client?: string): string {
  const safeName = name.replace(/%/g, '%25').replace(/@/g, '%40');
  return client === undefined || client === '' ? safeName : `${safeName}@${client}`;
}
