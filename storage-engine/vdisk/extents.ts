// Pure shaping of what the block store found into what callers want: block ranges for a
// diff, data/hole extents for an allocation map (NBD block status, nbdinfo --map). No I/O
// here, so these are tested on their own with plain arrays.

import { BLOCK_BYTES } from './keys.ts';

export interface Extent {
  offsetBytes: number;
  lengthBytes: number;
  /** 'hole' reads as zeros and stores nothing (never written, trimmed or zeroed). */
  kind: 'data' | 'hole';
}

export interface BlockRange {
  firstBlockIndex: number;
  blockCount: number;
}

/** Block indexes, in any order and with repeats, as sorted ranges of adjacent blocks. */
export function blockRanges(blockIndexes: Iterable<number>): BlockRange[] {
  const ranges: BlockRange[] = [];
  for (const blockIndex of [...new Set(blockIndexes)].sort((a, b) => a - b)) {
    const last = ranges[ranges.length - 1];
    if (last !== undefined && last.firstBlockIndex + last.blockCount === blockIndex) last.blockCount++;
    else ranges.push({ firstBlockIndex: blockIndex, blockCount: 1 });
  }
  return ranges;
}

/**
 * The extents of [offsetBytes, offsetBytes + lengthBytes) given the blocks that hold data:
 * in order, covering the range exactly, adjacent extents of one kind merged, the edges
 * clipped to the range even where a data block sticks out of it.
 */
export function allocationExtents(dataBlockIndexes: Iterable<number>, offsetBytes: number, lengthBytes: number): Extent[] {
  const endBytes = offsetBytes + lengthBytes;
  const extents: Extent[] = [];
  const append = (kind: Extent['kind'], from: number, to: number): void => {
    const start = Math.max(from, offsetBytes);
    const end = Math.min(to, endBytes);
    if (end <= start) return;
    const last = extents[extents.length - 1];
    if (last !== undefined && last.kind === kind && last.offsetBytes + last.lengthBytes === start) last.lengthBytes += end - start;
    else extents.push({ offsetBytes: start, lengthBytes: end - start, kind });
  };
  let position = offsetBytes;
  for (const blockIndex of [...new Set(dataBlockIndexes)].sort((a, b) => a - b)) {
    const blockStart = blockIndex * BLOCK_BYTES;
    append('hole', position, blockStart);
    append('data', blockStart, blockStart + BLOCK_BYTES);
    position = Math.max(position, blockStart + BLOCK_BYTES);
  }
  append('hole', position, endBytes);
  return extents;
}
