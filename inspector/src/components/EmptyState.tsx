import { useState } from 'react';
import { recentTargets } from '../data/sources.js';
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
  const recent = recentTargets();
  const status = useSourceValue(store, (s) => s.link.status);
  const waiting = status === 'connecting' || status === 'reconnecting' || status === 'live';

  const connect = (target: string) => {
    const params = new URLSearchParams({ agent: target.trim() });
    location.search = params.toString();
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
          onSubmit={(e) => {
            e.preventDefault();
            if (url.trim()) connect(url);
          }}
        >
          <input
            type="text"
            aria-label="Agent URL"
            placeholder="ws://127.0.0.1:9230/?token=…"
            value={url}
            onChange={(e) => setUrl(e.target.value)}
            spellCheck={false}
          />
          <button type="submit" className="btn primary">
            Connect
          </button>
        </form>
      )}
      {!hub && recent.length > 0 && (
        <>
          <div className="section-title">Recent targets</div>
          <ul className="recent" aria-label="Recent targets">
            {recent.map((r) => (
              <li key={r}>
                <button type="button" className="linklike" onClick={() => connect(r)}>
                  {r.replace(/([?&]token=)[^&]*/, '$1…')}
                </button>
              </li>
            ))}
          </ul>
        </>
      )}
      <div className="section-title">Embed the agent in your backend</div>
      <pre>{EMBED_SNIPPET}</pre>
      <div className="section-title">Android emulator or device</div>
      <p>
        Forward the agent’s port to your machine, then connect to <code>ws://127.0.0.1:9230/?token=…</code>:
      </p>
      <pre>adb reverse tcp:9230 tcp:9230{'\n'}adb forward tcp:9230 tcp:9230   # when the agent listens on the device</pre>
      <p>
        Or run <code>bridgescope serve</code> and let the agent dial in with <code>{"createAgent({ dial: 'ws://10.0.2.2:9231/agent?token=…' })"}</code>{' '}
        (iOS simulator: <code>127.0.0.1</code>).
      </p>
      <div className="section-title">No agent?</div>
      <p>Open a recording with the Open… button or drop an <code>.ndjson</code> file anywhere on this page.</p>
    </main>
  );
}
