/**
 * A minimal inspector that only counts: it subscribes like any inspector
 * (raw `ws`, token on the URL), checks that seqs arrive in order, and sorts
 * every missing seq into "announced by a gap record" or "silently lost".
 * Every mark snapshots the counters ({@link MarkSnapshot}), so a benchmark
 * can delimit a run with two marks and subtract.
 */
import WebSocket from 'ws';
import type { AgentMessage } from '../../shared/protocol.js';

export interface MarkSnapshot {
  seq: number;
  /** performance.now() when the mark arrived. */
  at: number;
  /** performance.now() when the first batch after this mark arrived. */
  nextBatchAt?: number;
  /**
   * performance.now() when the last event before this mark arrived. A mark
   * after the last batch of a run waits for the agent's flush interval (up to
   * 50 ms): timing a run to its end mark would count that wait as delivery.
   */
  lastEventAt: number;
  received: number;
  gapped: number;
  silent: number;
  disorder: number;
}

export class EventCounter {
  /** Events received in batches (the snapshot excluded). */
  received = 0;
  /** Events announced missing by `gap` messages after the first batch. */
  gapped = 0;
  /** Missing seqs no gap announced: must stay 0. */
  silent = 0;
  /** Seqs seen twice or out of order: must stay 0. */
  disorder = 0;
  lastSeq = 0;
  /** performance.now() when the latest batch with an event other than a mark arrived. */
  private lastEventAt = 0;
  readonly marks = new Map<string, MarkSnapshot>();
  private latestMark: MarkSnapshot | undefined;
  private readonly ws: WebSocket;
  readonly opened: Promise<void>;

  constructor(
    url: string,
    private readonly onMark: (label: string, seq: number) => void = () => {},
  ) {
    this.ws = new WebSocket(url, { perMessageDeflate: false });
    this.opened = new Promise((resolve, reject) => {
      this.ws.once('open', () => resolve());
      this.ws.once('error', reject);
    });
    this.ws.on('message', (data) => this.onMessage(String(data)));
    this.ws.on('error', () => {});
  }

  /** Stop reading: the agent's send budget fills and it must drop for us (memory.*). */
  pause(): void {
    this.ws.pause();
  }

  /** Read again: the agent resumes from where the budget stopped it, with a gap for what it dropped. */
  resume(): void {
    this.ws.resume();
  }

  close(): void {
    this.ws.terminate();
  }

  private onMessage(text: string): void {
    const message = JSON.parse(text) as AgentMessage;
    switch (message.type) {
      case 'hello':
        this.lastSeq = 0;
        return;
      case 'snapshot':
        return;
      case 'gap':
        // The fresh-subscribe gap (history before we attached) is not a loss.
        if (this.received > 0 || message.reason === 'slow-consumer') this.gapped += message.count;
        if (message.from !== this.lastSeq + 1 && this.lastSeq > 0) this.silent += Math.max(0, message.from - this.lastSeq - 1);
        this.lastSeq = message.to;
        return;
      case 'batch': {
        const arrived = performance.now();
        if (this.latestMark && this.latestMark.nextBatchAt === undefined) this.latestMark.nextBatchAt = arrived;
        for (const event of message.events) {
          if (event.seq <= this.lastSeq) this.disorder++;
          else if (this.lastSeq > 0 && event.seq !== this.lastSeq + 1) this.silent += event.seq - this.lastSeq - 1;
          this.lastSeq = event.seq;
          this.received++;
          if (event.type !== 'mark') {
            this.lastEventAt = arrived;
            continue;
          }
          const { received, gapped, silent, disorder, lastEventAt } = this;
          this.latestMark = { seq: event.seq, at: arrived, received, gapped, silent, disorder, lastEventAt };
          this.marks.set(event.label, this.latestMark);
          this.onMark(event.label, event.seq);
        }
        return;
      }
      default:
        return;
    }
  }
}
