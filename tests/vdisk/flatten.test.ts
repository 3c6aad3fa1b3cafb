// What flatten promises (issue 4: "flatten a clone"): afterwards every epoch of the clone
// reads the same with its parent link removed, even once the parent is purged; its diffs
// are unchanged; a flatten cut short leaves reads unchanged and is finished by calling it
// again, which copies nothing twice; and it costs the parent chain's stored blocks, not the
// disk's size.

import test from 'ava';
import type { BlockDatabase, VDiskLayout } from '../../storage-engine/vdisk/block-store.ts';
import { BlockStore } from '../../storage-engine/vdisk/block-store.ts';
import { BLOCK_BYTES } from '../../storage-engine/vdisk/keys.ts';
import { InterruptibleStore, MiB, SimulatedCrash, TiB, filled, pattern, testDirectory } from './support.ts';

async function rowCount(db: BlockDatabase): Promise<number> {
  let count = 0;
  for await (const _ of db.keys()) count++;
  return count;
}

/**
 * Grandparent 1 (epoch 1: blocks 0-5 = 1) ← parent 2 cloned at 1 (epoch 1: block 1 = 2,
 * block 2 trimmed; snapshot 1) ← clone 3 cloned at 1 (epoch 1: block 3 = 3; snapshot 1;
 * epoch 2: block 0 = 4; head 3: block 4 = 5).
 */
async function chain(store: BlockStore): Promise<{ grandparent: VDiskLayout; parent: VDiskLayout; clone: VDiskLayout; epochs: number[] }> {
  await store.write({ id: 1, sizeBytes: MiB, snapshotEpochs: [] }, 1, 0, filled(6 * BLOCK_BYTES, 1));
  const grandparent: VDiskLayout = { id: 1, sizeBytes: MiB, snapshotEpochs: [1] };
  const parentAtOne: VDiskLayout = { id: 2, sizeBytes: MiB, snapshotEpochs: [], parent: { vdisk: grandparent, epoch: 1 } };
  await store.write(parentAtOne, 1, BLOCK_BYTES, filled(BLOCK_BYTES, 2));
  await store.trim(parentAtOne, 1, 2 * BLOCK_BYTES, BLOCK_BYTES);
  const parent: VDiskLayout = { ...parentAtOne, snapshotEpochs: [1] };
  const cloneLink = { vdisk: parent, epoch: 1 };
  await store.write({ id: 3, sizeBytes: 2 * MiB, snapshotEpochs: [], parent: cloneLink }, 1, 3 * BLOCK_BYTES, filled(BLOCK_BYTES, 3));
  await store.write({ id: 3, sizeBytes: 2 * MiB, snapshotEpochs: [1], parent: cloneLink }, 2, 0, filled(BLOCK_BYTES, 4));
  const clone: VDiskLayout = { id: 3, sizeBytes: 2 * MiB, snapshotEpochs: [1, 2], parent: cloneLink };
  await store.write(clone, 3, 4 * BLOCK_BYTES + 100, pattern(50, 5));
  return { grandparent, parent, clone, epochs: [1, 2, 3] };
}

async function readAll(store: BlockStore, vdisk: VDiskLayout, epochs: number[]): Promise<Uint8Array[]> {
  return Promise.all(epochs.map((epoch) => store.read(vdisk, epoch, 0, 16 * BLOCK_BYTES)));
}

test('a flattened clone reads the same at every epoch without its parent, even once the parent is purged', async (t) => {
  const db = await (await testDirectory(t)).open();
  const store = new BlockStore({ db, requestBytesMax: MiB, rangeBytesMax: 64 * MiB, batchBlocksMax: 2 });
  const { clone, epochs } = await chain(store);
  const before = await readAll(store, clone, epochs);
  const diffs = await Promise.all([store.diff(clone, 0, 3), store.diff(clone, 1, 3), store.diff(clone, 0, 1)]);
  // Epoch 1 of the clone reads 1, 2, 0, 3, 1, 1 from the chain and its own block 3.
  t.deepEqual(before[0]!.subarray(0, 6 * BLOCK_BYTES), Uint8Array.from([1, 2, 0, 3, 1, 1].flatMap((value) => [...filled(BLOCK_BYTES, value)])));

  await store.flatten(clone);
  const flattened: VDiskLayout = { id: 3, sizeBytes: clone.sizeBytes, snapshotEpochs: clone.snapshotEpochs };
  t.deepEqual(await readAll(store, flattened, epochs), before);
  t.deepEqual(await Promise.all([store.diff(flattened, 0, 3), store.diff(flattened, 1, 3), store.diff(flattened, 0, 1)]), diffs);
  t.true(await store.purge(2) > 0);
  t.true(await store.purge(1) > 0);
  t.deepEqual(await readAll(store, flattened, epochs), before);
  t.deepEqual(await store.allocated(flattened, 1, 0, 8 * BLOCK_BYTES), [
    { offsetBytes: 0, lengthBytes: 2 * BLOCK_BYTES, kind: 'data' },
    { offsetBytes: 2 * BLOCK_BYTES, lengthBytes: BLOCK_BYTES, kind: 'hole' },
    { offsetBytes: 3 * BLOCK_BYTES, lengthBytes: 3 * BLOCK_BYTES, kind: 'data' },
    { offsetBytes: 6 * BLOCK_BYTES, lengthBytes: 2 * BLOCK_BYTES, kind: 'hole' },
  ]);
  // Blocks the clone wrote below its oldest snapshot were not copied: 4 copies (0, 1, 4, 5).
  t.is(await rowCount(db), 3 + 3 + 4, 'the clone: 3 own versions, 3 change rows, 4 copies');
});

