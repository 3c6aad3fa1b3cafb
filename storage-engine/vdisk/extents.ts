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

/**
 * The first ranges of a set of block indexes, built from blocks added in any order, in
 * bounded memory: at most rangesMax + 1 ranges are kept. When one more would be needed,
 * the last range is dropped and nothing from its first block on is taken any more
 * (`endBlockIndex` shrinks to it). So after every block of a set has been offered, the
 * kept ranges are exactly the set's blocks below `endBlockIndex`, and a diff of any size
 * is paged without holding more than one page.
 */
export class BoundedRangeSet {
  /** Blocks at or past this index are refused; infinite until the set first overflows. */
  endBlockIndex = Number.POSITIVE_INFINITY;
  private readonly rangesMax: number;
  /** Sorted, disjoint, not adjacent: [first, end) pairs. */
  private readonly ranges: Array<{ first: number; end: number }> = [];

  constructor(rangesMax: number) {
    this.rangesMax = rangesMax;
  }

  /** Adds a block below endBlockIndex (a caller stops offering blocks at or past it). */
  add(blockIndex: number): void {
    if (blockIndex >= this.endBlockIndex) return;
    // The last range that starts at or before the block.
    let low = 0;
    let high = this.ranges.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.ranges[middle]!.first <= blockIndex) low = middle + 1;
      else high = middle;
    }
    const before = this.ranges[low - 1];
    const after = this.ranges[low];
    if (before !== undefined && blockIndex < before.end) return;
    if (before !== undefined && blockIndex === before.end) {
      before.end++;
      if (after !== undefined && after.first === before.end) {
        before.end = after.end;
        this.ranges.splice(low, 1);
      }
      return;
    }
    if (after !== undefined && after.first === blockIndex + 1) {
      after.first = blockIndex;
      return;
    }
    this.ranges.splice(low, 0, { first: blockIndex, end: blockIndex + 1 });
    if (this.ranges.length > this.rangesMax + 1) this.endBlockIndex = this.ranges.pop()!.first;
  }

  /**
   * The first rangesMax ranges, and whether they are all there is. A range that may go on
   * past endBlockIndex is left for the next page, unless it is the only one.
   */
  firstRanges(): { ranges: BlockRange[]; complete: boolean } {
    let kept = this.ranges.slice(0, this.rangesMax);
    const complete = this.ranges.length <= this.rangesMax && this.endBlockIndex === Number.POSITIVE_INFINITY;
    const last = kept[kept.length - 1];
    if (!complete && kept.length === this.ranges.length && kept.length > 1 && last!.end === this.endBlockIndex) kept = kept.slice(0, -1);
    return { ranges: kept.map((range) => ({ firstBlockIndex: range.first, blockCount: range.end - range.first })), complete };
  }
}
