// The pure shaping of diffs and allocation maps: block ranges are sorted, deduplicated and
// merged; extents cover the asked range exactly, in order, merged, and clipped at its edges;
// a bounded range set holds one page of a diff of any size, and its pages add up.

import test from 'ava';
import { SeededRandom } from '../../consensus/random.ts';
import type { BlockRange } from '../../storage-engine/vdisk/extents.ts';
import { BoundedRangeSet, allocationExtents, blockRanges } from '../../storage-engine/vdisk/extents.ts';
import { BLOCK_BYTES } from '../../storage-engine/vdisk/keys.ts';

test('block ranges merge adjacent blocks whatever the order and repeats', (t) => {
  t.deepEqual(blockRanges([]), []);
  t.deepEqual(blockRanges([7, 3, 4, 5, 4, 9, 8, 2 ** 32 - 1]), [
    { firstBlockIndex: 3, blockCount: 3 },
    { firstBlockIndex: 7, blockCount: 3 },
    { firstBlockIndex: 2 ** 32 - 1, blockCount: 1 },
  ]);
});

test('allocation extents cover the range exactly and clip data blocks at unaligned edges', (t) => {
  t.deepEqual(allocationExtents([], 10, 100), [{ offsetBytes: 10, lengthBytes: 100, kind: 'hole' }]);
  // Blocks 0, 1 and 3 hold data; the range starts inside block 0 and ends inside block 4.
  t.deepEqual(allocationExtents([3, 0, 1], 100, 4 * BLOCK_BYTES), [
    { offsetBytes: 100, lengthBytes: 2 * BLOCK_BYTES - 100, kind: 'data' },
    { offsetBytes: 2 * BLOCK_BYTES, lengthBytes: BLOCK_BYTES, kind: 'hole' },
    { offsetBytes: 3 * BLOCK_BYTES, lengthBytes: BLOCK_BYTES, kind: 'data' },
    { offsetBytes: 4 * BLOCK_BYTES, lengthBytes: 100, kind: 'hole' },
  ]);
  t.deepEqual(allocationExtents([5], 5 * BLOCK_BYTES + 1, 10), [{ offsetBytes: 5 * BLOCK_BYTES + 1, lengthBytes: 10, kind: 'data' }]);
});

test('a bounded range set pages through any set, offered in any order, in whole ranges', (t) => {
  const random = new SeededRandom(7);
  for (let round = 0; round < 300; round++) {
    const blocks = Array.from({ length: random.nextInt(60) }, () => random.nextInt(80));
    const whole = blockRanges(blocks);
    const rangesMax = 1 + random.nextInt(4);
    const pages: Array<{ startBlockIndex: number; ranges: BlockRange[] }> = [];
    let startBlockIndex: number | undefined = 0;
    // Every page but the last covers a block at least, so this many pages is plenty.
    while (startBlockIndex !== undefined && pages.length <= blocks.length + 1) {
      const set = new BoundedRangeSet(rangesMax);
      // In random order with repeats: harder than the sorted run per epoch a diff offers.
      for (const block of blocks) if (block >= startBlockIndex) set.add(block);
      const { ranges, complete } = set.firstRanges();
      pages.push({ startBlockIndex, ranges });
      t.true(ranges.length <= rangesMax);
      const last = ranges[ranges.length - 1];
      startBlockIndex = complete || last === undefined ? undefined : last.firstBlockIndex + last.blockCount;
    }
    // Merged at the seams, the pages are the whole set. A range is split only where a page
    // holds that one range alone, and the next page then starts with the rest of it.
    t.is(startBlockIndex, undefined);
    const merged = blockRanges(pages.flatMap((page) => page.ranges).flatMap((range) => Array.from({ length: range.blockCount }, (_, index) => range.firstBlockIndex + index)));
    t.deepEqual(merged, whole);
    const isWhole = (range: BlockRange): boolean => whole.some((w) => w.firstBlockIndex === range.firstBlockIndex && w.blockCount === range.blockCount);
    for (const page of pages) {
      for (const [index, range] of page.ranges.entries()) {
        const rest = index === 0 && range.firstBlockIndex === page.startBlockIndex;
        const alone = page.ranges.length === 1;
        t.true(isWhole(range) || rest || alone, `range ${JSON.stringify(range)} of a page from ${page.startBlockIndex}`);
      }
    }
  }
});
