/** Bytes per slab of event text: small enough that a quiet target holds little, large enough to batch from. */
export const SLAB_BYTES = 64 * 1024;
/** Free slabs kept for reuse at most (1 MiB): a steady hub needs one or two at a time. */
const MAX_FREE = 16;

const free: Buffer[] = [];

/**
 * Slabs for every history of the process. A history at its bound gives up
 * its oldest slab as often as one fills a new one; handed back here, the
 * slab is written again at once instead of waiting as garbage for a full
 * collection — which V8 only starts once such garbage reaches tens of
 * megabytes, and which the allocator then keeps as free space.
 */
export function takeSlab(size: number): Buffer {
  if (size <= SLAB_BYTES) {
    const slab = free.pop();
    if (slab) return slab;
  }
  return Buffer.allocUnsafeSlow(Math.max(SLAB_BYTES, size));
}

/** A slab nothing reads from any more (no view of it may outlive this call). */
export function giveBackSlab(slab: Buffer): void {
  if (slab.length === SLAB_BYTES && free.length < MAX_FREE) free.push(slab);
}
