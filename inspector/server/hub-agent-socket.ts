import type WebSocket from 'ws';
import { PROTOCOL_VERSION } from '../../shared/protocol.js';
import type {
  ActRequest,
  AgentMessage,
  BatchMessage,
  GapMessage,
  HelloMessage,
  MarkRequest,
  PairRequest,
  PairResult,
  ProtocolError,
  ResponseMessage,
  SnapshotMessage,
  SubscribeRequest,
} from '../../shared/protocol.js';
import { printable } from '../../shared/printable.js';
import type { Heartbeat } from '../../shared/node/protocol-server/heartbeat.js';
import { CloseCode } from '../../shared/node/protocol-server/session.js';
import { agentProof, hubProof, newNonce, proofMatches, verifyInstance } from '../../shared/node/pairing.js';
import { parseAgentMessage } from '../../shared/validate-message.js';
import type { HubLog } from './hub-log.js';

export type StreamMessage = SnapshotMessage | BatchMessage | GapMessage;
type HubRequest = Omit<SubscribeRequest, 'id'> | Omit<ActRequest, 'id'> | Omit<MarkRequest, 'id'>;

export interface HubAgentSocketHandlers {
  /** The agent said who it is; the hub decides where it belongs and how to subscribe it. */
  hello(link: HubAgentSocket, hello: HelloMessage): void;
  stream(link: HubAgentSocket, message: StreamMessage): void;
  closed(link: HubAgentSocket, reason: string): void;
}

/** A dial with `?challenge=`: the hub proves it holds the pairing token, and the agent its token and its key. */
export interface Pairing {
  pairingToken: string;
  /** The agent's nonce from the URL. */
  challenge: string;
  /** The agent proved itself: it no longer counts as unauthenticated. */
  onPaired(): void;
}

export interface HubAgentSocketOptions {
  direction: 'in' | 'out';
  /** Peer address (dialled in) or agent URL without its token (dialled out). */
  remote: string;
  log: HubLog;
  /** Milliseconds to wait for pairing and `hello` after the socket opens. */
  helloTimeout: number;
  /** Drops a link that stops answering pings. */
  heartbeat: Heartbeat;
  /** Set for dials that pair; absent for the hub's own outbound links and for older agents (token on the URL). */
  pairing?: Pairing;
}

/** Close codes the hub uses on agent links (4000–4999 are application codes). */
export const CLOSE_REPLACED = 4000;
export const CLOSE_BAD_AGENT = 4002;

/** A hello larger than this is refused: it is kept for as long as its run. */
const MAX_HELLO_BYTES = 64 * 1024;

/**
 * The hub's end of one agent socket, whichever side dialled: pairs (when the
 * agent dialled with a challenge), waits for `hello`, checks the protocol
 * version, then hands stream messages to the hub and matches `response`s to
 * the hub's requests by id.
 */
export class HubAgentSocket {
  hello: HelloMessage | undefined;
  /**
   * Who this agent process proved to be: `key:<public key>` after pairing,
   * `out:<url>` for a link the hub dialled itself, undefined for an older
   * agent that only showed the token.
   */
  identity: string | undefined;
  private readonly pending = new Map<string, (response: ResponseMessage) => void>();
  private nextId = 0;
  private closedReason: string | undefined;
  private readonly helloTimer: ReturnType<typeof setTimeout>;
  private readonly stopHeartbeat: () => void;
  /** The nonce of an unanswered `pair`. */
  private pairNonce: string | undefined;

