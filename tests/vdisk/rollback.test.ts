// What rollback promises (issue 4: "roll a vDisk back to a snapshot"): afterwards the head
// reads as the snapshot, parent fall-through included; snapshots taken after it stay; diffs
// between live epochs stay exact; it costs what changed since the snapshot, not the disk's
// size; cut short by a crash, it leaves an intent that survives a restart, and running it
// again finishes it with the same result, as often as it is run.

import test from 'ava';
import { VstorError } from '../../storage-engine/errors.ts';
import type { BlockDatabase, VDiskLayout } from '../../storage-engine/vdisk/block-store.ts';
import { BlockStore } from '../../storage-engine/vdisk/block-store.ts';
import { BLOCK_BYTES } from '../../storage-engine/vdisk/keys.ts';
import { InterruptibleStore, MiB, SimulatedCrash, TiB, filled, testDirectory } from './support.ts';

function layout(id: number, sizeBytes: number, snapshotEpochs: number[], parent?: VDiskLayout['parent']): VDiskLayout {
  return parent === undefined ? { id, sizeBytes, snapshotEpochs } : { id, sizeBytes, snapshotEpochs, parent };
}

async function rowCount(db: BlockDatabase): Promise<number> {
  let count = 0;
  for await (const _ of db.keys()) count++;
  return count;
}

test('a rollback to the newest snapshot discards the head\'s changes and leaves an empty diff', async (t) => {
  const db = await (await testDirectory(t)).open();
  const store = new BlockStore({ db, requestBytesMax: MiB, rangeBytesMax: 64 * MiB, batchBlocksMax: 2 });
  await store.write(layout(1, MiB, []), 1, 0, filled(4 * BLOCK_BYTES, 1));
  const atTwo = layout(1, MiB, [1]);
  await store.write(atTwo, 2, BLOCK_BYTES + 7, filled(3 * BLOCK_BYTES, 2));
  await store.trim(atTwo, 2, 0, BLOCK_BYTES);
  await store.write(atTwo, 2, 100 * BLOCK_BYTES, filled(BLOCK_BYTES, 3));

  await store.rollback(atTwo, 2, 1);
  t.deepEqual(await store.read(atTwo, 2, 0, 128 * BLOCK_BYTES), await store.read(atTwo, 1, 0, 128 * BLOCK_BYTES));
  t.deepEqual(await store.diff(atTwo, 1, 2), []);
  t.deepEqual(await store.interruptedRollbacks(), []);
  // The head takes writes again as before.
  await store.write(atTwo, 2, 0, filled(10, 4));
  t.deepEqual(await store.read(atTwo, 2, 0, 11), Uint8Array.from([...filled(10, 4), 1]));
  t.deepEqual(await store.diff(atTwo, 1, 2), [{ firstBlockIndex: 0, blockCount: 1 }]);
});

test('a rollback past later snapshots keeps them and keeps diffs from them exact', async (t) => {
  const db = await (await testDirectory(t)).open();
  const store = new BlockStore({ db, requestBytesMax: MiB, rangeBytesMax: 64 * MiB, batchBlocksMax: 1 });
  // Epoch 1: blocks 0-3 = 1. Epoch 2: block 1 = 2, block 2 trimmed, block 5 = 2.
  // Epoch 3: block 3 = 3. Head 4: block 0 = 4, block 6 = 4.
  await store.write(layout(1, MiB, []), 1, 0, filled(4 * BLOCK_BYTES, 1));
  await store.write(layout(1, MiB, [1]), 2, BLOCK_BYTES, filled(BLOCK_BYTES, 2));
  await store.trim(layout(1, MiB, [1]), 2, 2 * BLOCK_BYTES, BLOCK_BYTES);
  await store.write(layout(1, MiB, [1]), 2, 5 * BLOCK_BYTES, filled(BLOCK_BYTES, 2));
  await store.write(layout(1, MiB, [1, 2]), 3, 3 * BLOCK_BYTES, filled(BLOCK_BYTES, 3));
  const vdisk = layout(1, MiB, [1, 2, 3]);
  await store.write(vdisk, 4, 0, filled(BLOCK_BYTES, 4));
  await store.write(vdisk, 4, 6 * BLOCK_BYTES, filled(BLOCK_BYTES, 4));
  const before = new Map<number, Uint8Array>();
  for (const epoch of [1, 2, 3]) before.set(epoch, await store.read(vdisk, epoch, 0, 8 * BLOCK_BYTES));

  await store.rollback(vdisk, 4, 1);
  t.deepEqual(await store.read(vdisk, 4, 0, 8 * BLOCK_BYTES), before.get(1));
  for (const epoch of [1, 2, 3]) t.deepEqual(await store.read(vdisk, epoch, 0, 8 * BLOCK_BYTES), before.get(epoch), `snapshot ${epoch} intact`);
  // From snapshot 3 the head differs in blocks 1, 2, 3 and 5: exactly those are rewritten.
  t.deepEqual(await store.diff(vdisk, 3, 4), [{ firstBlockIndex: 1, blockCount: 3 }, { firstBlockIndex: 5, blockCount: 1 }]);
  t.deepEqual(await store.diff(vdisk, 2, 4), [{ firstBlockIndex: 1, blockCount: 3 }, { firstBlockIndex: 5, blockCount: 1 }]);
  t.deepEqual(await store.diff(vdisk, 1, 3), [{ firstBlockIndex: 1, blockCount: 3 }, { firstBlockIndex: 5, blockCount: 1 }]);
  // Rolled back to 3 from there, the head reads as 3 again.
  await store.rollback(vdisk, 4, 3);
  t.deepEqual(await store.read(vdisk, 4, 0, 8 * BLOCK_BYTES), before.get(3));
  t.deepEqual(await store.diff(vdisk, 3, 4), []);
});

