// What the block store promises, one property per test (DESIGN.md "vDisks", issue 4 "Block
// engine"): thin vDisks read zeros where nothing was written; any byte range can be written,
// unaligned edges included; a snapshot is an epoch bump after which the old epoch still reads
// the old data; trim hides data at the head only, and gives space back when no snapshot
// needs it; a damaged block is CORRUPTION, never silent; a diff reads only the change index
// rows of what changed; a clone reads through to its parent; bad input is refused.

import test from 'ava';
import type { ExecutionContext } from 'ava';
import { ClassicLevel } from 'classic-level';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VstorError } from '../../storage-engine/errors.ts';
import type { CorruptionLocation, VDiskLayout } from '../../storage-engine/vdisk/block-store.ts';
import { BlockStore } from '../../storage-engine/vdisk/block-store.ts';
import { BLOCK_BYTES, blockKey } from '../../storage-engine/vdisk/keys.ts';

const KiB = 1024;
const MiB = 1024 * KiB;
const TiB = 1024 * 1024 * MiB;

async function openStore(t: ExecutionContext): Promise<{ store: BlockStore; db: ClassicLevel<Uint8Array, Uint8Array> }> {
  const directory = await mkdtemp(join(tmpdir(), 'vstor-vdisk-'));
  const db = new ClassicLevel<Uint8Array, Uint8Array>(directory, { keyEncoding: 'view', valueEncoding: 'view' });
  await db.open();
  t.teardown(async () => {
    await db.close();
    await rm(directory, { recursive: true, force: true });
  });
  return { store: new BlockStore({ db, requestBytesMax: 1 * MiB, rangeBytesMax: 2 * TiB }), db };
}

function pattern(lengthBytes: number, seed: number): Uint8Array {
  const bytes = new Uint8Array(lengthBytes);
  for (let index = 0; index < lengthBytes; index++) bytes[index] = (index * 31 + seed * 17 + 1) & 0xff || 1;
  return bytes;
}

async function countKeys(db: ClassicLevel<Uint8Array, Uint8Array>, prefix: number): Promise<number> {
  let count = 0;
  for await (const key of db.keys({ gte: Uint8Array.of(prefix), lt: Uint8Array.of(prefix + 1) })) {
    if (key.length > 0) count++;
  }
  return count;
}

const BLOCK_PREFIX = 0x62;

test('a new 1 TiB vDisk stores nothing and reads zeros everywhere', async (t) => {
  const { store, db } = await openStore(t);
  const vdisk: VDiskLayout = { id: 1, sizeBytes: 1 * TiB, snapshotEpochs: [] };
  t.deepEqual(await store.read(vdisk, 1, 0, 64 * KiB), new Uint8Array(64 * KiB));
  t.deepEqual(await store.read(vdisk, 1, 1 * TiB - 5000, 5000), new Uint8Array(5000));
  t.deepEqual(await store.allocated(vdisk, 1, 0, 1 * TiB), [{ offsetBytes: 0, lengthBytes: 1 * TiB, kind: 'hole' }]);
  t.is(await countKeys(db, BLOCK_PREFIX), 0);
});

test('an unaligned write across block boundaries keeps the bytes around it', async (t) => {
  const { store } = await openStore(t);
  const vdisk: VDiskLayout = { id: 1, sizeBytes: 1 * MiB, snapshotEpochs: [] };
  const expected = new Uint8Array(6 * BLOCK_BYTES);
  const background = pattern(6 * BLOCK_BYTES, 1);
  await store.write(vdisk, 1, 0, background);
  expected.set(background);
  // From the middle of block 0 to the middle of block 3: two partial edges, two whole blocks.
  const middle = pattern(3 * BLOCK_BYTES + 100, 2);
  await store.write(vdisk, 1, 4000, middle);
  expected.set(middle, 4000);
  // Inside one block, touching neither edge.
  const inside = pattern(10, 3);
  await store.write(vdisk, 1, 5 * BLOCK_BYTES + 7, inside);
  expected.set(inside, 5 * BLOCK_BYTES + 7);
  t.deepEqual(await store.read(vdisk, 1, 0, 6 * BLOCK_BYTES), expected);
  t.deepEqual(await store.read(vdisk, 1, 3999, 3), expected.subarray(3999, 4002));
});

