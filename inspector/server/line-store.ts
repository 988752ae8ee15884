import type { GapMessage } from '../../shared/protocol.js';
import { giveBackSlab, takeSlab } from './slab-pool.js';
/** Bytes per line in the typed columns (seq, t: 8 each; slab, offset, length: 4 each). */
const COLUMN_BYTES = 28;
/** A kept gap: a small object. */
const GAP_BYTES = 160;
const COMMA = 0x2c;

interface Slab {
  bytes: Buffer;
  used: number;
  /** Lines still held whose text is in it. */
  lines: number;
}

/** What a line that left the store was: an event's seq, or a gap. */
export type ShiftedLine = { seq: number } | { gap: GapMessage };

/**
 * A target's lines — events and gaps — at absolute positions, held outside
 * the JavaScript heap: each event's JSON, a comma after it, appended to
 * slabs of bytes, and a few numbers per line in typed columns. So what a
 * history holds is what it counts, in bytes, and keeping or dropping an
 * event makes no garbage for the collector: a history of hundreds of
 * megabytes costs about that much memory, not a multiple of it. Lines are
 * pushed at the end and shifted from the front.
 */
export class LineStore {
  private readonly slabs: Slab[] = [];
  /** Absolute number of `slabs[0]`. */
  private firstSlab = 0;
  private slabBytes = 0;
  private seqs = new Float64Array(1024);
  private times = new Float64Array(1024);
  /** Absolute slab number of an event's text, or -1 for a gap. */
  private slabOf = new Int32Array(1024);
  private offsets = new Int32Array(1024);
  private lengths = new Int32Array(1024);
  private readonly gaps = new Map<number, GapMessage>();
  /** Ring index of the oldest line. */
  private head = 0;
  private count = 0;
  /** Absolute position of the oldest line. */
  private first = 0;

  /** Position of the oldest line still held (== `end` when empty). */
  get start(): number {
    return this.first;
  }

  /** Position the next line gets: how many were ever pushed. */
  get end(): number {
    return this.first + this.count;
  }

  /** Bytes held: slabs, columns and gaps. */
  get bytes(): number {
    return this.slabBytes + this.seqs.length * COLUMN_BYTES + this.gaps.size * GAP_BYTES;
  }

  pushEvent(seq: number, t: number, json: string): void {
    const size = Buffer.byteLength(json) + 1;
    let slab = this.slabs[this.slabs.length - 1];
    if (!slab || slab.used + size > slab.bytes.length) {
      slab = { bytes: takeSlab(size), used: 0, lines: 0 };
      this.slabs.push(slab);
      this.slabBytes += slab.bytes.length;
    }
    const offset = slab.used;
    slab.used += slab.bytes.write(json, offset);
    slab.bytes[slab.used++] = COMMA;
    slab.lines++;
    const i = this.slot();
    this.seqs[i] = seq;
    this.times[i] = t;
    this.slabOf[i] = this.firstSlab + this.slabs.length - 1;
    this.offsets[i] = offset;
    this.lengths[i] = slab.used - offset;
  }

  pushGap(gap: GapMessage): void {
    const i = this.slot();
    this.seqs[i] = gap.to;
    this.times[i] = 0;
    this.slabOf[i] = -1;
    this.gaps.set(this.end - 1, gap);
  }

  /** Drops the oldest line; says what it was. */
  shift(): ShiftedLine | undefined {
    if (this.count === 0) return undefined;
    const position = this.first;
    const i = this.head;
    this.head = (this.head + 1) % this.seqs.length;
    this.count--;
    this.first++;
    const gap = this.gaps.get(position);
    if (gap) {
      this.gaps.delete(position);
      return { gap };
    }
    const slab = this.slabs[this.slabOf[i]! - this.firstSlab]!;
    slab.lines--;
    // A slab nothing refers to any more goes, unless it is the one being filled.
    while (this.slabs.length > 1 && this.slabs[0]!.lines === 0) {
      const { bytes } = this.slabs.shift()!;
      this.slabBytes -= bytes.length;
      this.firstSlab++;
      giveBackSlab(bytes);
    }
    return { seq: this.seqs[i]! };
  }

  /** The gap at `position`, or undefined for an event. */
  gapAt(position: number): GapMessage | undefined {
    return this.gaps.get(position);
  }

  seqAt(position: number): number {
    return this.seqs[this.index(position)]!;
  }

  timeAt(position: number): number {
    return this.times[this.index(position)]!;
  }

  /** The last seq a line covers: an event's seq, a gap's `to`. */
  lastSeqAt(position: number): number {
    return this.seqs[this.index(position)]!;
  }

  /**
   * Bytes of the events' JSON in [from, to), each followed by a comma: as few
   * slices of the slabs as they span. Views, valid until lines are shifted
   * out (a slab given back is written again): copy them before that.
   */
  eventBytes(from: number, to: number): Buffer[] {
    const out: Buffer[] = [];
    let slab = -1;
    let begin = 0;
    let finish = 0;
    for (let position = from; position < to; position++) {
      const i = this.index(position);
      const at = this.slabOf[i]!;
      if (at === slab && this.offsets[i] === finish) {
        finish += this.lengths[i]!;
        continue;
      }
      if (slab >= 0) out.push(this.slabs[slab - this.firstSlab]!.bytes.subarray(begin, finish));
      slab = at;
      begin = this.offsets[i]!;
      finish = begin + this.lengths[i]!;
    }
    if (slab >= 0) out.push(this.slabs[slab - this.firstSlab]!.bytes.subarray(begin, finish));
    return out;
  }

  /** JSON text length of the event at `position`, its comma included. */
  eventLength(position: number): number {
    return this.lengths[this.index(position)]!;
  }

  /** First position in [from, to) whose last seq is above `seq` (lines are in seq order), or `to`. */
  firstAfter(from: number, to: number, seq: number): number {
    let lo = Math.max(from, this.first);
    let hi = Math.min(to, this.end);
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.lastSeqAt(mid) > seq) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  private index(position: number): number {
    return (this.head + position - this.first) % this.seqs.length;
  }

  /** The ring index for a new line at the end, growing the columns when full. */
  private slot(): number {
    if (this.count === this.seqs.length) this.growColumns();
    const i = (this.head + this.count) % this.seqs.length;
    this.count++;
    return i;
  }

  private growColumns(): void {
    const capacity = this.seqs.length * 2;
    this.seqs = this.inOrder(this.seqs, new Float64Array(capacity));
    this.times = this.inOrder(this.times, new Float64Array(capacity));
    this.slabOf = this.inOrder(this.slabOf, new Int32Array(capacity));
    this.offsets = this.inOrder(this.offsets, new Int32Array(capacity));
    this.lengths = this.inOrder(this.lengths, new Int32Array(capacity));
    this.head = 0;
  }

  /** `column`'s lines, oldest first, copied to the start of `into`. */
  private inOrder<T extends Float64Array | Int32Array>(column: T, into: T): T {
    const tail = column.subarray(this.head);
    into.set(tail);
    into.set(column.subarray(0, this.head), tail.length);
    return into;
  }
}
