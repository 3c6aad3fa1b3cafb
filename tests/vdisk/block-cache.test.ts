// The owner's read cache (storage-engine/vdisk/block-cache.ts): bounded, CLOCK eviction,
// the epoch rule (an entry answers head reads only), and the races that could make it serve
// stale data: a read whose lookup saw the old version finishing after a write, and a batch
// that fails. The model test (block-store-model.test.ts) runs every random step with a
// small cache as well; these pin the cases a random run may not reach.

import test from 'ava';
import type { ExecutionContext } from 'ava';
import { BlockCache } from '../../storage-engine/vdisk/block-cache.ts';
import type { BlockDatabase, VDiskLayout } from '../../storage-engine/vdisk/block-store.ts';
import { BlockStore } from '../../storage-engine/vdisk/block-store.ts';
import { BLOCK_BYTES } from '../../storage-engine/vdisk/keys.ts';
import { filled, MiB, testDirectory } from './support.ts';

function block(value: number): Uint8Array {
  return filled(BLOCK_BYTES, value);
}

test('the cache holds at most its capacity, and CLOCK keeps the blocks that are read', (t) => {
  const cache = new BlockCache(4 * BLOCK_BYTES);
  t.is(cache.capacityBlocks, 4);
  for (let index = 0; index < 4; index++) cache.wrote(1, index, 1, block(index + 1));
  t.is(cache.entries, 4);
  // Blocks 0 and 1 are read again; the next two insertions must evict 2 and 3, not them.
  t.deepEqual(cache.get(1, 0, 1), block(1));
  t.deepEqual(cache.get(1, 1, 1), block(2));
  cache.wrote(1, 10, 1, block(11));
  cache.wrote(1, 11, 1, block(12));
  t.is(cache.entries, 4);
  t.is(cache.bytes, 4 * BLOCK_BYTES);
  t.deepEqual(cache.get(1, 0, 1), block(1));
  t.deepEqual(cache.get(1, 1, 1), block(2));
  t.is(cache.get(1, 2, 1), undefined);
  t.is(cache.get(1, 3, 1), undefined);
  t.is(cache.stats.evictions, 2);
});

test('an entry answers reads at its epoch or later, never an older snapshot', (t) => {
  const cache = new BlockCache(BLOCK_BYTES * 8);
  cache.wrote(7, 3, 5, block(9));
  t.deepEqual(cache.get(7, 3, 5), block(9));
  t.deepEqual(cache.get(7, 3, 6), block(9), 'the head after a snapshot still reads the block');
  t.is(cache.get(7, 3, 4), undefined, 'a snapshot older than the write must go to the database');
  t.is(cache.get(8, 3, 5), undefined, 'another vDisk');
});

test('a fill is refused when a batch touched the block after the read began', (t) => {
  const cache = new BlockCache(BLOCK_BYTES * 8);
  const stale = cache.beginFill(1, [0, 1]);
  cache.touched(1, 0, 2);
  cache.fill(stale, 1, 0, 2, block(1));
  cache.fill(stale, 1, 1, 2, block(2));
  cache.endFill(stale, 1, [0, 1]);
  t.is(cache.get(1, 0, 2), undefined, 'block 0 was written while the read was under way');
  t.deepEqual(cache.get(1, 1, 2), block(2));
  // A read that began before a later write at a higher epoch cannot fill at its older head.
  t.false(cache.cacheable(1, 1));
  t.true(cache.cacheable(1, 2));
});

test('dropping a vDisk forgets its blocks and frees their slots', (t) => {
  const cache = new BlockCache(BLOCK_BYTES * 2);
  cache.wrote(1, 0, 1, block(1));
  cache.wrote(2, 0, 1, block(2));
  cache.dropVDisk(1);
  t.is(cache.entries, 1);
  t.is(cache.get(1, 0, 1), undefined);
  cache.wrote(3, 0, 1, block(3));
  t.is(cache.stats.evictions, 0, 'the dropped block\'s slot was free');
  t.deepEqual(cache.get(2, 0, 1), block(2));
});

test('a cache smaller than one block is refused', (t) => {
  t.throws(() => new BlockCache(BLOCK_BYTES - 1), { instanceOf: RangeError, message: /at least 4096 bytes/ });
});

interface Gate {
  promise: Promise<void>;
  open(): void;
}

interface HeldLookups {
  /** Resolves once a held lookup has its values from the database. */
  looked: Promise<void>;
  open(): void;
}

