import WebSocket from 'ws';
import type { HubLog } from './hub-log.js';
import { printable } from '../../shared/printable.js';
import { parseAgentUrl, redactToken } from '../client/agent-url.js';
import { backoffDelay } from '../../shared/backoff.js';
import type { HubAgentSocket } from './hub-agent-socket.js';
import type { Hub } from './hub.js';

/** Largest frame accepted from an agent (a batch of 500 events with stacks fits easily). */
export const MAX_AGENT_FRAME = 64 * 1024 * 1024;

/**
 * `--agent URL`: the hub connects out to a listening agent and keeps doing
 * so, with backoff, for as long as it runs. The agent is asked not to
 * subscribe on connect (`?subscribe=0`) so the hub, after reading its hello,
 * subscribes exactly as for dialling agents: resuming from its last seq when
 * it is the same process, from scratch when the backend restarted.
 */
export class OutboundAgent {
  private ws: WebSocket | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private attempt = 0;
  private stopped = false;
  private lastProblem: string | undefined;
  readonly redacted: string;
  private readonly connectUrl: string;

  constructor(
    url: string,
    private readonly hub: Hub,
    private readonly log: HubLog,
  ) {
    // Throws BAD_URL (token hidden) for anything that is not an agent URL.
    const parsed = new URL(parseAgentUrl(url).ws);
    parsed.searchParams.set('subscribe', '0');
    this.connectUrl = parsed.href;
    this.redacted = redactToken(url);
  }

  start(): void {
    if (this.stopped) return;
    const ws = new WebSocket(this.connectUrl, { perMessageDeflate: false, maxPayload: MAX_AGENT_FRAME, handshakeTimeout: 10_000 });
    this.ws = ws;
    let problem: string | undefined;
    let link: HubAgentSocket | undefined;
    ws.on('open', () => {
      link = this.hub.adopt(ws, 'out', this.redacted);
    });
    ws.on('error', (error) => {
      problem = describe(error);
    });
    ws.on('close', () => {
      if (this.ws === ws) this.ws = undefined;
      if (this.stopped) return;
      // A link that got as far as hello worked: start the backoff over.
      if (link?.hello) {
        this.attempt = 0;
        this.lastProblem = undefined;
      }
      if (problem && problem !== this.lastProblem) {
        this.lastProblem = problem;
        this.log.warn(`outbound ${this.redacted}`, `agent ${this.redacted}: ${printable(problem)}; retrying`);
      }
      this.attempt++;
      this.timer = setTimeout(() => this.start(), backoffDelay(this.attempt));
      this.timer.unref?.();
    });
  }

  close(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.ws?.terminate();
  }
}

function describe(error: Error & { code?: string }): string {
  const status = /Unexpected server response: (\d{3})/.exec(error.message)?.[1];
  if (status === '401') return 'refused the hub (HTTP 401): the ?token= in the --agent URL is wrong or missing';
  if (status === '403') return 'refused the hub (HTTP 403): Host or Origin not allowed by the agent';
  if (error.code === 'ECONNREFUSED') return 'not reachable (ECONNREFUSED: nothing listens there yet)';
  return redactToken(error.message);
}