test('a snapshot closes an epoch: its reads keep the old data while the head moves on', async (t) => {
  const { store } = await openStore(t);
  const epoch1: VDiskLayout = { id: 1, sizeBytes: 1 * MiB, snapshotEpochs: [] };
  const first = pattern(3 * BLOCK_BYTES, 1);
  await store.write(epoch1, 1, 0, first);
  const epoch2: VDiskLayout = { ...epoch1, snapshotEpochs: [1] };
  const second = pattern(BLOCK_BYTES + 10, 2);
  await store.write(epoch2, 2, 100, second);
  const epoch3: VDiskLayout = { ...epoch1, snapshotEpochs: [1, 2] };
  await store.write(epoch3, 3, 8 * BLOCK_BYTES, pattern(BLOCK_BYTES, 3));

  t.deepEqual(await store.read(epoch3, 1, 0, 3 * BLOCK_BYTES), first);
  const atTwo = Uint8Array.from(first);
  atTwo.set(second, 100);
  t.deepEqual(await store.read(epoch3, 2, 0, 3 * BLOCK_BYTES), atTwo);
  t.deepEqual(await store.read(epoch3, 2, 8 * BLOCK_BYTES, BLOCK_BYTES), new Uint8Array(BLOCK_BYTES));
  t.deepEqual(await store.read(epoch3, 3, 8 * BLOCK_BYTES, BLOCK_BYTES), pattern(BLOCK_BYTES, 3));
  await t.throwsAsync(store.write(epoch3, 2, 0, pattern(10, 4)), { instanceOf: VstorError, message: /read-only/ });
});

test('trim hides data at the head but not in an older epoch, and frees what no snapshot needs', async (t) => {
  const { store, db } = await openStore(t);
  const unsnapshotted: VDiskLayout = { id: 1, sizeBytes: 1 * MiB, snapshotEpochs: [] };
  await store.write(unsnapshotted, 1, 0, pattern(4 * BLOCK_BYTES, 1));
  const snapshotted: VDiskLayout = { ...unsnapshotted, snapshotEpochs: [1] };
  await store.write(snapshotted, 2, 0, pattern(4 * BLOCK_BYTES, 2));
  // Blocks 1 and 2 whole, block 0 and 3 partly.
  await store.trim(snapshotted, 2, 100, 3 * BLOCK_BYTES);

  const head = pattern(4 * BLOCK_BYTES, 2);
  head.fill(0, 100, 100 + 3 * BLOCK_BYTES);
  t.deepEqual(await store.read(snapshotted, 2, 0, 4 * BLOCK_BYTES), head);
  t.deepEqual(await store.read(snapshotted, 1, 0, 4 * BLOCK_BYTES), pattern(4 * BLOCK_BYTES, 1));
  // Epoch 2's versions of blocks 1 and 2 were read by nobody else: deleted, and the
  // tombstones in their place hide epoch 1's data from the head.
  t.is(store.counters.versionsReclaimed, 2);
  t.deepEqual(await store.allocated(snapshotted, 2, 0, 4 * BLOCK_BYTES), [
    { offsetBytes: 0, lengthBytes: BLOCK_BYTES, kind: 'data' },
    { offsetBytes: BLOCK_BYTES, lengthBytes: 2 * BLOCK_BYTES, kind: 'hole' },
    { offsetBytes: 3 * BLOCK_BYTES, lengthBytes: BLOCK_BYTES, kind: 'data' },
  ]);

  // Without a snapshot, write-zeroes gives the space back: no key is left for the blocks.
  const other: VDiskLayout = { id: 2, sizeBytes: 1 * MiB, snapshotEpochs: [] };
  const before = await countKeys(db, BLOCK_PREFIX);
  await store.write(other, 1, 0, pattern(8 * BLOCK_BYTES, 5));
  await store.writeZeroes(other, 1, 0, 8 * BLOCK_BYTES);
  t.is(await countKeys(db, BLOCK_PREFIX), before);
  t.deepEqual(await store.read(other, 1, 0, 8 * BLOCK_BYTES), new Uint8Array(8 * BLOCK_BYTES));
});

