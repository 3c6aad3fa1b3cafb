// What the scrubber promises: after a snapshot is deleted, the versions only it read are
// reclaimed and every live epoch reads as before; a corrupt version is counted and named,
// never deleted; the work goes in passes of bounded rows and the progress counts add up.

import test from 'ava';
import type { ExecutionContext } from 'ava';
import { ClassicLevel } from 'classic-level';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { VDiskLayout } from '../../storage-engine/vdisk/block-store.ts';
import { BlockStore } from '../../storage-engine/vdisk/block-store.ts';
import { BLOCK_BYTES, blockKey } from '../../storage-engine/vdisk/keys.ts';
import { Scrubber } from '../../storage-engine/vdisk/scrubber.ts';

const MiB = 1024 * 1024;

async function openStore(t: ExecutionContext): Promise<{ store: BlockStore; db: ClassicLevel<Uint8Array, Uint8Array> }> {
  const directory = await mkdtemp(join(tmpdir(), 'vstor-vdisk-scrub-'));
  const db = new ClassicLevel<Uint8Array, Uint8Array>(directory, { keyEncoding: 'view', valueEncoding: 'view' });
  await db.open();
  t.teardown(async () => {
    await db.close();
    await rm(directory, { recursive: true, force: true });
  });
  return { store: new BlockStore({ db, requestBytesMax: 1 * MiB, rangeBytesMax: 64 * MiB }), db };
}

function filled(lengthBytes: number, value: number): Uint8Array {
  return new Uint8Array(lengthBytes).fill(value);
}

async function blockKeyCount(db: ClassicLevel<Uint8Array, Uint8Array>): Promise<number> {
  let count = 0;
  for await (const _ of db.keys({ gte: Uint8Array.of(0x62), lt: Uint8Array.of(0x63) })) count++;
  return count;
}

test('after a snapshot is deleted, the scrubber reclaims what only it read and nothing else', async (t) => {
  const { store, db } = await openStore(t);
  const base: VDiskLayout = { id: 1, sizeBytes: 1 * MiB, snapshotEpochs: [] };
  // Four blocks written in each of epochs 1, 2, 3; epoch 4 is the head.
  for (let epoch = 1; epoch <= 3; epoch++) {
    const layout = { ...base, snapshotEpochs: Array.from({ length: epoch - 1 }, (_, index) => index + 1) };
    await store.write(layout, epoch, 0, filled(4 * BLOCK_BYTES, epoch));
  }
  // Block 3 trimmed at the head: a tombstone over epoch 3's data.
  await store.trim({ ...base, snapshotEpochs: [1, 2, 3] }, 4, 3 * BLOCK_BYTES, BLOCK_BYTES);
  t.is(await blockKeyCount(db), 13);

  // Snapshot 2 is deleted: live are 1, 3 and the head 4.
  const layout: VDiskLayout = { ...base, snapshotEpochs: [1, 3] };
  const scrubber = new Scrubber(store, { rowsPerPassMax: 3 });
  const report = await scrubber.scrubVDisk(layout, [1, 3, 4]);
  t.is(report.versionsReclaimed, 4);
  t.is(report.blocksScanned, 4);
  t.is(report.versionsScanned, 13);
  t.true(report.passes > 1);
  t.deepEqual(scrubber.progress, { blocksScanned: 4, versionsScanned: 13, versionsReclaimed: 4, corruptVersions: 0, passes: report.passes });
  t.is(await blockKeyCount(db), 9);
  t.deepEqual(await store.read(layout, 1, 0, 4 * BLOCK_BYTES), filled(4 * BLOCK_BYTES, 1));
  t.deepEqual(await store.read(layout, 3, 0, 4 * BLOCK_BYTES), filled(4 * BLOCK_BYTES, 3));
  t.deepEqual(await store.read(layout, 4, 0, 4 * BLOCK_BYTES), Uint8Array.from([...filled(3 * BLOCK_BYTES, 3), ...filled(BLOCK_BYTES, 0)]));

  // When only the head is left, the tombstone and everything under it go.
  const alone: VDiskLayout = { ...base, snapshotEpochs: [] };
  const second = await scrubber.scrubVDisk(alone, [4]);
  t.is(second.versionsReclaimed, 6);
  t.is(await blockKeyCount(db), 3);
  t.deepEqual(await store.read(alone, 4, 0, 4 * BLOCK_BYTES), Uint8Array.from([...filled(3 * BLOCK_BYTES, 3), ...filled(BLOCK_BYTES, 0)]));
  t.is(scrubber.progress.versionsReclaimed, 10);
});

