/**
 * A target is one backend across its restarts: the agent's `name` plus its
 * optional `client`. The key is readable (`demo`, `demo@ios`) and
 * unambiguous: `%` and `@` inside the name, and `%` and `#` anywhere, are
 * percent-encoded (a second process of the same name is `demo#2`).
 */
export function targetKey(name: string, client?: string): string {
  const safeName = encodeKeyPart(name).replace(/@/g, '%40');
  return client === undefined || client === '' ? safeName : `${safeName}@${encodeKeyPart(client)}`;
}

function encodeKeyPart(text: string): string {
  return text.replace(/%/g, '%25').replace(/#/g, '%23');
}