test('a flipped byte in a stored block is CORRUPTION naming the vDisk and block, counted and reported', async (t) => {
  const { db } = await openStore(t);
  const reported: CorruptionLocation[] = [];
  const store = new BlockStore({ db, requestBytesMax: 1 * MiB, rangeBytesMax: 2 * TiB, onCorruption: (location) => reported.push(location) });
  const vdisk: VDiskLayout = { id: 7, sizeBytes: 1 * MiB, snapshotEpochs: [] };
  await store.write(vdisk, 1, 0, pattern(4 * BLOCK_BYTES, 1));
  // Damage the record the way a failing disk would, underneath the store.
  const key = blockKey(7, 3, 1);
  const value = Uint8Array.from((await db.get(key))!);
  value[2000] = value[2000]! ^ 0x10;
  await db.put(key, value);

  const error = await t.throwsAsync(store.read(vdisk, 1, 0, 4 * BLOCK_BYTES), { instanceOf: VstorError });
  t.is(error?.code, 'CORRUPTION');
  t.regex(error?.message ?? '', /vdisk 7 block 3 epoch 1/);
  t.is(store.counters.corruptBlocks, 1);
  t.deepEqual(reported, [{ vdiskId: 7, blockIndex: 3, epoch: 1 }]);
  // The undamaged blocks still read, and an edge write over the bad block fails rather than
  // spreading the damage.
  t.deepEqual(await store.read(vdisk, 1, 0, BLOCK_BYTES), pattern(BLOCK_BYTES, 1));
  await t.throwsAsync(store.write(vdisk, 1, 3 * BLOCK_BYTES + 1, pattern(10, 2)), { instanceOf: VstorError, message: /checksum/ });
  t.is(store.counters.corruptBlocks, 2);
  t.is(reported.length, 2);
  // An allocation map looks at record kinds only, not payloads: it neither fails nor counts.
  t.deepEqual(await store.allocated(vdisk, 1, 0, 4 * BLOCK_BYTES), [{ offsetBytes: 0, lengthBytes: 4 * BLOCK_BYTES, kind: 'data' }]);
  t.is(store.counters.corruptBlocks, 2);
});

test('a record moved under another key fails its checksum too', async (t) => {
  const { store, db } = await openStore(t);
  const vdisk: VDiskLayout = { id: 1, sizeBytes: 1 * MiB, snapshotEpochs: [] };
  await store.write(vdisk, 1, 0, pattern(BLOCK_BYTES, 1));
  await db.put(blockKey(1, 5, 1), (await db.get(blockKey(1, 0, 1)))!);
  await t.throwsAsync(store.read(vdisk, 1, 5 * BLOCK_BYTES, BLOCK_BYTES), { instanceOf: VstorError, message: /vdisk 1 block 5/ });
});

test('diff over a 1 TiB vDisk with 3 changed blocks reads 3 index rows', async (t) => {
  const { store } = await openStore(t);
  const epoch1: VDiskLayout = { id: 1, sizeBytes: 1 * TiB, snapshotEpochs: [] };
  await store.write(epoch1, 1, 0, pattern(16 * BLOCK_BYTES, 1));
  const epoch2: VDiskLayout = { ...epoch1, snapshotEpochs: [1] };
  await store.write(epoch2, 2, 5 * BLOCK_BYTES + 10, pattern(20, 2));
  await store.write(epoch2, 2, 5 * BLOCK_BYTES + 100, pattern(20, 3));
  await store.write(epoch2, 2, 500 * 1024 * MiB, pattern(BLOCK_BYTES, 4));
  const epoch3: VDiskLayout = { ...epoch1, snapshotEpochs: [1, 2] };
  await store.trim(epoch3, 3, 3 * BLOCK_BYTES, BLOCK_BYTES);
  // Trimming a hole changes nothing, so it leaves no trace in the index.
  await store.trim(epoch3, 3, 1 * TiB - BLOCK_BYTES, BLOCK_BYTES);

  const before = store.counters.changeRowsScanned;
  const changed = await store.diff(epoch3, 1, 3);
  t.deepEqual(changed, [
    { firstBlockIndex: 3, blockCount: 1 },
    { firstBlockIndex: 5, blockCount: 1 },
    { firstBlockIndex: (500 * 1024 * MiB) / BLOCK_BYTES, blockCount: 1 },
  ]);
  t.is(store.counters.changeRowsScanned - before, 3);
  t.log(`diff of 3 changed blocks on a 1 TiB vDisk scanned ${store.counters.changeRowsScanned - before} index rows`);
  t.deepEqual(await store.diff(epoch3, 0, 1), [{ firstBlockIndex: 0, blockCount: 16 }]);
  t.deepEqual(await store.diff(epoch3, 2, 2), []);
});