  constructor(
    private readonly ws: WebSocket,
    readonly options: HubAgentSocketOptions,
    private readonly handlers: HubAgentSocketHandlers,
  ) {
    this.helloTimer = setTimeout(() => this.close(CLOSE_BAD_AGENT, `no hello within ${options.helloTimeout} ms`), options.helloTimeout);
    this.stopHeartbeat = options.heartbeat.watch(ws, () => this.finish('the agent stopped answering pings'));
    if (options.direction === 'out') this.identity = `out:${options.remote}`;
    ws.on('message', (data, isBinary) => {
      if (isBinary) return this.warn('bad-frame', 'sent a binary frame; ignored');
      this.onText(String(data));
    });
    ws.on('close', (code, reason) => {
      if (this.pairNonce !== undefined && code === CloseCode.unauthorized) {
        this.warn('pairing', 'did not accept the hub\'s pairing proof: its dial URL carries another pairing token');
      }
      this.finish(reason.length ? `${code}: ${printable(reason.toString())}` : `closed (${code})`);
    });
    ws.on('error', (error) => this.finish(error.message));
    if (options.pairing) this.pair(options.pairing);
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

  /** Whether the agent answers a ping within `timeoutMs`: a live process does, a lingering socket of a dead one does not. */
  answers(timeoutMs: number): Promise<boolean> {
    if (!this.isOpen) return Promise.resolve(false);
    return new Promise((resolve) => {
      const done = (alive: boolean) => {
        clearTimeout(timer);
        this.ws.off('pong', onPong);
        resolve(alive);
      };
      const onPong = () => done(true);
      const timer = setTimeout(() => done(false), timeoutMs);
      timer.unref();
      this.ws.on('pong', onPong);
      try {
        this.ws.ping();
      } catch {
        done(false);
      }
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

  private pair(pairing: Pairing): void {
    this.pairNonce = newNonce();
    const request: PairRequest = { type: 'pair', id: 'pair', nonce: this.pairNonce, proof: hubProof(pairing.pairingToken, pairing.challenge) };
    this.ws.send(JSON.stringify(request));
  }

  /** The answer to `pair`: the agent's proof of the token, and of its key. */
  private paired(message: AgentMessage, pairing: Pairing, nonce: string): void {
    const result = message.type === 'response' && message.id === 'pair' ? (message.result as Partial<PairResult> | undefined) : undefined;
    if (!result || !proofMatches(result.proof, agentProof(pairing.pairingToken, nonce))) {
      this.warn('pairing', 'failed to prove it holds the pairing token (close 4401)');
      return this.close(CloseCode.unauthorized, 'pairing failed');
    }
    if (!verifyInstance(result.key, nonce, result.signature)) {
      this.warn('pairing', 'sent an instance key it could not sign with (close 4401)');
      return this.close(CloseCode.unauthorized, 'pairing failed');
    }
    this.pairNonce = undefined;
    this.identity = `key:${result.key}`;
    pairing.onPaired();
  }

  private onText(text: string): void {
    const parsed = parseAgentMessage(text);
    if (!parsed.ok) return this.warn('bad-frame', `sent a bad message (${parsed.error.code}: ${printable(parsed.error.message)})`);
    const message = parsed.value;
    const { pairing } = this.options;
    if (pairing && this.pairNonce !== undefined) return this.paired(message, pairing, this.pairNonce);
    if (!this.hello) {
      if (message.type !== 'hello') return this.warn('bad-frame', `sent "${printable(message.type, 40)}" before hello; ignored`);
      clearTimeout(this.helloTimer);
      if (message.protocol !== PROTOCOL_VERSION) {
        const why = `VERSION_MISMATCH: agent speaks protocol ${printable(String(message.protocol), 20)}, this hub ${PROTOCOL_VERSION}`;
        this.options.log.error('version', `agent "${printable(message.agent.name, 80)}" at ${this.remote} refused: ${why}. Use the same bridgescope version on both sides.`);
        return this.close(CLOSE_BAD_AGENT, why);
      }
      if (text.length > MAX_HELLO_BYTES) {
        this.warn('bad-frame', `sent a hello of ${text.length} bytes, over ${MAX_HELLO_BYTES} (close 4002)`);
        return this.close(CLOSE_BAD_AGENT, 'hello too large');
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
        this.warn('agent-error', `reported ${printable(message.error.code, 40)}: ${printable(String(message.error.message))}`);
        return;
      case 'hello':
        // An agent greets once per connection; a second hello is a broken agent.
        this.warn('bad-frame', 'sent a second hello; ignored');
        return;
      default:
        if (!seqsAreSafe(message)) return this.warn('bad-frame', `sent a ${message.type} with a seq that is not a safe integer; ignored`);
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

  private warn(kind: string, message: string): void {
    const who = this.hello ? `agent "${printable(this.hello.agent.name, 80)}"` : 'an agent';
    this.options.log.warn(kind, `${who} at ${this.remote} ${message}`);
  }
}

/**
 * Seqs the hub will keep and compare: safe integers, and a gap that says
 * what it covers. A gap ending at 1e300 would otherwise make every later
 * event of its run look like a duplicate.
 */
function seqsAreSafe(message: StreamMessage): boolean {
  if (message.type !== 'gap') return message.events.every((event) => Number.isSafeInteger(event.seq) && event.seq > 0);
  const { from, to, count } = message;
  return Number.isSafeInteger(from) && Number.isSafeInteger(to) && from >= 1 && Number.isSafeInteger(count) && count >= 0 && count <= to - from + 1;
}

function closedResponse(id: string, reason: string): ResponseMessage {
  const error: ProtocolError = { code: 'AGENT_CLOSED', message: `the agent link closed: ${reason}` };
  return { type: 'response', id, error };
}