test('a flatten cut short leaves reads unchanged and is finished by calling it again', async (t) => {
  for (const crashAfter of [0, 1, 2]) {
    const db = await (await testDirectory(t)).open();
    const store = new InterruptibleStore({ db, requestBytesMax: MiB, rangeBytesMax: 64 * MiB, batchBlocksMax: 1 });
    const { clone, epochs } = await chain(store);
    const before = await readAll(store, clone, epochs);
    store.commitsBeforeCrash = crashAfter;
    await t.throwsAsync(store.flatten(clone), { instanceOf: SimulatedCrash });
    t.deepEqual(await readAll(store, clone, epochs), before, `reads after a crash after ${crashAfter} batches`);
    await store.flatten(clone);
    const rows = await rowCount(db);
    await store.flatten(clone);
    t.is(await rowCount(db), rows, 'a second flatten copies nothing');
    t.deepEqual(await readAll(store, { id: 3, sizeBytes: clone.sizeBytes, snapshotEpochs: clone.snapshotEpochs }, epochs), before);
  }
});

test('a clone without snapshots gets copies only of the blocks it never wrote', async (t) => {
  const db = await (await testDirectory(t)).open();
  const store = new BlockStore({ db, requestBytesMax: MiB, rangeBytesMax: 64 * MiB });
  await store.write({ id: 1, sizeBytes: MiB, snapshotEpochs: [] }, 1, 0, filled(3 * BLOCK_BYTES, 1));
  const clone: VDiskLayout = { id: 2, sizeBytes: MiB, snapshotEpochs: [], parent: { vdisk: { id: 1, sizeBytes: MiB, snapshotEpochs: [1] }, epoch: 1 } };
  await store.write(clone, 1, 0, filled(10, 2));
  await store.trim(clone, 1, 2 * BLOCK_BYTES, BLOCK_BYTES);
  const before = await store.read(clone, 1, 0, 4 * BLOCK_BYTES);
  const rows = await rowCount(db);
  await store.flatten(clone);
  t.is(await rowCount(db), rows + 1, 'one copy: block 1');
  t.deepEqual(await store.read({ id: 2, sizeBytes: MiB, snapshotEpochs: [] }, 1, 0, 4 * BLOCK_BYTES), before);
});

test('flatten costs the parent\'s stored blocks, not the size of a 1 TiB clone', async (t) => {
  const db = await (await testDirectory(t)).open();
  const store = new BlockStore({ db, requestBytesMax: MiB, rangeBytesMax: 64 * MiB });
  await store.write({ id: 1, sizeBytes: TiB, snapshotEpochs: [] }, 1, 0, filled(2 * BLOCK_BYTES, 1));
  await store.write({ id: 1, sizeBytes: TiB, snapshotEpochs: [] }, 1, TiB - BLOCK_BYTES, filled(BLOCK_BYTES, 1));
  const clone: VDiskLayout = { id: 2, sizeBytes: TiB, snapshotEpochs: [], parent: { vdisk: { id: 1, sizeBytes: TiB, snapshotEpochs: [1] }, epoch: 1 } };
  const before = store.counters.blockRowsScanned;
  await store.flatten(clone);
  const rowsRead = store.counters.blockRowsScanned - before;
  t.log(`flatten of a 1 TiB clone of a parent with 3 blocks read ${rowsRead} rows`);
  // The parent's 3 versions, then per block one seek in the clone and one read of the copy.
  t.is(rowsRead, 3 + 3);
  t.deepEqual(await store.read({ id: 2, sizeBytes: TiB, snapshotEpochs: [] }, 1, TiB - BLOCK_BYTES, BLOCK_BYTES), filled(BLOCK_BYTES, 1));
});

test('a vDisk without parent has nothing to flatten', async (t) => {
  const db = await (await testDirectory(t)).open();
  const store = new BlockStore({ db, requestBytesMax: MiB, rangeBytesMax: 64 * MiB });
  await store.write({ id: 1, sizeBytes: MiB, snapshotEpochs: [] }, 1, 0, filled(BLOCK_BYTES, 1));
  const rows = await rowCount(db);
  await store.flatten({ id: 1, sizeBytes: MiB, snapshotEpochs: [] });
  t.is(await rowCount(db), rows);
});