test('a clone reads through to its parent snapshot until it writes or trims its own blocks', async (t) => {
  const { store } = await openStore(t);
  const parentAtOne: VDiskLayout = { id: 1, sizeBytes: 1 * MiB, snapshotEpochs: [] };
  await store.write(parentAtOne, 1, 0, pattern(4 * BLOCK_BYTES, 1));
  const parent: VDiskLayout = { ...parentAtOne, snapshotEpochs: [1] };
  await store.write(parent, 2, 0, pattern(4 * BLOCK_BYTES, 2));
  const clone: VDiskLayout = { id: 2, sizeBytes: 2 * MiB, snapshotEpochs: [], parent: { vdisk: parent, epoch: 1 } };

  t.deepEqual(await store.read(clone, 1, 0, 4 * BLOCK_BYTES), pattern(4 * BLOCK_BYTES, 1));
  t.deepEqual(await store.read(clone, 1, 1 * MiB, BLOCK_BYTES), new Uint8Array(BLOCK_BYTES));
  await store.write(clone, 1, BLOCK_BYTES + 10, pattern(5, 3));
  await store.trim(clone, 1, 2 * BLOCK_BYTES, BLOCK_BYTES);
  const expected = pattern(4 * BLOCK_BYTES, 1);
  expected.set(pattern(5, 3), BLOCK_BYTES + 10);
  expected.fill(0, 2 * BLOCK_BYTES, 3 * BLOCK_BYTES);
  t.deepEqual(await store.read(clone, 1, 0, 4 * BLOCK_BYTES), expected);
  t.deepEqual(await store.read(parent, 1, 0, 4 * BLOCK_BYTES), pattern(4 * BLOCK_BYTES, 1));
  t.deepEqual(await store.allocated(clone, 1, 0, 8 * BLOCK_BYTES), [
    { offsetBytes: 0, lengthBytes: 2 * BLOCK_BYTES, kind: 'data' },
    { offsetBytes: 2 * BLOCK_BYTES, lengthBytes: BLOCK_BYTES, kind: 'hole' },
    { offsetBytes: 3 * BLOCK_BYTES, lengthBytes: BLOCK_BYTES, kind: 'data' },
    { offsetBytes: 4 * BLOCK_BYTES, lengthBytes: 4 * BLOCK_BYTES, kind: 'hole' },
  ]);
  t.deepEqual(await store.allocated(clone, 1, BLOCK_BYTES, 4 * BLOCK_BYTES), [
    { offsetBytes: BLOCK_BYTES, lengthBytes: BLOCK_BYTES, kind: 'data' },
    { offsetBytes: 2 * BLOCK_BYTES, lengthBytes: BLOCK_BYTES, kind: 'hole' },
    { offsetBytes: 3 * BLOCK_BYTES, lengthBytes: BLOCK_BYTES, kind: 'data' },
    { offsetBytes: 4 * BLOCK_BYTES, lengthBytes: BLOCK_BYTES, kind: 'hole' },
  ]);
  t.deepEqual(await store.diff(clone, 0, 1), [{ firstBlockIndex: 1, blockCount: 2 }]);
});

