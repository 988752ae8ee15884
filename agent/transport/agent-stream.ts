import { AgentError } from '../errors.js';
import type { EventLog } from '../event-log.js';
import type { ActRequest, AgentEvent, AgentMessage, HelloMessage, MarkRequest, SettleResult } from '../../shared/protocol.js';
import { PROTOCOL_VERSION } from '../../shared/protocol.js';
import type { Answer, StartPlan, StreamReader, StreamSource } from '../../shared/node/protocol-server/stream.js';
import type { AgentCore } from '../types.js';
import { encodeAll, encodeEvents } from './serialise.js';

/** The agent as a protocol server's stream: its event log, its actions, its marks. */
export class AgentStream implements StreamSource {
  constructor(
    private readonly core: AgentCore,
    /** True once the agent is closing: new actions are refused. */
    private readonly closing: () => boolean,
  ) {}

  greeting(): HelloMessage {
    const { core } = this;
    return {
      type: 'hello',
      protocol: PROTOCOL_VERSION,
      agent: core.info,
      now: core.log.now(),
      lastSeq: core.log.lastSeq,
      readonly: core.readonly,
      actions: core.globalActions(),
      bufferSize: core.log.capacity,
    };
  }

  open(plan: Exclude<StartPlan, { kind: 'wait' }>): StreamReader {
    return new RingReader(this.core.log, plan.kind === 'since' ? plan.since : undefined);
  }

  subscribe(since: number | undefined): { lastSeq: number; reader: StreamReader } {
    return { lastSeq: this.core.log.lastSeq, reader: new RingReader(this.core.log, since) };
  }

  deferred(request: ActRequest | MarkRequest): boolean {
    return request.type === 'act' && !this.core.readonly && !this.closing();
  }

  perform(request: ActRequest | MarkRequest): Answer | Promise<Answer> {
    if (this.core.readonly) {
      // A mark takes a place in the ring like any event: a watcher must not be able to push the real ones out.
      return { error: { code: 'READONLY', message: `this agent is read-only: ${request.type === 'mark' ? 'marks' : 'actions'} from inspectors are refused` } };
    }
    if (request.type === 'mark') return { result: { seq: this.core.mark(request.label) } };
    if (this.closing()) return { error: { code: 'AGENT_CLOSED', message: 'the agent is shutting down' } };
    const options = request.timeout === undefined ? { source: 'inspector' as const } : { timeout: request.timeout, source: 'inspector' as const };
    let running: Promise<SettleResult>;
    try {
      running = this.core.act(request.conn ?? null, request.name, options);
    } catch (err) {
      running = Promise.reject(err);
    }
    return running.then(
      (result) => ({ result }),
      (err: unknown): Answer => {
        if (err instanceof AgentError) return { error: { code: err.code, message: err.message } };
        // Not one of the documented refusals: report it as the action failing.
        const message = err instanceof Error ? err.message : String(err);
        return { result: { verdict: 'failed', duration: 0, listenersRemoved: 0, handlesDropped: 0, error: { message } } };
      },
    );
  }
}

/**
 * One peer's cursor into the ring. Fresh (no `since`, or a `since` this
 * agent never reached — a previous instance's): snapshot of what is still
 * alive, a gap for what neither the snapshot nor the ring holds, then the
 * ring and live events. Resume: every event after `since`, a gap first if the
 * ring lost some. Events are serialised here, as they are sent
 * (agent/transport/serialise.ts): an event that cannot be encoded at all is
 * a one-event `unserialisable` gap, and the opening gap counts what the
 * snapshot could not carry.
 */
class RingReader implements StreamReader {
  position: number;
  /** Frames decided but not sent yet (the opening snapshot and gap, a batch read with a gap). */
  private readonly queued: Array<AgentMessage | string> = [];
  /** The next ring overtake is reported as 'evicted' (a resume), not 'slow-consumer'. */
  private resuming: boolean;

  constructor(
    private readonly log: EventLog,
    since: number | undefined,
  ) {
    if (since === undefined || since > log.lastSeq) {
      const oldest = log.oldestSeq;
      const snapshot = log.snapshot();
      const encoded = encodeList(snapshot);
      this.queued.push(`{"type":"snapshot","events":${encoded.json},"now":${JSON.stringify(snapshot.at(-1)?.t ?? 0)}}`);
      const count = oldest - 1 - encoded.count;
      if (count > 0) this.queued.push({ type: 'gap', from: 1, to: oldest - 1, count, reason: 'evicted' });
      this.position = oldest - 1;
      this.resuming = false;
    } else {
      this.position = since;
      this.resuming = true;
    }
  }

  caughtUp(): boolean {
    return this.queued.length === 0 && this.position >= this.log.lastSeq;
  }

  next(maxEvents: number): AgentMessage | string | undefined {
    const queued = this.queued.shift();
    if (queued) return queued;
    const { log } = this;
    if (this.position >= log.lastSeq) return undefined;
    const { events, gap } = log.read(this.position, maxEvents);
    let lost: AgentMessage | undefined;
    if (gap) {
      lost = { type: 'gap', ...gap, reason: this.resuming ? 'evicted' : 'slow-consumer' };
      this.position = gap.to;
    }
    this.resuming = false;
    if (events.length === 0) return lost;
    const last = events[events.length - 1]!;
    // `now` promises "nothing older is still coming": only a batch that
    // catches up may carry the clock, or a catching-up inspector would
    // expire grace periods before the events that end them arrive.
    const frames = batchFrames(events, last.seq === log.lastSeq ? log.now() : last.t);
    this.position = last.seq;
    if (lost) frames.unshift(lost);
    const first = frames.shift();
    this.queued.push(...frames);
    return first;
  }
}

/** The events as one JSON array, and how many it carries (those that could be encoded). */
function encodeList(events: AgentEvent[]): { json: string; count: number } {
  const all = encodeAll(events);
  if (all !== undefined) return { json: all, count: events.length };
  const each = encodeEvents(events).filter((text): text is string => text !== undefined);
  return { json: `[${each.join(',')}]`, count: each.length };
}

/**
 * A batch as JSON frames: one, unless an event cannot be encoded at all;
 * that event becomes a one-event gap between the batches around it (each of
 * those carries its own last event's time as `now`, the final one `now`).
 */
function batchFrames(events: AgentEvent[], now: number): Array<AgentMessage | string> {
  const batch = (json: string, batchNow: number): string => `{"type":"batch","events":${json},"now":${JSON.stringify(batchNow)}}`;
  const all = encodeAll(events);
  if (all !== undefined) return [batch(all, now)];
  const frames: Array<AgentMessage | string> = [];
  const encoded = encodeEvents(events);
  let run: string[] = [];
  let runEnd = 0;
  events.forEach((event, i) => {
    const text = encoded[i];
    if (text !== undefined) {
      run.push(text);
      runEnd = event.t;
      return;
    }
    if (run.length > 0) frames.push(batch(`[${run.join(',')}]`, runEnd));
    run = [];
    frames.push({ type: 'gap', from: event.seq, to: event.seq, count: 1, reason: 'unserialisable' });
  });
  if (run.length > 0) frames.push(batch(`[${run.join(',')}]`, now));
  return frames;
}
