// The pure shaping of diffs and allocation maps: block ranges are sorted, deduplicated and
// merged; extents cover the asked range exactly, in order, merged, and clipped at its edges.

import test from 'ava';
import { allocationExtents, blockRanges } from '../../storage-engine/vdisk/extents.ts';
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