test('one read of many blocks takes each from its own newest epoch and layer in one multi-get and one scan', async (t) => {
  // Block 0: written in the read epoch itself; 1: only in an older epoch; 2: older data and
  // a version newer than the read epoch (a snapshot read must not see it); 3: trimmed in an
  // older epoch over the parent's data; 4: only in the parent; 5: nowhere. Then the same
  // blocks one at a time, which take the point-lookup path.
  const { store } = await openStore(t);
  const parent: VDiskLayout = { id: 1, sizeBytes: 1 * MiB, snapshotEpochs: [1] };
  await store.write({ ...parent, snapshotEpochs: [] }, 1, 0, pattern(5 * BLOCK_BYTES, 9));
  const clone = (snapshotEpochs: number[]): VDiskLayout => ({ id: 2, sizeBytes: 1 * MiB, snapshotEpochs, parent: { vdisk: parent, epoch: 1 } });
  await store.write(clone([]), 1, BLOCK_BYTES, pattern(2 * BLOCK_BYTES, 1));
  await store.trim(clone([]), 1, 3 * BLOCK_BYTES, BLOCK_BYTES);
  await store.write(clone([1]), 2, 0, pattern(BLOCK_BYTES, 2));
  await store.write(clone([1, 2]), 3, 2 * BLOCK_BYTES, pattern(BLOCK_BYTES, 3));

  const expected = new Uint8Array(6 * BLOCK_BYTES);
  expected.set(pattern(BLOCK_BYTES, 2), 0);
  expected.set(pattern(2 * BLOCK_BYTES, 1), BLOCK_BYTES);
  expected.set(pattern(5 * BLOCK_BYTES, 9).subarray(4 * BLOCK_BYTES), 4 * BLOCK_BYTES);
  const rowsBefore = store.counters.blockRowsScanned;
  t.deepEqual(await store.read(clone([1, 2]), 2, 0, 6 * BLOCK_BYTES), expected, 'the snapshot at epoch 2');
  t.is(store.counters.blockRowsScanned - rowsBefore, 6, 'the 5 versions read, and block 2\'s newer one that the scan passes');
  for (let blockIndex = 0; blockIndex < 6; blockIndex++) {
    const one = await store.read(clone([1, 2]), 2, blockIndex * BLOCK_BYTES, BLOCK_BYTES);
    t.deepEqual(one, expected.slice(blockIndex * BLOCK_BYTES, (blockIndex + 1) * BLOCK_BYTES), `block ${blockIndex} alone`);
  }
  const atHead = Uint8Array.from(expected);
  atHead.set(pattern(BLOCK_BYTES, 3), 2 * BLOCK_BYTES);
  t.deepEqual(await store.read(clone([1, 2]), 3, 0, 6 * BLOCK_BYTES), atHead, 'the head sees the newest version');
  t.deepEqual(await store.read(clone([1, 2]), 3, 100, 5 * BLOCK_BYTES), atHead.slice(100, 100 + 5 * BLOCK_BYTES), 'unaligned');
});

test('out-of-range and oversized requests are refused with nothing written', async (t) => {
  const { store, db } = await openStore(t);
  const vdisk: VDiskLayout = { id: 1, sizeBytes: 10 * BLOCK_BYTES + 1, snapshotEpochs: [] };
  const codeOf = async (promise: Promise<unknown>): Promise<string | undefined> => (await t.throwsAsync(promise, { instanceOf: VstorError }))?.code;
  t.is(await codeOf(store.write(vdisk, 1, 10 * BLOCK_BYTES, pattern(2, 1))), 'OUT_OF_RANGE');
  t.is(await codeOf(store.read(vdisk, 1, 0, 10 * BLOCK_BYTES + 2)), 'OUT_OF_RANGE');
  t.is(await codeOf(store.trim(vdisk, 1, 11 * BLOCK_BYTES, 0)), 'OUT_OF_RANGE');
  t.is(await codeOf(store.read(vdisk, 1, -1, 1)), 'INVALID_ARGUMENT');
  t.is(await codeOf(store.read(vdisk, 1, 0.5, 1)), 'INVALID_ARGUMENT');
  const big: VDiskLayout = { id: 2, sizeBytes: 4 * MiB, snapshotEpochs: [] };
  t.is(await codeOf(store.write(big, 1, 0, new Uint8Array(1 * MiB + 1))), 'INVALID_ARGUMENT');
  t.is(await codeOf(store.read(big, 1, 0, 1 * MiB + 1)), 'INVALID_ARGUMENT');
  t.is(await codeOf(store.diff(big, 3, 2)), 'INVALID_ARGUMENT');
  t.is(await codeOf(store.write(big, 0, 0, pattern(1, 1))), 'INVALID_ARGUMENT');
  t.is(await codeOf(store.write({ id: -1, sizeBytes: MiB, snapshotEpochs: [] }, 1, 0, pattern(1, 1))), 'INVALID_ARGUMENT');
  t.is(await codeOf(store.write({ id: 1, sizeBytes: 17 * TiB, snapshotEpochs: [] }, 1, 0, pattern(1, 1))), 'INVALID_ARGUMENT');
  const looped: { id: number; sizeBytes: number; snapshotEpochs: number[]; parent?: { vdisk: VDiskLayout; epoch: number } } = { id: 3, sizeBytes: MiB, snapshotEpochs: [] };
  looped.parent = { vdisk: { id: 4, sizeBytes: MiB, snapshotEpochs: [1], parent: { vdisk: looped, epoch: 1 } }, epoch: 1 };
  t.is(await codeOf(store.read(looped, 1, 0, 1)), 'INVALID_ARGUMENT');
  t.is(await countKeys(db, BLOCK_PREFIX), 0);
  // The last, partial block of an odd-sized vDisk is usable up to its last byte.
  await store.write(vdisk, 1, 10 * BLOCK_BYTES, pattern(1, 9));
  t.deepEqual(await store.read(vdisk, 1, 10 * BLOCK_BYTES, 1), pattern(1, 9));
});