test('a corrupt version is reported by location and left in place', async (t) => {
  const { store, db } = await openStore(t);
  const layout: VDiskLayout = { id: 9, sizeBytes: 1 * MiB, snapshotEpochs: [] };
  await store.write(layout, 1, 0, filled(2 * BLOCK_BYTES, 7));
  const key = blockKey(9, 1, 1);
  const value = Uint8Array.from((await db.get(key))!);
  value[100] = value[100]! ^ 1;
  await db.put(key, value);

  const report = await new Scrubber(store, { rowsPerPassMax: 100 }).scrubVDisk(layout, [1]);
  t.is(report.corruptVersions, 1);
  t.deepEqual(report.corruptLocations, ['vdisk 9 block 1 epoch 1']);
  t.is(report.versionsReclaimed, 0);
  t.truthy(await db.get(key));
});

test('a clone keeps the tombstones that hide its parent', async (t) => {
  const { store } = await openStore(t);
  const parent: VDiskLayout = { id: 1, sizeBytes: 1 * MiB, snapshotEpochs: [] };
  await store.write(parent, 1, 0, filled(BLOCK_BYTES, 5));
  const frozen: VDiskLayout = { ...parent, snapshotEpochs: [1] };
  const clone: VDiskLayout = { id: 2, sizeBytes: 1 * MiB, snapshotEpochs: [], parent: { vdisk: frozen, epoch: 1 } };
  await store.trim(clone, 1, 0, BLOCK_BYTES);
  const report = await new Scrubber(store, { rowsPerPassMax: 10 }).scrubVDisk(clone, [1]);
  t.is(report.versionsReclaimed, 0);
  t.deepEqual(await store.read(clone, 1, 0, BLOCK_BYTES), new Uint8Array(BLOCK_BYTES));
});

test('a scrub reclaims what deleted snapshots alone read and keeps the epochs clones hang from', async (t) => {
  // Parent: epoch 1 writes blocks 0-3, epoch 2 blocks 0-1, epoch 3 block 0; head 4. A clone
  // hangs from epoch 2. Snapshots 1 and 3 are deleted.
  const { store, db } = await openStore(t);
  for (const [epoch, blocks] of [[1, 4], [2, 2], [3, 1]] as const) {
    const layout: VDiskLayout = { id: 1, sizeBytes: MiB, snapshotEpochs: Array.from({ length: epoch - 1 }, (_, index) => index + 1) };
    await store.write(layout, epoch, 0, filled(blocks * BLOCK_BYTES, epoch));
  }
  const cloneOf = (parent: VDiskLayout): VDiskLayout => ({ id: 2, sizeBytes: MiB, snapshotEpochs: [], parent: { vdisk: parent, epoch: 2 } });
  const expectedClone = Uint8Array.from([...filled(2 * BLOCK_BYTES, 2), ...filled(2 * BLOCK_BYTES, 1)]);
  const expectedHead = Uint8Array.from([...filled(BLOCK_BYTES, 3), ...filled(BLOCK_BYTES, 2), ...filled(2 * BLOCK_BYTES, 1)]);
  t.is(await blockKeyCount(db), 7);

  // The clone's epoch is still one of the parent's snapshots (it cannot be deleted): the
  // scrub keeps it even though the caller listed only the head.
  const parent: VDiskLayout = { id: 1, sizeBytes: MiB, snapshotEpochs: [2] };
  const report = await new Scrubber(store, { rowsPerPassMax: 2 }).scrubVDisk(parent, [4]);
  // Epoch 1's versions of blocks 0 and 1 are hidden from epoch 2 on: reclaimed. Its blocks
  // 2 and 3 are what epoch 2, the clone and the head still read: kept.
  t.is(report.versionsReclaimed, 2);
  t.is(await blockKeyCount(db), 5);
  t.deepEqual(await store.read(cloneOf(parent), 1, 0, 4 * BLOCK_BYTES), expectedClone);
  t.deepEqual(await store.read(parent, 4, 0, 4 * BLOCK_BYTES), expectedHead);

  // A caller that tracks clone epochs apart from snapshots lists them as live: same result.
  const apart: VDiskLayout = { id: 1, sizeBytes: MiB, snapshotEpochs: [] };
  const again = await new Scrubber(store, { rowsPerPassMax: 2 }).scrubVDisk(apart, [2, 4]);
  t.is(again.versionsReclaimed, 0);
  t.deepEqual(await store.read(cloneOf(apart), 1, 0, 4 * BLOCK_BYTES), expectedClone);
  t.deepEqual(await store.read(apart, 4, 0, 4 * BLOCK_BYTES), expectedHead);
});
