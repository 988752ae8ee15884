import type { GapMessage } from '../../shared/protocol.js';
import { BLOCK_BYTES, giveBackBlock, takeBlock } from './block-pool.js';

/** A kept gap: a small object. */
const GAP_BYTES = 160;
const COMMA = 0x2c;

/** A block of event text. */
interface Slab {
  bytes: Buffer;
  used: number;
  /** Lines still held whose text is in it. */
  lines: number;
}

/** Lines per page of the index: as many as fit in a block at 28 bytes a line (seq, t: 8 each; slab, offset, length: 4 each). */
const PAGE_LINES = Math.floor(BLOCK_BYTES / 28);

/** The index of PAGE_LINES consecutive lines, in one block. */
class Page {
  readonly seqs: Float64Array;
  readonly times: Float64Array;
  /** Absolute slab number of an event's text, or -1 for a gap. */
  readonly slabOf: Int32Array;
  readonly offsets: Int32Array;
  readonly lengths: Int32Array;

  constructor(readonly block: Buffer) {
    const { buffer, byteOffset } = block;
    this.seqs = new Float64Array(buffer, byteOffset, PAGE_LINES);
    this.times = new Float64Array(buffer, byteOffset + PAGE_LINES * 8, PAGE_LINES);
    this.slabOf = new Int32Array(buffer, byteOffset + PAGE_LINES * 16, PAGE_LINES);
    this.offsets = new Int32Array(buffer, byteOffset + PAGE_LINES * 20, PAGE_LINES);
    this.lengths = new Int32Array(buffer, byteOffset + PAGE_LINES * 24, PAGE_LINES);
  }
}

/** What a line that left the store was: an event's seq, or a gap. */
export type ShiftedLine = { seq: number } | { gap: GapMessage };

/**
 * A target's lines — events and gaps — at absolute positions, held outside
 * the JavaScript heap in blocks of one size: each event's JSON, a comma
 * after it, appended to slabs, and a few numbers per line in pages of
 * typed columns. So what a history holds is what it counts, in bytes, and
 * keeping or dropping an event makes no garbage for the collector: a
 * history of hundreds of megabytes costs about that much memory, not a
 * multiple of it. Lines are pushed at the end and shifted from the front;
 * a block whose lines are all gone goes back to the pool.
 */
export class LineStore {
  private readonly slabs: Slab[] = [];
  /** Absolute number of `slabs[0]`. */
  private firstSlab = 0;
  private slabBytes = 0;
  private readonly pages: Page[] = [];
  /** Position of the first line of `pages[0]` (a multiple of PAGE_LINES). */
  private pageBase = 0;
  private readonly gaps = new Map<number, GapMessage>();
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

  /** Bytes held: slabs, pages and gaps. */
  get bytes(): number {
    return this.slabBytes + this.pages.length * BLOCK_BYTES + this.gaps.size * GAP_BYTES;
  }

  pushEvent(seq: number, t: number, json: string): void {
    const size = Buffer.byteLength(json) + 1;
    let slab = this.slabs[this.slabs.length - 1];
    if (!slab || slab.used + size > slab.bytes.length) {
      slab = { bytes: takeBlock(size), used: 0, lines: 0 };
      this.slabs.push(slab);
      this.slabBytes += slab.bytes.length;
    }
    const offset = slab.used;
    slab.used += slab.bytes.write(json, offset);
    slab.bytes[slab.used++] = COMMA;
    slab.lines++;
    const i = (this.end - this.pageBase) % PAGE_LINES;
    const page = this.pushLine(i);
    page.seqs[i] = seq;
    page.times[i] = t;
    page.slabOf[i] = this.firstSlab + this.slabs.length - 1;
    page.offsets[i] = offset;
    page.lengths[i] = slab.used - offset;
  }

  pushGap(gap: GapMessage): void {
    this.gaps.set(this.end, gap);
    const i = (this.end - this.pageBase) % PAGE_LINES;
    const page = this.pushLine(i);
    page.seqs[i] = gap.to;
    page.times[i] = 0;
    page.slabOf[i] = -1;
  }

  /** Drops the oldest line; says what it was. */
  shift(): ShiftedLine | undefined {
    if (this.count === 0) return undefined;
    const position = this.first;
    const page = this.pages[0]!;
    const i = position - this.pageBase;
    const seq = page.seqs[i]!;
    const slabOf = page.slabOf[i]!;
    this.count--;
    this.first++;
    if (i === PAGE_LINES - 1) {
      this.pages.shift();
      this.pageBase += PAGE_LINES;
      giveBackBlock(page.block);
    }
    const gap = this.gaps.get(position);
    if (gap) {
      this.gaps.delete(position);
      return { gap };
    }
    const slab = this.slabs[slabOf - this.firstSlab]!;
    slab.lines--;
    // A slab nothing refers to any more goes, unless it is the one being filled.
    while (this.slabs.length > 1 && this.slabs[0]!.lines === 0) {
      const { bytes } = this.slabs.shift()!;
      this.slabBytes -= bytes.length;
      this.firstSlab++;
      giveBackBlock(bytes);
    }
    return { seq };
  }

  /** The gap at `position`, or undefined for an event. */
  gapAt(position: number): GapMessage | undefined {
    return this.gaps.get(position);
  }

  seqAt(position: number): number {
    const rel = position - this.pageBase;
    return this.pages[(rel / PAGE_LINES) | 0]!.seqs[rel % PAGE_LINES]!;
  }

  timeAt(position: number): number {
    const rel = position - this.pageBase;
    return this.pages[(rel / PAGE_LINES) | 0]!.times[rel % PAGE_LINES]!;
  }

  /** The last seq a line covers: an event's seq, a gap's `to`. */
  lastSeqAt(position: number): number {
    return this.seqAt(position);
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
    const rel = from - this.pageBase;
    let p = (rel / PAGE_LINES) | 0;
    let page = this.pages[p]!;
    let i = rel % PAGE_LINES;
    for (let position = from; position < to; position++, i++) {
      if (i === PAGE_LINES) {
        page = this.pages[++p]!;
        i = 0;
      }
      const at = page.slabOf[i]!;
      if (at === slab && page.offsets[i] === finish) {
        finish += page.lengths[i]!;
        continue;
      }
      if (slab >= 0) out.push(this.slabs[slab - this.firstSlab]!.bytes.subarray(begin, finish));
      slab = at;
      begin = page.offsets[i]!;
      finish = begin + page.lengths[i]!;
    }
    if (slab >= 0) out.push(this.slabs[slab - this.firstSlab]!.bytes.subarray(begin, finish));
    return out;
  }

  /** JSON text length of the event at `position`, its comma included. */
  eventLength(position: number): number {
    const rel = position - this.pageBase;
    return this.pages[(rel / PAGE_LINES) | 0]!.lengths[rel % PAGE_LINES]!;
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

  /** Counts a new line at the end, `i` its index in its page (0: a new page); returns its page. */
  private pushLine(i: number): Page {
    this.count++;
    // A page is given back as its last line leaves: the first line of a page always needs a new one.
    if (i === 0) this.pages.push(new Page(takeBlock()));
    return this.pages[this.pages.length - 1]!;
  }
}