test('flush and forced-unit-access writes resolve with the data readable after a reopen', async (t) => {
  const { store, db } = await openStore(t);
  const vdisk: VDiskLayout = { id: 1, sizeBytes: 1 * MiB, snapshotEpochs: [] };
  await store.write(vdisk, 1, 0, pattern(BLOCK_BYTES, 1));
  await store.flush();
  await store.write(vdisk, 1, BLOCK_BYTES, pattern(BLOCK_BYTES, 2), { sync: true });
  await store.flush();
  await db.close();
  await t.throwsAsync(store.read(vdisk, 1, 0, 1), { instanceOf: VstorError, message: /closed/ });
  await db.open();
  t.deepEqual(await store.read(vdisk, 1, 0, 2 * BLOCK_BYTES), Uint8Array.from([...pattern(BLOCK_BYTES, 1), ...pattern(BLOCK_BYTES, 2)]));
});

test('a flush with nothing unsynced since the last sync writes nothing; one after an unsynced write syncs', async (t) => {
  const { store } = await openStore(t);
  const vdisk: VDiskLayout = { id: 1, sizeBytes: 1 * MiB, snapshotEpochs: [] };
  await store.flush();
  t.is(store.counters.flushesSkipped, 1, 'nothing written since open');
  await store.write(vdisk, 1, 0, pattern(BLOCK_BYTES, 1));
  await store.flush();
  t.is(store.counters.flushesSkipped, 1, 'an unsynced write must be synced');
  await store.flush();
  t.is(store.counters.flushesSkipped, 2, 'the previous flush synced it');
  await store.write(vdisk, 1, 0, pattern(BLOCK_BYTES, 2));
  await store.write(vdisk, 1, BLOCK_BYTES, pattern(BLOCK_BYTES, 3), { sync: true });
  await store.flush();
  t.is(store.counters.flushesSkipped, 3, 'a forced-unit-access write synced every write that landed before it');
  await store.trim(vdisk, 1, 0, BLOCK_BYTES);
  await store.flush();
  t.is(store.counters.flushesSkipped, 3, 'a trim is a write like any other');
});

test('concurrent unaligned writes to one block are serialised, none lost', async (t) => {
  const { store } = await openStore(t);
  const vdisk: VDiskLayout = { id: 1, sizeBytes: 1 * MiB, snapshotEpochs: [] };
  const expected = new Uint8Array(BLOCK_BYTES);
  const writes: Array<Promise<void>> = [];
  for (let index = 0; index < 32; index++) {
    const bytes = pattern(16, index + 1);
    expected.set(bytes, index * 100);
    writes.push(store.write(vdisk, 1, index * 100, bytes));
  }
  await Promise.all(writes);
  t.deepEqual(await store.read(vdisk, 1, 0, BLOCK_BYTES), expected);
});

/** Counts the database's batches: what group commit saves. */
function countBatches(db: ClassicLevel<Uint8Array, Uint8Array>): { count: number } {
  const counter = { count: 0 };
  const batch = db.batch.bind(db) as (...args: unknown[]) => Promise<void>;
  (db as unknown as { batch: (...args: unknown[]) => Promise<void> }).batch = (...args: unknown[]) => {
    counter.count++;
    return batch(...args);
  };
  return counter;
}

