// What purge and vdiskIds promise: purge deletes every row of one vDisk (versions, change
// rows, a rollback intent) in bounded batches and nothing of any other vDisk, counts what it
// deleted, and deletes nothing the second time; vdiskIds lists exactly the vDisks that have
// rows, the highest possible id included, so the daemon can purge the ones its model forgot.

import test from 'ava';
import { VstorError } from '../../storage-engine/errors.ts';
import type { VDiskLayout } from '../../storage-engine/vdisk/block-store.ts';
import { BlockStore } from '../../storage-engine/vdisk/block-store.ts';
import { BLOCK_BYTES, VDISK_ID_MAX } from '../../storage-engine/vdisk/keys.ts';
import { InterruptibleStore, MiB, SimulatedCrash, filled, testDirectory } from './support.ts';

test('purge deletes one vDisk\'s rows in batches and leaves its neighbours alone', async (t) => {
  const db = await (await testDirectory(t)).open();
  const store = new InterruptibleStore({ db, requestBytesMax: MiB, rangeBytesMax: 64 * MiB, batchBlocksMax: 3 });
  for (const id of [4, 5, 6]) {
    await store.write({ id, sizeBytes: MiB, snapshotEpochs: [] }, 1, 0, filled(4 * BLOCK_BYTES, id));
    await store.write({ id, sizeBytes: MiB, snapshotEpochs: [1] }, 2, 0, filled(2 * BLOCK_BYTES, id + 10));
  }
  t.deepEqual(await store.vdiskIds(), [4, 5, 6]);
  const commits = store.commits;
  // 6 versions and 6 change rows.
  t.is(await store.purge(5), 12);
  t.is(store.commits - commits, 12 / 3, 'batches of 3 rows');
  t.is(await store.purge(5), 0);
  t.deepEqual(await store.vdiskIds(), [4, 6]);
  for (const id of [4, 6]) {
    t.deepEqual(await store.read({ id, sizeBytes: MiB, snapshotEpochs: [1] }, 2, 0, 4 * BLOCK_BYTES), Uint8Array.from([...filled(2 * BLOCK_BYTES, id + 10), ...filled(2 * BLOCK_BYTES, id)]));
  }
  t.deepEqual(await store.read({ id: 5, sizeBytes: MiB, snapshotEpochs: [1] }, 2, 0, 4 * BLOCK_BYTES), filled(4 * BLOCK_BYTES, 0));
});

test('a purge cut short is finished by running it again', async (t) => {
  const db = await (await testDirectory(t)).open();
  const store = new InterruptibleStore({ db, requestBytesMax: MiB, rangeBytesMax: 64 * MiB, batchBlocksMax: 2 });
  await store.write({ id: 1, sizeBytes: MiB, snapshotEpochs: [] }, 1, 0, filled(5 * BLOCK_BYTES, 1));
  store.commitsBeforeCrash = 2;
  await t.throwsAsync(store.purge(1), { instanceOf: SimulatedCrash });
  t.deepEqual(await store.vdiskIds(), [1]);
  t.is(await store.purge(1), 10 - 4);
  t.deepEqual(await store.vdiskIds(), []);
});

test('vdiskIds finds a vDisk that has only a rollback intent, and the highest id', async (t) => {
  const db = await (await testDirectory(t)).open();
  const store = new InterruptibleStore({ db, requestBytesMax: MiB, rangeBytesMax: 64 * MiB });
  const top: VDiskLayout = { id: VDISK_ID_MAX, sizeBytes: MiB, snapshotEpochs: [] };
  await store.write(top, 1, 0, filled(BLOCK_BYTES, 1));
  await store.write({ id: 0, sizeBytes: MiB, snapshotEpochs: [] }, 1, 0, filled(BLOCK_BYTES, 1));
  // A rollback of vDisk 9 that crashed at once leaves its intent and nothing else.
  store.commitsBeforeCrash = 0;
  await t.throwsAsync(store.rollback({ id: 9, sizeBytes: MiB, snapshotEpochs: [1] }, 2, 1), { instanceOf: SimulatedCrash });
  t.deepEqual(await store.vdiskIds(), [0, 9, VDISK_ID_MAX]);
  t.is(await store.purge(9), 1);
  t.deepEqual(await store.interruptedRollbacks(), []);
  t.is(await store.purge(VDISK_ID_MAX), 2);
  t.deepEqual(await store.vdiskIds(), [0]);
});

test('purge refuses an id that cannot exist', async (t) => {
  const db = await (await testDirectory(t)).open();
  const store = new BlockStore({ db, requestBytesMax: MiB, rangeBytesMax: 64 * MiB });
  for (const id of [-1, 1.5, VDISK_ID_MAX + 1]) {
    const error = await t.throwsAsync(store.purge(id), { instanceOf: VstorError });
    t.is(error?.code, 'INVALID_ARGUMENT');
  }
});
