import type WebSocket from 'ws';
import { PROTOCOL_VERSION } from '../../shared/protocol.js';
import type {
  ActRequest,
  BatchMessage,
  GapMessage,
  HelloMessage,
  MarkRequest,
  ProtocolError,
  ResponseMessage,
  SnapshotMessage,
  SubscribeRequest,
} from '../../shared/protocol.js';
import type { Logger } from '../../shared/logger.js';
import type { Heartbeat } from '../../shared/node/protocol-server/heartbeat.js';
import { parseAgentMessage } from '../../shared/validate-message.js';

export type StreamMessage = SnapshotMessage | BatchMessage | GapMessage;
type HubRequest = Omit<SubscribeRequest, 'id'> | Omit<ActRequest, 'id'> | Omit<MarkRequest, 'id'>;

export interface HubAgentSocketHandlers {
  /** The agent said who it is; the hub decides how to subscribe it. */
  hello(link: HubAgentSocket, hello: HelloMessage): void;
  stream(link: HubAgentSocket, message: StreamMessage): void;
  closed(link: HubAgentSocket, reason: string): void;
}

export interface HubAgentSocketOptions {
  direction: 'in' | 'out';
  /** Peer address (dialled in) or agent URL without its token (dialled out). */
  remote: string;
  logger: Logger;
  /** Milliseconds to wait for `hello` after the socket opens. */
  helloTimeout: number;
  /** Drops a link that stops answering pings. */
  heartbeat: Heartbeat;
  /**
   * Agents already refused for their protocol version (name and version),
   * shared by every link of a hub: an agent retries with backoff forever,
   * and the refusal is logged once, not on every attempt.
   */
  refusedVersions: Set<string>;
}

/** Close codes the hub uses on agent links (4000–4999 are application codes). */
export const CLOSE_REPLACED = 4000;
export const CLOSE_BAD_AGENT = 4002;

/**
 * The hub's end of one agent socket, whichever side dialled: waits for
 * `hello`, checks the protocol version, then hands stream messages to the hub
 * and matches `response`s to the hub's requests by id.
 */
export class HubAgentSocket {
  hello: HelloMessage | undefined;
  private readonly pending = new Map<string, (response: ResponseMessage) => void>();
  private nextId = 0;
  private closedReason: string | undefined;
  private readonly helloTimer: ReturnType<typeof setTimeout>;
  private readonly stopHeartbeat: () => void;

  constructor(
    private readonly ws: WebSocket,
    readonly options: HubAgentSocketOptions,
    private readonly handlers: HubAgentSocketHandlers,
  ) {
    this.helloTimer = setTimeout(
      () => this.close(CLOSE_BAD_AGENT, `no hello within ${options.helloTimeout} ms`),
      options.helloTimeout,
    );
    this.stopHeartbeat = options.heartbeat.watch(ws, () => this.finish('the agent stopped answering pings'));
    ws.on('message', (data, isBinary) => {
      if (isBinary) return this.warn('sent a binary frame; ignored');
      this.onText(String(data));
    });
    ws.on('close', (code, reason) => this.finish(reason.length ? `${code}: ${reason.toString()}` : `closed (${code})`));
    ws.on('error', (error) => this.finish(error.message));
  }

  get direction(): 'in' | 'out' {
    return this.options.direction;
  }

  get remote(): string {
    return this.options.remote;
  }

  get isOpen(): boolean {
    return this.closedReason === undefined;
  }

  /** Sends a request; resolves with the agent's response (an AGENT_CLOSED error if the link goes away first). */
  request(request: HubRequest): Promise<ResponseMessage> {
    const id = `hub-${++this.nextId}`;
    if (!this.isOpen) return Promise.resolve(closedResponse(id, this.closedReason!));
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      this.ws.send(JSON.stringify({ ...request, id }), (error) => {
        if (error) this.settle(closedResponse(id, error.message));
      });
    });
  }

  close(code: number, reason: string): void {
    try {
      this.ws.close(code, reason.slice(0, 120));
    } catch {
      this.ws.terminate();
    }
    this.finish(reason);
  }

  private onText(text: string): void {
    const parsed = parseAgentMessage(text);
    if (!parsed.ok) return this.warn(`sent a bad message (${parsed.error.code}: ${parsed.error.message})`);
    const message = parsed.value;
    if (!this.hello) {
      if (message.type !== 'hello') return this.warn(`sent "${message.type}" before hello; ignored`);
      clearTimeout(this.helloTimer);
      if (message.protocol !== PROTOCOL_VERSION) {
        const why = `VERSION_MISMATCH: agent speaks protocol ${message.protocol}, this hub ${PROTOCOL_VERSION}`;
        const refusal = `${message.agent.name}\u0000${message.protocol}`;
        if (!this.options.refusedVersions.has(refusal)) {
          this.options.refusedVersions.add(refusal);
          this.options.logger.error(`agent "${message.agent.name}" at ${this.remote} refused: ${why}. Use the same bridgescope version on both sides.`);
        }
        this.close(CLOSE_BAD_AGENT, why);
        return;
      }
      this.hello = message;
      this.handlers.hello(this, message);
      return;
    }
    switch (message.type) {
      case 'response':
        this.settle(message);
        return;
      case 'error':
        this.warn(`reported ${message.error.code}: ${message.error.message}`);
        return;
      case 'hello':
        // An agent greets once per connection; a second hello is a broken agent.
        this.warn('sent a second hello; ignored');
        return;
      default:
        this.handlers.stream(this, message);
    }
  }

  private settle(response: ResponseMessage): void {
    const resolve = this.pending.get(String(response.id));
    if (!resolve) return;
    this.pending.delete(String(response.id));
    resolve(response);
  }

  private finish(reason: string): void {
    if (this.closedReason !== undefined) return;
    this.closedReason = reason;
    clearTimeout(this.helloTimer);
    this.stopHeartbeat();
    for (const id of [...this.pending.keys()]) this.settle(closedResponse(id, reason));
    this.handlers.closed(this, reason);
  }

  private warn(message: string): void {
    const who = this.hello ? `agent "${this.hello.agent.name}"` : 'agent';
    this.options.logger.warn(`${who} at ${this.remote} ${message}`);
  }
}

function closedResponse(id: string, reason: string): ResponseMessage {
  const error: ProtocolError = { code: 'AGENT_CLOSED', message: `the agent link closed: ${reason}` };
  return { type: 'response', id, error };
}
