/** Bytes per block: small enough that a quiet target holds little, large enough to batch from. */
export const BLOCK_BYTES = 64 * 1024;
/** Free blocks kept for reuse at most (1 MiB): a steady hub needs one or two at a time. */
const MAX_FREE = 16;

const free: Buffer[] = [];

/**
 * The blocks every history of the process is made of (the events' text and
 * the index of their lines). A history at its bound gives up its oldest
 * block as often as it fills a new one; handed back here, the block is
 * written again at once instead of waiting as garbage for a full collection
 * — which V8 only starts once such garbage reaches tens of megabytes, and
 * whose space the allocator then keeps. One size for everything long-lived
 * also leaves the allocator no holes of the wrong size.
 */
export function takeBlock(size = BLOCK_BYTES): Buffer {
  if (size <= BLOCK_BYTES) {
    const block = free.pop();
    if (block) return block;
  }
  return Buffer.allocUnsafeSlow(Math.max(BLOCK_BYTES, size));
}

/** A block nothing reads from any more (no view of it may outlive this call). */
export function giveBackBlock(block: Buffer): void {
  if (block.length === BLOCK_BYTES && free.length < MAX_FREE) free.push(block);
}
