/** What the connect box does with what was pasted into it. */
export type ConnectInput =
  | { kind: 'agent'; url: string }
  /** An inspector page (a hub link, or a link to this page with `?agent=`): open it. */
  | { kind: 'page'; href: string }
  | { kind: 'error'; message: string };

const EXAMPLE = 'ws://127.0.0.1:9230/?token=…';

/**
 * Reads the connect box: an agent's `ws://` / `wss://` URL (what the agent
 * prints as `agent.url`), or an inspector link that carries one. A plain web
 * address is refused with what to paste instead, rather than tried and
 * reported as a failed connection.
 */
export function readConnectInput(input: string, pageOrigin: string): ConnectInput {
  const text = input.trim();
  if (!text) return { kind: 'error', message: `Paste the agent's URL (${EXAMPLE}).` };
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { kind: 'error', message: `Not a URL. Paste the agent's URL, like ${EXAMPLE} (the agent prints it as agent.url).` };
  }
  if (url.protocol === 'ws:' || url.protocol === 'wss:') {
    if (!url.hostname) return { kind: 'error', message: `No host in that URL: expected ${EXAMPLE}.` };
    return { kind: 'agent', url: url.href };
  }
  if (url.protocol === 'http:' || url.protocol === 'https:') {
    const agent = url.searchParams.get('agent');
    if (agent) return readConnectInput(agent, pageOrigin);
    if (url.origin === pageOrigin && url.searchParams.has('token')) return { kind: 'page', href: url.href };
    return {
      kind: 'error',
      message: `That is a web address (${url.protocol}//…), not an agent's. Paste the agent's ws:// URL (it prints it as agent.url, like ${EXAMPLE}), or open the inspector link it came with.`,
    };
  }
  return { kind: 'error', message: `Not an agent URL (${url.protocol}//…): expected ws:// or wss://, like ${EXAMPLE}.` };
}