function gate(): Gate {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

/**
 * The real database behind a proxy that can hold back getMany's answers (the lookup itself
 * runs at once, so it sees the database as it is) and fail the next chained batch.
 */
function instrumented(db: BlockDatabase): { db: BlockDatabase; holdLookups(): HeldLookups; failNextBatch(): void } {
  let held: Gate | undefined;
  let looked: Gate | undefined;
  let failBatch = false;
  const proxy = new Proxy(db, {
    get(target, property) {
      if (property === 'getMany') {
        return async (keys: Uint8Array[]) => {
          const values = await target.getMany(keys);
          looked?.open();
          if (held !== undefined) await held.promise;
          return values;
        };
      }
      if (property === 'batch') {
        return (...args: unknown[]) => {
          const batch = (target.batch as (...a: unknown[]) => ReturnType<BlockDatabase['batch']>)(...args);
          if (!failBatch || args.length > 0) return batch;
          failBatch = false;
          return new Proxy(batch, {
            get(batchTarget, batchProperty) {
              if (batchProperty === 'write') {
                return async () => {
                  await batchTarget.close();
                  throw new Error('simulated write failure');
                };
              }
              const value = Reflect.get(batchTarget, batchProperty) as unknown;
              return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(batchTarget) : value;
            },
          });
        };
      }
      const value = Reflect.get(target, property) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  return {
    db: proxy,
    holdLookups() {
      held = gate();
      looked = gate();
      const current = held;
      return { looked: looked.promise, open: () => { held = undefined; current.open(); } };
    },
    failNextBatch() {
      failBatch = true;
    },
  };
}

async function cachedStore(t: ExecutionContext): Promise<{ store: BlockStore; db: BlockDatabase; directoryDb: ReturnType<typeof instrumented> }> {
  const directory = await testDirectory(t);
  const directoryDb = instrumented(await directory.open());
  const store = new BlockStore({ db: directoryDb.db, requestBytesMax: 1 * MiB, rangeBytesMax: 16 * MiB, readCacheBytes: 64 * BLOCK_BYTES });
  return { store, db: directoryDb.db, directoryDb };
}

const disk: VDiskLayout = { id: 1, sizeBytes: 1 * MiB, snapshotEpochs: [] };

test('a written block reads back from the cache, without a database lookup', async (t) => {
  const { store } = await cachedStore(t);
  await store.write(disk, 1, 0, block(5));
  const scanned = store.counters.blockRowsScanned;
  t.deepEqual(await store.read(disk, 1, 0, BLOCK_BYTES), block(5));
  t.is(store.counters.blockRowsScanned, scanned);
  t.is(store.cache!.stats.hits, 1);
});

test('after a snapshot the head reads the cached block, the snapshot reads its own version, and an overwrite replaces it', async (t) => {
  const { store } = await cachedStore(t);
  await store.write(disk, 1, 0, block(1));
  const snapshotted: VDiskLayout = { ...disk, snapshotEpochs: [1] };
  t.deepEqual(await store.read(snapshotted, 2, 0, BLOCK_BYTES), block(1));
  t.is(store.cache!.stats.hits, 1);
  await store.write(snapshotted, 2, 0, block(2));
  t.deepEqual(await store.read(snapshotted, 2, 0, BLOCK_BYTES), block(2));
  t.deepEqual(await store.read(snapshotted, 1, 0, BLOCK_BYTES), block(1), 'the snapshot is read from the database');
  await store.trim(snapshotted, 2, 0, BLOCK_BYTES);
  t.deepEqual(await store.read(snapshotted, 2, 0, BLOCK_BYTES), new Uint8Array(BLOCK_BYTES));
});

test('a read whose lookup saw the old block and finishes after a write does not leave the old block cached', async (t) => {
  const { store, directoryDb } = await cachedStore(t);
  await store.write(disk, 1, 0, block(1));
  // Start cold: drop what the write put in the cache.
  store.cache!.dropVDisk(disk.id);
  const held = directoryDb.holdLookups();
  const staleRead = store.read(disk, 1, 0, BLOCK_BYTES);
  // Let the lookup run and see block(1), then overwrite while its answer is held back.
  await held.looked;
  await store.write(disk, 1, 0, block(2));
  held.open();
  t.deepEqual(await staleRead, block(1), 'the racing read saw the old block');
  t.deepEqual(await store.read(disk, 1, 0, BLOCK_BYTES), block(2), 'and must not have cached it');
});

test('a batch that fails drops what the cache held of its blocks', async (t) => {
  const { store, directoryDb } = await cachedStore(t);
  await store.write(disk, 1, 0, block(1));
  directoryDb.failNextBatch();
  await t.throwsAsync(store.write(disk, 1, 0, block(2)), { message: /simulated write failure/ });
  const misses = store.cache!.stats.misses;
  t.deepEqual(await store.read(disk, 1, 0, BLOCK_BYTES), block(1), 'what the database holds');
  t.is(store.cache!.stats.misses, misses + 1, 'read from the database, not the cache');
});

test('a store refuses a read cache smaller than a block', async (t) => {
  const directory = await testDirectory(t);
  const db = await directory.open();
  t.throws(() => new BlockStore({ db, requestBytesMax: 1 * MiB, rangeBytesMax: 16 * MiB, readCacheBytes: 100 }), { message: /readCacheBytes must be 0 or an integer ≥ 4096, got 100/ });
});
