// What diff promises beyond the basics in block-store.test.ts: a diff over many epochs is the
// union of their changes, sorted and merged; it can be fetched in pages that come in block
// order however the epochs interleave, at a cost of each page's rows plus about one row per
// epoch with changes, never the disk's size; a diff too large for one answer is refused with
// RESOURCE_EXHAUSTED rather than held in memory; bad page options are refused.

import test from 'ava';
import { VstorError } from '../../storage-engine/errors.ts';
import type { VDiskLayout } from '../../storage-engine/vdisk/block-store.ts';
import { BlockStore } from '../../storage-engine/vdisk/block-store.ts';
import type { BlockRange } from '../../storage-engine/vdisk/extents.ts';
import { BLOCK_BYTES } from '../../storage-engine/vdisk/keys.ts';
import { MiB, TiB, filled, testDirectory } from './support.ts';

function upTo(id: number, sizeBytes: number, headEpoch: number): VDiskLayout {
  return { id, sizeBytes, snapshotEpochs: Array.from({ length: headEpoch - 1 }, (_, index) => index + 1) };
}

test('a diff over many epochs is their union in block order, whole or in pages', async (t) => {
  const db = await (await testDirectory(t)).open();
  const store = new BlockStore({ db, requestBytesMax: MiB, rangeBytesMax: 64 * MiB, diffRangesMax: 8 });
  // Epoch e writes blocks e, e + 10, e + 20, … (e = 1..5), so every epoch's run spans the
  // whole disk and the union is blocks 1-5, 11-15, …, 91-95.
  for (let epoch = 1; epoch <= 5; epoch++) {
    for (let blockIndex = epoch; blockIndex < 100; blockIndex += 10) await store.write(upTo(1, MiB, epoch), epoch, blockIndex * BLOCK_BYTES, filled(1, epoch));
  }
  const vdisk = upTo(1, MiB, 6);
  const union: BlockRange[] = Array.from({ length: 10 }, (_, index) => ({ firstBlockIndex: index * 10 + 1, blockCount: 5 }));
  // Ten ranges are more than diffRangesMax (8): whole, it is refused, in pages it comes.
  const error = await t.throwsAsync(store.diff(vdisk, 0, 5), { instanceOf: VstorError });
  t.is(error?.code, 'RESOURCE_EXHAUSTED');
  t.false(error?.retryable);
  t.regex(error?.message ?? '', /more than 8 ranges/);
  const pages: BlockRange[][] = [];
  let startBlockIndex: number | undefined = 0;
  while (startBlockIndex !== undefined) {
    const page = await store.diffPage(vdisk, 0, 5, { startBlockIndex, rangesMax: 3 });
    pages.push(page.ranges);
    startBlockIndex = page.nextStartBlockIndex;
  }
  t.deepEqual(pages, [union.slice(0, 3), union.slice(3, 6), union.slice(6, 9), union.slice(9)]);
  // diff() with a page size answers the same pages.
  t.deepEqual(await store.diff(vdisk, 0, 5, { startBlockIndex: 31, rangesMax: 3 }), union.slice(3, 6));
  t.deepEqual(await store.diff(vdisk, 0, 5, { startBlockIndex: 33, rangesMax: 1 }), [{ firstBlockIndex: 33, blockCount: 3 }]);
  // Without a page size, a diff from a start block comes whole if it fits.
  t.deepEqual(await store.diff(vdisk, 2, 4, { startBlockIndex: 30 }), Array.from({ length: 7 }, (_, index) => ({ firstBlockIndex: index * 10 + 33, blockCount: 2 })));
});

test('a page of a diff over a 1 TiB vDisk reads its rows and about one more per epoch', async (t) => {
  const db = await (await testDirectory(t)).open();
  const store = new BlockStore({ db, requestBytesMax: MiB, rangeBytesMax: 64 * MiB });
  // 3 epochs, each changing 200 scattered blocks far apart, and 50 empty epochs after.
  for (let epoch = 1; epoch <= 3; epoch++) {
    for (let index = 0; index < 200; index++) {
      await store.write(upTo(1, TiB, epoch), epoch, (index * 2 ** 20 + epoch * 2) * BLOCK_BYTES, filled(BLOCK_BYTES, epoch));
    }
  }
  const vdisk = upTo(1, TiB, 54);
  const before = store.counters.changeRowsScanned;
  const page = await store.diffPage(vdisk, 0, 53, { startBlockIndex: 100 * 2 ** 20, rangesMax: 10 });
  const rowsRead = store.counters.changeRowsScanned - before;
  t.log(`a page of 10 ranges from a 600-block diff over 53 epochs read ${rowsRead} change rows`);
  t.deepEqual(page.ranges.slice(0, 3), [
    { firstBlockIndex: 100 * 2 ** 20 + 2, blockCount: 1 },
    { firstBlockIndex: 100 * 2 ** 20 + 4, blockCount: 1 },
    { firstBlockIndex: 100 * 2 ** 20 + 6, blockCount: 1 },
  ]);
  t.is(page.ranges.length, 10);
  t.is(page.nextStartBlockIndex, 103 * 2 ** 20 + 3);
  // Per epoch with changes at most rangesMax + 3 rows: the page's, one more kept to know
  // the page is full, one dropped for it, and one past the page that ends the epoch's run.
  // None of the other rows, and nothing for the 50 epochs without changes.
  t.true(rowsRead <= 3 * (10 + 3), `${rowsRead} rows`);
});

test('diff page options out of bounds are refused', async (t) => {
  const db = await (await testDirectory(t)).open();
  const store = new BlockStore({ db, requestBytesMax: MiB, rangeBytesMax: 64 * MiB, diffRangesMax: 100 });
  const vdisk = upTo(1, MiB, 2);
  for (const options of [{ rangesMax: 0 }, { rangesMax: 101 }, { rangesMax: 1.5 }, { startBlockIndex: -1 }, { startBlockIndex: 2 ** 33 }]) {
    const error = await t.throwsAsync(store.diffPage(vdisk, 0, 1, options), { instanceOf: VstorError }, JSON.stringify(options));
    t.is(error?.code, 'INVALID_ARGUMENT');
  }
  t.throws(() => new BlockStore({ db, requestBytesMax: MiB, rangeBytesMax: MiB, diffRangesMax: 0 }), { instanceOf: VstorError, message: /diffRangesMax/ });
});