test('a clone rolled back copies what its snapshot read from the parent, and zeros as tombstones', async (t) => {
  const db = await (await testDirectory(t)).open();
  const store = new BlockStore({ db, requestBytesMax: MiB, rangeBytesMax: 64 * MiB });
  await store.write(layout(1, MiB, []), 1, 0, filled(2 * BLOCK_BYTES, 9));
  const parent = layout(1, MiB, [1]);
  // The clone's snapshot 1 reads block 0 (9s) and block 1 (9s) from the parent and block 2
  // as zeros; epoch 2 overwrites all three; snapshot 2 is kept.
  const cloneAtTwo = layout(2, MiB, [1], { vdisk: parent, epoch: 1 });
  await store.write(cloneAtTwo, 2, 0, filled(3 * BLOCK_BYTES, 5));
  const clone = layout(2, MiB, [1, 2], { vdisk: parent, epoch: 1 });

  await store.rollback(clone, 3, 1);
  t.deepEqual(await store.read(clone, 3, 0, 3 * BLOCK_BYTES), Uint8Array.from([...filled(2 * BLOCK_BYTES, 9), ...filled(BLOCK_BYTES, 0)]));
  t.deepEqual(await store.read(clone, 2, 0, 3 * BLOCK_BYTES), filled(3 * BLOCK_BYTES, 5));
  // The copies are the clone's own: the map shows data, and the zeroed block as a hole.
  t.deepEqual(await store.allocated(clone, 3, 0, 4 * BLOCK_BYTES), [
    { offsetBytes: 0, lengthBytes: 2 * BLOCK_BYTES, kind: 'data' },
    { offsetBytes: 2 * BLOCK_BYTES, lengthBytes: 2 * BLOCK_BYTES, kind: 'hole' },
  ]);
  t.deepEqual(await store.diff(clone, 2, 3), [{ firstBlockIndex: 0, blockCount: 3 }]);
});

test('a rollback cut short by a crash survives a restart as an intent and finishes when run again', async (t) => {
  // Snapshots 1 and 2, head 3; in batches of one block, the rollback to 1 commits 5 batches
  // in its first phase, 4 in its second and the intent's deletion last: cut it after each.
  const vdisk = layout(4, MiB, [1, 2]);
  for (const crashAfter of [0, 1, 4, 5, 6, 8, 9]) {
    const directory = await testDirectory(t);
    let db = await directory.open();
    const crashing = new InterruptibleStore({ db, requestBytesMax: MiB, rangeBytesMax: 64 * MiB, batchBlocksMax: 1 });
    await crashing.write(layout(4, MiB, []), 1, 0, filled(8 * BLOCK_BYTES, 1));
    await crashing.write(layout(4, MiB, [1]), 2, 2 * BLOCK_BYTES, filled(4 * BLOCK_BYTES, 2));
    await crashing.write(vdisk, 3, 0, filled(3 * BLOCK_BYTES, 3));
    await crashing.trim(vdisk, 3, 5 * BLOCK_BYTES, 2 * BLOCK_BYTES);
    const snapshotOne = await crashing.read(vdisk, 1, 0, 16 * BLOCK_BYTES);
    const snapshotTwo = await crashing.read(vdisk, 2, 0, 16 * BLOCK_BYTES);
    crashing.commitsBeforeCrash = crashAfter;
    await t.throwsAsync(crashing.rollback(vdisk, 3, 1), { instanceOf: SimulatedCrash }, `crash after ${crashAfter} batches`);

    await db.close();
    db = await directory.open();
    const restarted = new InterruptibleStore({ db, requestBytesMax: MiB, rangeBytesMax: 64 * MiB, batchBlocksMax: 1 });
    t.deepEqual(await restarted.interruptedRollbacks(), [{ vdiskId: 4, headEpoch: 3, snapshotEpoch: 1 }]);
    await restarted.rollback(vdisk, 3, 1);
    t.deepEqual(await restarted.interruptedRollbacks(), []);
    t.deepEqual(await restarted.read(vdisk, 3, 0, 16 * BLOCK_BYTES), snapshotOne, `head after a crash after ${crashAfter} batches`);
    t.deepEqual(await restarted.read(vdisk, 2, 0, 16 * BLOCK_BYTES), snapshotTwo);
    t.deepEqual(await restarted.read(vdisk, 1, 0, 16 * BLOCK_BYTES), snapshotOne);
    t.deepEqual(await restarted.diff(vdisk, 2, 3), [{ firstBlockIndex: 2, blockCount: 4 }]);
    t.deepEqual(await restarted.diff(vdisk, 1, 3), [{ firstBlockIndex: 2, blockCount: 4 }]);

    // Run once more on a finished rollback: the same rows, the same reads. It redoes the
    // 4 copies (deleted in phase one, written again in phase two), in 4 + 4 + 1 batches.
    const rows = await rowCount(db);
    const commits = restarted.commits;
    await restarted.rollback(vdisk, 3, 1);
    t.is(await rowCount(db), rows);
    t.deepEqual(await restarted.read(vdisk, 3, 0, 16 * BLOCK_BYTES), snapshotOne);
    t.is(restarted.commits - commits, 9);
  }
});

