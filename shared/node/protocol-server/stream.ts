import type { ActRequest, AgentMessage, HelloMessage, MarkRequest, ProtocolError } from '../../protocol.js';

/**
 * How a peer's stream starts once it is authenticated, from its URL:
 * `?since=N` resumes, `?subscribe=0` waits for a `subscribe` request,
 * anything else is a fresh subscribe.
 */
export type StartPlan = { kind: 'fresh' } | { kind: 'since'; since: number } | { kind: 'wait' };

/** The start plan of a URL's query, or undefined when `since` is not a non-negative safe integer (HTTP 400). */
export function parseStartPlan(params: URLSearchParams): StartPlan | undefined {
  const since = params.get('since');
  if (since !== null) {
    if (!/^(0|[1-9][0-9]*)$/.test(since) || !Number.isSafeInteger(Number(since))) return undefined;
    return { kind: 'since', since: Number(since) };
  }
  if (params.get('subscribe') === '0') return { kind: 'wait' };
  return { kind: 'fresh' };
}

/** What a request is answered with: `{ result }` or `{ error }`. */
export type Answer = { result: unknown } | { error: ProtocolError };

/** A frame as a reader gives it: a message, or already serialised JSON (text, or its UTF-8 bytes). */
export type OutboundFrame = AgentMessage | string | Uint8Array;

/**
 * A cursor into a source's stream. It is pulled by its session only while
 * the peer's socket is under its send budget, so a peer that reads slowly
 * costs the source nothing: it holds a position, never a queue.
 */
export interface StreamReader {
  /** Position of the last thing taken (for an agent, the seq of the last event sent). */
  readonly position: number;
  /** True when there is nothing to take right now. */
  caughtUp(): boolean;
  /** The next frame (at most `maxEvents` events); undefined when caught up. */
  next(maxEvents: number): OutboundFrame | undefined;
}

/**
 * What a protocol session serves: one agent's event log, or one hub
 * target's history. The session owns everything else — authentication,
 * request dispatch, refusals, budgets, close codes — so that both speak the
 * protocol the same way.
 */
export interface StreamSource {
  /**
   * The `hello` a newly authenticated peer is greeted with under its plan:
   * none while a hub target has not said hello yet, or when the stream
   * itself carries the hellos (a hub's fresh start replays every run).
   */
  greeting(plan: StartPlan): HelloMessage | undefined;
  /** The stream a fresh or resuming start plan opens (right after the greeting). */
  open(plan: Exclude<StartPlan, { kind: 'wait' }>): StreamReader;
  /** A `subscribe` request: the `lastSeq` it is answered with, and the stream it restarts. */
  subscribe(since: number | undefined): { lastSeq: number; reader: StreamReader };
  /**
   * An `act` or `mark`. An answer now, or a promise of one; a refusal known
   * at once (READONLY, a closing agent) is an `{ error }` answer.
   */
  perform(request: ActRequest | MarkRequest): Answer | Promise<Answer>;
  /**
   * Whether `perform` will answer this request later: it then counts toward
   * the peer's in-flight limit, checked first. False for a request `perform`
   * refuses at once, so a refusal always wins over RATE_LIMITED.
   */
  deferred(request: ActRequest | MarkRequest): boolean;
}