test('concurrent whole-block writes share batches, and the last call for a block wins', async (t) => {
  const { store, db } = await openStore(t);
  const batches = countBatches(db);
  const vdisk: VDiskLayout = { id: 1, sizeBytes: 1 * MiB, snapshotEpochs: [] };
  const writes: Array<Promise<void>> = [];
  for (let index = 0; index < 64; index++) writes.push(store.write(vdisk, 1, (index % 16) * BLOCK_BYTES, pattern(BLOCK_BYTES, index + 1)));
  await Promise.all(writes);
  t.true(batches.count < 64, `${batches.count} batches for 64 writes`);
  for (let blockIndex = 0; blockIndex < 16; blockIndex++) {
    t.deepEqual(await store.read(vdisk, 1, blockIndex * BLOCK_BYTES, BLOCK_BYTES), pattern(BLOCK_BYTES, 48 + blockIndex + 1), `block ${blockIndex}`);
  }
  t.deepEqual(await store.diff(vdisk, 0, 1), [{ firstBlockIndex: 0, blockCount: 16 }]);
});

test('a write group takes no write called after another kind of mutation of the vDisk', async (t) => {
  // Whole, unaligned, whole, trim, whole, all on block 0 and in flight at once: they apply
  // in call order, so the unaligned write sees the first whole write, and the last wins.
  const { store } = await openStore(t);
  const vdisk: VDiskLayout = { id: 1, sizeBytes: 1 * MiB, snapshotEpochs: [] };
  const first = store.write(vdisk, 1, 0, pattern(BLOCK_BYTES, 1));
  const edge = store.write(vdisk, 1, 100, pattern(10, 2));
  const second = store.write(vdisk, 1, 0, pattern(BLOCK_BYTES, 3));
  const trimmed = store.trim(vdisk, 1, 0, BLOCK_BYTES);
  await Promise.all([first, edge, second, trimmed]);
  t.deepEqual(await store.read(vdisk, 1, 0, BLOCK_BYTES), new Uint8Array(BLOCK_BYTES), 'the trim came last');

  const again = [store.write(vdisk, 1, 0, pattern(BLOCK_BYTES, 1)), store.write(vdisk, 1, 100, pattern(10, 2)), store.write(vdisk, 1, 200, pattern(BLOCK_BYTES, 3))];
  const expected = new Uint8Array(2 * BLOCK_BYTES);
  expected.set(pattern(BLOCK_BYTES, 1));
  expected.set(pattern(10, 2), 100);
  expected.set(pattern(BLOCK_BYTES, 3), 200);
  await Promise.all(again);
  t.deepEqual(await store.read(vdisk, 1, 0, 2 * BLOCK_BYTES), expected, 'the unaligned writes saw the whole one before them');
  const last = [store.write(vdisk, 1, 0, pattern(BLOCK_BYTES, 4)), store.write(vdisk, 1, 50, pattern(10, 5)), store.write(vdisk, 1, 0, pattern(BLOCK_BYTES, 6))];
  await Promise.all(last);
  t.deepEqual(await store.read(vdisk, 1, 0, BLOCK_BYTES), pattern(BLOCK_BYTES, 6), 'the whole write called last wins over the edge write before it');
});

test('a clone smaller than its parent ends where it ends, even under a larger grandchild', async (t) => {
  const { store } = await openStore(t);
  await store.write({ id: 1, sizeBytes: 1 * MiB, snapshotEpochs: [] }, 1, 0, pattern(8 * BLOCK_BYTES, 1));
  const grandparent: VDiskLayout = { id: 1, sizeBytes: 1 * MiB, snapshotEpochs: [1] };
  const parent: VDiskLayout = { id: 2, sizeBytes: 2 * BLOCK_BYTES, snapshotEpochs: [1], parent: { vdisk: grandparent, epoch: 1 } };
  const child: VDiskLayout = { id: 3, sizeBytes: 1 * MiB, snapshotEpochs: [], parent: { vdisk: parent, epoch: 1 } };
  // Blocks 2-7 of the grandparent are past the parent's end: the child reads zeros there.
  const expected = new Uint8Array(8 * BLOCK_BYTES);
  expected.set(pattern(2 * BLOCK_BYTES, 1));
  t.deepEqual(await store.read(child, 1, 0, 8 * BLOCK_BYTES), expected);
  t.deepEqual(await store.allocated(child, 1, 0, 8 * BLOCK_BYTES), [
    { offsetBytes: 0, lengthBytes: 2 * BLOCK_BYTES, kind: 'data' },
    { offsetBytes: 2 * BLOCK_BYTES, lengthBytes: 6 * BLOCK_BYTES, kind: 'hole' },
  ]);
});