test('a rollback of a 1 TiB vDisk with 3 changed blocks reads a handful of rows', async (t) => {
  const db = await (await testDirectory(t)).open();
  const store = new BlockStore({ db, requestBytesMax: MiB, rangeBytesMax: 64 * MiB });
  await store.write(layout(1, TiB, []), 1, 0, filled(16 * BLOCK_BYTES, 1));
  const vdisk = layout(1, TiB, [1]);
  await store.write(vdisk, 2, 3 * BLOCK_BYTES, filled(BLOCK_BYTES, 2));
  await store.write(vdisk, 2, TiB / 2, filled(BLOCK_BYTES, 2));
  await store.trim(vdisk, 2, 10 * BLOCK_BYTES, BLOCK_BYTES);
  const blockRows = store.counters.blockRowsScanned;
  const changeRows = store.counters.changeRowsScanned;
  await store.rollback(vdisk, 2, 1);
  const rowsRead = store.counters.blockRowsScanned - blockRows + store.counters.changeRowsScanned - changeRows;
  t.log(`rollback of 3 changed blocks on a 1 TiB vDisk read ${rowsRead} rows`);
  // 3 change rows, and each block's versions above the snapshot (one each).
  t.true(rowsRead <= 8, `${rowsRead} rows`);
  t.deepEqual(await store.read(vdisk, 2, 0, 16 * BLOCK_BYTES), filled(16 * BLOCK_BYTES, 1));
  t.deepEqual(await store.read(vdisk, 2, TiB / 2, BLOCK_BYTES), filled(BLOCK_BYTES, 0));
});

test('writes issued during a rollback land after it', async (t) => {
  const db = await (await testDirectory(t)).open();
  const store = new BlockStore({ db, requestBytesMax: MiB, rangeBytesMax: 64 * MiB, batchBlocksMax: 1 });
  await store.write(layout(1, MiB, []), 1, 0, filled(8 * BLOCK_BYTES, 1));
  const vdisk = layout(1, MiB, [1]);
  await store.write(vdisk, 2, 0, filled(8 * BLOCK_BYTES, 2));
  const rollback = store.rollback(vdisk, 2, 1);
  const write = store.write(vdisk, 2, 7 * BLOCK_BYTES, filled(BLOCK_BYTES, 3));
  await Promise.all([rollback, write]);
  t.deepEqual(await store.read(vdisk, 2, 0, 8 * BLOCK_BYTES), Uint8Array.from([...filled(7 * BLOCK_BYTES, 1), ...filled(BLOCK_BYTES, 3)]));
});

test('a rollback to an epoch that is not a snapshot, or from one that is not the head, is refused', async (t) => {
  const db = await (await testDirectory(t)).open();
  const store = new BlockStore({ db, requestBytesMax: MiB, rangeBytesMax: 64 * MiB });
  const vdisk = layout(1, MiB, [1, 3]);
  const codeOf = async (promise: Promise<unknown>): Promise<string | undefined> => (await t.throwsAsync(promise, { instanceOf: VstorError }))?.code;
  t.is(await codeOf(store.rollback(vdisk, 4, 2)), 'INVALID_ARGUMENT');
  t.is(await codeOf(store.rollback(vdisk, 3, 1)), 'FAILED_PRECONDITION');
  t.is(await codeOf(store.rollback(vdisk, 4, -1)), 'INVALID_ARGUMENT');
  t.deepEqual(await store.interruptedRollbacks(), []);
  t.is(await rowCount(db), 0);
});
