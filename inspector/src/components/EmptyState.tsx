import { useRef, useState } from 'react';
import { recentTargets } from '../data/recent-targets.js';
import { readConnectInput } from '../model/connect-input.js';
import { formatDuration } from '../model/format.js';
import { useSourceValue } from '../hooks/use-store.js';
import { useUi } from '../ui-context.js';

const EMBED_SNIPPET = `import { createAgent } from 'bridgescope/agent';

const agent = createAgent({ name: 'my-backend' });   // listens on 127.0.0.1:9230
await agent.ready;
console.log('Bridgescope:', agent.url);                // ws://127.0.0.1:9230/?token=…

agent.watchEmitter(manager, { name: 'manager' });     // listeners per session
const rooms = agent.handleTable('rooms');             // handles with owners`;

/** What to do when there is nothing to show yet: connect, embed the agent, or open a recording. */
export function EmptyState({ hub, hubTargets }: { hub: boolean; hubTargets: number }) {
  const { store } = useUi();
  const [url, setUrl] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [recent] = useState(recentTargets);
  const [now] = useState(() => Date.now());
  const input = useRef<HTMLInputElement>(null);
  const status = useSourceValue(store, (s) => s.link.status);
  const waiting = status === 'connecting' || status === 'reconnecting' || status === 'live';

  const connect = () => {
    const target = readConnectInput(url, location.origin);
    if (target.kind === 'error') {
      setError(target.message);
      input.current?.focus();
    } else if (target.kind === 'page') location.href = target.href;
    else location.search = new URLSearchParams({ agent: target.url }).toString();
  };

  // A recent target comes back without its token: the box gets its address, the token is pasted again.
  const reuse = (address: string) => {
    const withToken = new URL(address);
    withToken.searchParams.set('token', '');
    setUrl(withToken.href);
    setError(null);
    input.current?.focus();
  };

  return (
    <main className="empty" aria-label="Getting started">
      {hub ? (
        <h2>{hubTargets ? 'Waiting for the target’s first events…' : 'Waiting for an agent to dial in'}</h2>
      ) : waiting ? (
        <h2>Waiting for the agent’s first events…</h2>
      ) : (
        <h2>Connect to a Bridgescope agent</h2>
      )}
      {!hub && (
        <form
          className="connect"
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            connect();
          }}
        >
          <input
            ref={input}
            type="text"
            aria-label="Agent URL"
            aria-invalid={error !== null}
            aria-describedby={error ? 'connect-error' : undefined}
            placeholder="ws://127.0.0.1:9230/?token=…"
            value={url}
            onChange={(e) => {
              setUrl(e.target.value);
              setError(null);
            }}
            spellCheck={false}
          />
          <button type="submit" className="btn primary">
            Connect
          </button>
        </form>
      )}
      {error && (
        <p id="connect-error" className="field-error" role="alert">
          {error}
        </p>
      )}
      {!hub && recent.length > 0 && (
        <>
          <h3 className="section-title">Recent targets</h3>
          <p className="muted">Tokens are not kept: pick one, then paste its token.</p>
          <ul className="recent" aria-label="Recent targets">
            {recent.map((r) => (
              <li key={r.address}>
                <button type="button" className="linklike" onClick={() => reuse(r.address)}>
                  {r.name ? `${r.name} · ` : ''}
                  {r.address}
                </button>
                {r.at > 0 && <span className="muted"> {formatDuration(now - r.at)} ago</span>}
              </li>
            ))}
          </ul>
        </>
      )}
      <h3 className="section-title">Embed the agent in your backend</h3>
      <pre>{EMBED_SNIPPET}</pre>
      <h3 className="section-title">Android emulator or device</h3>
      <p>
        Forward the agent’s port to your machine, then connect to <code>ws://127.0.0.1:9230/?token=…</code>:
      </p>
      <pre>adb reverse tcp:9230 tcp:9230{'\n'}adb forward tcp:9230 tcp:9230   # when the agent listens on the device</pre>
      <p>
        Or run <code>bridgescope serve</code> and let the agent dial in with <code>{"createAgent({ dial: 'ws://10.0.2.2:9231/agent?token=…' })"}</code>{' '}
        (iOS simulator: <code>127.0.0.1</code>).
      </p>
      <h3 className="section-title">No agent?</h3>
      <p>Open a recording with the Open… button or drop an <code>.ndjson</code> file anywhere on this page.</p>
    </main>
  );
}
