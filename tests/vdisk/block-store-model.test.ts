// The block store against the plainest possible model: per vDisk, one byte array for the
// head and a copy per snapshot epoch. One seeded PRNG drives random unaligned writes, trims,
// write-zeroes, snapshots (epoch bumps), snapshot deletions, scrubs (reclaiming what no
// live epoch reads), rollbacks (some cut short by a simulated crash between batches and
// finished from interruptedRollbacks()), clones of snapshots and writes to them, flattens
// (some cut short and called again), deletions with purge, flushes, allocation maps and
// diffs, whole and paged. After every step the engine must read what the model holds at a
// random live epoch; a diff must report every block the model saw changed and none it did
// not see touched, and its pages must concatenate to the whole diff; a map must show no
// hole where the model holds data. Jobs run in small batches, so every job takes several.
// Every seed runs twice, the second time with a read cache smaller than the disks, so that
// cached head reads, fills and evictions are checked against the model too.
// A failure names its seed; VSTOR_VDISK_SEED=<seed> replays exactly that run, and
// VSTOR_VDISK_STEPS=<count> lengthens a soak run.

import test from 'ava';
import type { ExecutionContext } from 'ava';
import { SeededRandom } from '../../consensus/random.ts';
import type { BlockStore, VDiskLayout } from '../../storage-engine/vdisk/block-store.ts';
import type { BlockRange } from '../../storage-engine/vdisk/extents.ts';
import { BLOCK_BYTES } from '../../storage-engine/vdisk/keys.ts';
import { Scrubber } from '../../storage-engine/vdisk/scrubber.ts';
import { InterruptibleStore, SimulatedCrash, testDirectory } from './support.ts';

const STEPS = process.env['VSTOR_VDISK_STEPS'] === undefined ? 300 : Number(process.env['VSTOR_VDISK_STEPS']);
const DISKS_MAX = 4;
const SEEDS = process.env['VSTOR_VDISK_SEED'] === undefined ? Array.from({ length: 16 }, (_, index) => index + 1) : [Number(process.env['VSTOR_VDISK_SEED'])];

interface ModelLayout {
  id: number;
  sizeBytes: number;
  snapshotEpochs: number[];
  parent?: { vdisk: VDiskLayout; epoch: number };
}

interface ModelDisk {
  layout: ModelLayout;
  headEpoch: number;
  head: Uint8Array;
  snapshots: Map<number, Uint8Array>;
  /** Blocks written, or trimmed while holding data, per epoch: diff must report these. */
  changed: Map<number, Set<number>>;
  /** Blocks any write, trim or write-zeroes covered, per epoch: diff reports no others. */
  touched: Map<number, Set<number>>;
  /** How many clones hang from each snapshot epoch: those cannot be deleted. */
  clones: Map<number, number>;
  /** For a clone: the model of its parent, to unpin when it is flattened or deleted. */
  parentDisk?: ModelDisk;
}

function randomBytes(random: SeededRandom, lengthBytes: number): Uint8Array {
  const bytes = new Uint8Array(lengthBytes);
  // Mostly non-zero bytes, with some zero runs so that all-zero data blocks occur too.
  const fill = random.nextInt(8) === 0 ? 0 : -1;
  for (let index = 0; index < lengthBytes; index++) bytes[index] = fill === 0 ? 0 : 1 + random.nextInt(255);
  return bytes;
}

function randomRange(random: SeededRandom, sizeBytes: number, lengthBytesMax: number): [number, number] {
  // Favour block-aligned edges half the time: they take the whole-block paths.
  const aligned = random.nextInt(2) === 0;
  const blocks = Math.ceil(sizeBytes / BLOCK_BYTES);
  let offsetBytes = aligned ? random.nextInt(blocks) * BLOCK_BYTES : random.nextInt(sizeBytes);
  offsetBytes = Math.min(offsetBytes, sizeBytes - 1);
  const room = Math.min(lengthBytesMax, sizeBytes - offsetBytes);
  const lengthBytes = aligned ? Math.min(room, (1 + random.nextInt(Math.max(1, Math.floor(room / BLOCK_BYTES)))) * BLOCK_BYTES) : 1 + random.nextInt(room);
  return [offsetBytes, lengthBytes];
}

function blockSet(sets: Map<number, Set<number>>, epoch: number): Set<number> {
  let set = sets.get(epoch);
  if (set === undefined) sets.set(epoch, (set = new Set()));
  return set;
}

function touch(sets: Map<number, Set<number>>, epoch: number, offsetBytes: number, lengthBytes: number): void {
  const set = blockSet(sets, epoch);
  for (let block = Math.floor(offsetBytes / BLOCK_BYTES); block < Math.ceil((offsetBytes + lengthBytes) / BLOCK_BYTES); block++) set.add(block);
}

function liveEpochs(disk: ModelDisk): number[] {
  return [...disk.snapshots.keys(), disk.headEpoch].sort((a, b) => a - b);
}

function contentAt(disk: ModelDisk, epoch: number): Uint8Array {
  return epoch === disk.headEpoch ? disk.head : disk.snapshots.get(epoch)!;
}

function blocksOf(ranges: BlockRange[]): number[] {
  return ranges.flatMap((range) => Array.from({ length: range.blockCount }, (_, index) => range.firstBlockIndex + index));
}

function differingBlocks(a: Uint8Array, b: Uint8Array): Set<number> {
  const blocks = new Set<number>();
  for (let start = 0; start < a.length; start += BLOCK_BYTES) {
    if (!Buffer.from(a.subarray(start, start + BLOCK_BYTES)).equals(b.subarray(start, start + BLOCK_BYTES))) blocks.add(start / BLOCK_BYTES);
  }
  return blocks;
}

function unpin(disk: ModelDisk): void {
  const parent = disk.parentDisk;
  if (parent === undefined) return;
  const epoch = disk.layout.parent!.epoch;
  const count = parent.clones.get(epoch)! - 1;
  if (count === 0) parent.clones.delete(epoch);
  else parent.clones.set(epoch, count);
  delete disk.layout.parent;
  delete disk.parentDisk;
}

/** The model's side of a rollback of `disk`'s head to snapshot epoch `target`. */
function rollBackModel(disk: ModelDisk, target: number): void {
  const newest = Math.max(...disk.snapshots.keys());
  const targetContent = disk.snapshots.get(target)!;
  // The head now differs from the newest snapshot exactly where the target does, and the
  // engine may rewrite at the head any block touched between the target and the newest.
  const mustReport = differingBlocks(targetContent, disk.snapshots.get(newest)!);
  const mayReport = new Set<number>();
  for (const [epoch, blocks] of disk.touched) if (epoch > target && epoch <= newest) for (const block of blocks) mayReport.add(block);
  for (const sets of [disk.changed, disk.touched]) for (const epoch of [...sets.keys()]) if (epoch > newest) sets.delete(epoch);
  disk.changed.set(disk.headEpoch, mustReport);
  disk.touched.set(disk.headEpoch, new Set([...mayReport, ...mustReport]));
  disk.head = targetContent.slice();
}

/** Checks a diff, whole and in pages, against the model. */
async function checkDiff(t: ExecutionContext, store: BlockStore, random: SeededRandom, disk: ModelDisk, from: number, to: number): Promise<void> {
  const inEpochs = (sets: Map<number, Set<number>>): Set<number> => {
    const union = new Set<number>();
    for (const [epoch, blocks] of sets) if (epoch > from && epoch <= to) for (const block of blocks) union.add(block);
    return union;
  };
  const whole = await store.diff(disk.layout, from, to);
  const reported = new Set(blocksOf(whole));
  const missing = [...inEpochs(disk.changed)].filter((block) => !reported.has(block));
  const extra = [...reported].filter((block) => !inEpochs(disk.touched).has(block));
  t.deepEqual({ missing, extra }, { missing: [], extra: [] }, `diff (${from}, ${to}] of disk ${disk.layout.id}`);

  // Pages of a few ranges each: in order, disjoint, within their page size, and together
  // the whole diff (ranges split at a seam merge back).
  const rangesMax = 1 + random.nextInt(3);
  const paged: BlockRange[] = [];
  let startBlockIndex: number | undefined = 0;
  for (let pages = 0; startBlockIndex !== undefined; pages++) {
    // Every page but the last returns a block at least.
    if (pages > blocksOf(whole).length + 1) {
      t.fail(`diff (${from}, ${to}] of disk ${disk.layout.id} did not end after ${pages} pages`);
      return;
    }
    const page = await store.diffPage(disk.layout, from, to, { startBlockIndex, rangesMax });
    t.true(page.ranges.length <= rangesMax);
    for (const range of page.ranges) {
      t.true(range.firstBlockIndex >= startBlockIndex, 'a page starts at its start block');
      const last = paged[paged.length - 1];
      if (last !== undefined && last.firstBlockIndex + last.blockCount === range.firstBlockIndex) last.blockCount += range.blockCount;
      else paged.push({ ...range });
    }
    startBlockIndex = page.nextStartBlockIndex;
  }
  t.deepEqual(paged, whole, `paged diff (${from}, ${to}] of disk ${disk.layout.id} in pages of ${rangesMax}`);
}

/** Blocks in the read cache of the second run of each seed: fewer than the disks hold, so it evicts. */
const CACHE_BLOCKS = 24;

async function runSeed(t: ExecutionContext, seed: number, readCacheBytes = 0): Promise<void> {
  const random = new SeededRandom(seed);
  const directory = await testDirectory(t);
  const db = await directory.open();
  const store = new InterruptibleStore({ db, requestBytesMax: 4 * BLOCK_BYTES, rangeBytesMax: 64 * BLOCK_BYTES, batchBlocksMax: 1 + random.nextInt(4), readCacheBytes });
  const scrubber = new Scrubber(store, { rowsPerPassMax: 1 + random.nextInt(8) });
  const sizeBytes = (8 + random.nextInt(12)) * BLOCK_BYTES + random.nextInt(BLOCK_BYTES);
  let nextId = 1;
  const newDisk = (layout: Omit<ModelLayout, 'id'>, head: Uint8Array): ModelDisk => ({
    layout: { id: nextId++, ...layout },
    headEpoch: 1,
    head,
    snapshots: new Map(),
    changed: new Map(),
    touched: new Map(),
    clones: new Map(),
  });
  const disks: ModelDisk[] = [newDisk({ sizeBytes, snapshotEpochs: [] }, new Uint8Array(sizeBytes))];
  const history: string[] = [];
  /** How often each job ran (and was cut short), logged so a run shows what it covered. */
  const ran = { rollbacks: 0, rollbacksCut: 0, rollbacksOverLaterSnapshots: 0, flattens: 0, flattensCut: 0, purges: 0, diffs: 0, scrubs: 0 };
  const note = (line: string): void => {
    history.push(line);
    if (history.length > 25) history.shift();
  };
  const readsAsModel = async (disk: ModelDisk, epoch: number, offsetBytes: number, lengthBytes: number): Promise<boolean> => {
    const actual = await store.read(disk.layout, epoch, offsetBytes, lengthBytes);
    return Buffer.from(actual).equals(contentAt(disk, epoch).subarray(offsetBytes, offsetBytes + lengthBytes));
  };

  try {
    for (let step = 0; step < STEPS; step++) {
      const disk = disks[random.nextInt(disks.length)]!;
      const id = disk.layout.id;
      const choice = random.nextInt(100);
      if (choice < 30) {
        const [offsetBytes, lengthBytes] = randomRange(random, disk.layout.sizeBytes, 4 * BLOCK_BYTES);
        const bytes = randomBytes(random, lengthBytes);
        note(`${step}: disk ${id} write [${offsetBytes}, +${lengthBytes}) at epoch ${disk.headEpoch}`);
        await store.write(disk.layout, disk.headEpoch, offsetBytes, bytes, { sync: random.nextInt(10) === 0 });
        disk.head.set(bytes, offsetBytes);
        touch(disk.changed, disk.headEpoch, offsetBytes, lengthBytes);
        touch(disk.touched, disk.headEpoch, offsetBytes, lengthBytes);
      } else if (choice < 42) {
        const [offsetBytes, lengthBytes] = randomRange(random, disk.layout.sizeBytes, 64 * BLOCK_BYTES);
        const zeroes = random.nextInt(2) === 0;
        note(`${step}: disk ${id} ${zeroes ? 'write-zeroes' : 'trim'} [${offsetBytes}, +${lengthBytes}) at epoch ${disk.headEpoch}`);
        if (zeroes) await store.writeZeroes(disk.layout, disk.headEpoch, offsetBytes, lengthBytes);
        else await store.trim(disk.layout, disk.headEpoch, offsetBytes, lengthBytes);
        // A trim of a block that held data must show in a diff; a trim of a hole may not.
        touch(disk.touched, disk.headEpoch, offsetBytes, lengthBytes);
        const before = disk.head.slice();
        disk.head.fill(0, offsetBytes, offsetBytes + lengthBytes);
        for (let block = Math.floor(offsetBytes / BLOCK_BYTES); block * BLOCK_BYTES < offsetBytes + lengthBytes; block++) {
          const start = block * BLOCK_BYTES;
          if (before.subarray(start, start + BLOCK_BYTES).some((byte) => byte !== 0)) touch(disk.changed, disk.headEpoch, start, 1);
        }
      } else if (choice < 50) {
        note(`${step}: disk ${id} snapshot closes epoch ${disk.headEpoch}`);
        disk.snapshots.set(disk.headEpoch, disk.head.slice());
        disk.layout.snapshotEpochs.push(disk.headEpoch);
        disk.headEpoch++;
      } else if (choice < 55) {
        const deletable = [...disk.snapshots.keys()].filter((epoch) => !disk.clones.has(epoch));
        if (deletable.length === 0) continue;
        const epoch = deletable[random.nextInt(deletable.length)]!;
        note(`${step}: disk ${id} delete snapshot epoch ${epoch}`);
        disk.snapshots.delete(epoch);
        disk.layout.snapshotEpochs.splice(disk.layout.snapshotEpochs.indexOf(epoch), 1);
        if (random.nextInt(2) === 0) {
          note(`${step}: disk ${id} scrub with live epochs ${liveEpochs(disk).join(',')}`);
          t.is((await scrubber.scrubVDisk(disk.layout, liveEpochs(disk))).corruptVersions, 0);
        }
      } else if (choice < 60) {
        if (disks.length >= DISKS_MAX || disk.snapshots.size === 0) continue;
        const epochs = [...disk.snapshots.keys()];
        const epoch = epochs[random.nextInt(epochs.length)]!;
        const childSizeBytes = disk.layout.sizeBytes + random.nextInt(3) * BLOCK_BYTES;
        const head = new Uint8Array(childSizeBytes);
        head.set(disk.snapshots.get(epoch)!);
        const child = newDisk({ sizeBytes: childSizeBytes, snapshotEpochs: [], parent: { vdisk: disk.layout, epoch } }, head);
        child.parentDisk = disk;
        note(`${step}: disk ${child.layout.id} clones disk ${id} at epoch ${epoch}, ${childSizeBytes} bytes`);
        disk.clones.set(epoch, (disk.clones.get(epoch) ?? 0) + 1);
        disks.push(child);
      } else if (choice < 61) {
        note(`${step}: flush`);
        await store.flush();
      } else if (choice < 68) {
        const epochs = [0, ...liveEpochs(disk)];
        const first = epochs[random.nextInt(epochs.length)]!;
        const second = epochs[random.nextInt(epochs.length)]!;
        const [from, to] = first <= second ? [first, second] : [second, first];
        note(`${step}: disk ${id} diff (${from}, ${to}]`);
        ran.diffs++;
        await checkDiff(t, store, random, disk, from, to);
      } else if (choice < 72) {
        const epochs = liveEpochs(disk);
        const epoch = epochs[random.nextInt(epochs.length)]!;
        note(`${step}: disk ${id} allocation map at epoch ${epoch}`);
        const content = contentAt(disk, epoch);
        for (const extent of await store.allocated(disk.layout, epoch, 0, disk.layout.sizeBytes)) {
          if (extent.kind !== 'hole') continue;
          const hole = content.subarray(extent.offsetBytes, extent.offsetBytes + extent.lengthBytes);
          if (hole.some((byte) => byte !== 0)) t.fail(`disk ${id} epoch ${epoch}: data mapped as a hole at ${extent.offsetBytes}`);
        }
      } else if (choice < 76) {
        note(`${step}: disk ${id} scrub with live epochs ${liveEpochs(disk).join(',')}`);
        ran.scrubs++;
        t.is((await scrubber.scrubVDisk(disk.layout, liveEpochs(disk))).corruptVersions, 0);
      } else if (choice < 84) {
        if (disk.snapshots.size === 0) continue;
        const epochs = [...disk.snapshots.keys()];
        const target = epochs[random.nextInt(epochs.length)]!;
        const crashAfter = random.nextInt(3) === 0 ? random.nextInt(4) : undefined;
        note(`${step}: disk ${id} rollback of head ${disk.headEpoch} to epoch ${target}${crashAfter === undefined ? '' : `, crashing after ${crashAfter} batches`}`);
        store.commitsBeforeCrash = crashAfter;
        ran.rollbacks++;
        if (target < Math.max(...epochs)) ran.rollbacksOverLaterSnapshots++;
        try {
          await store.rollback(disk.layout, disk.headEpoch, target);
        } catch (error) {
          if (!(error instanceof SimulatedCrash)) throw error;
          ran.rollbacksCut++;
          // As at a restart: the intent names the rollback to finish before serving.
          t.deepEqual(await store.interruptedRollbacks(), [{ vdiskId: id, headEpoch: disk.headEpoch, snapshotEpoch: target }]);
          await store.rollback(disk.layout, disk.headEpoch, target);
        }
        store.commitsBeforeCrash = undefined;
        t.deepEqual(await store.interruptedRollbacks(), []);
        rollBackModel(disk, target);
      } else if (choice < 88) {
        if (disk.layout.parent === undefined) continue;
        const crashAfter = random.nextInt(3) === 0 ? random.nextInt(3) : undefined;
        note(`${step}: disk ${id} flatten${crashAfter === undefined ? '' : `, crashing after ${crashAfter} batches`}`);
        store.commitsBeforeCrash = crashAfter;
        ran.flattens++;
        try {
          await store.flatten(disk.layout);
        } catch (error) {
          if (!(error instanceof SimulatedCrash)) throw error;
          ran.flattensCut++;
          // Cut short, the clone reads as before, with its parent still in the layout.
          const epochs = liveEpochs(disk);
          const epoch = epochs[random.nextInt(epochs.length)]!;
          t.true(await readsAsModel(disk, epoch, 0, Math.min(4 * BLOCK_BYTES, disk.layout.sizeBytes)), `disk ${id} after a cut-short flatten`);
          await store.flatten(disk.layout);
        }
        store.commitsBeforeCrash = undefined;
        unpin(disk);
      } else if (choice < 91) {
        if (disks.length === 1 || disk.clones.size > 0) continue;
        note(`${step}: disk ${id} deleted and purged`);
        disks.splice(disks.indexOf(disk), 1);
        unpin(disk);
        ran.purges++;
        await store.purge(id);
        t.false((await store.vdiskIds()).includes(id));
        t.is(await store.purge(id), 0);
      }
      // After every step: a random read at a random live epoch of a random disk.
      const reader = disks[random.nextInt(disks.length)]!;
      const epochs = liveEpochs(reader);
      const epoch = epochs[random.nextInt(epochs.length)]!;
      const [offsetBytes, lengthBytes] = randomRange(random, reader.layout.sizeBytes, 4 * BLOCK_BYTES);
      if (!(await readsAsModel(reader, epoch, offsetBytes, lengthBytes))) {
        t.fail(`step ${step}: disk ${reader.layout.id} read [${offsetBytes}, +${lengthBytes}) at epoch ${epoch} differs from the model`);
        throw new Error('stop at the first divergence');
      }
    }
    // At the end, after a scrub of every disk, every live epoch of every disk reads exactly
    // as the model, in full: the scrubber took nothing a live epoch reads. Only live disks
    // have rows left.
    for (const disk of disks) await scrubber.scrubVDisk(disk.layout, liveEpochs(disk));
    for (const disk of disks) {
      for (const epoch of liveEpochs(disk)) {
        for (let offsetBytes = 0; offsetBytes < disk.layout.sizeBytes; offsetBytes += 4 * BLOCK_BYTES) {
          const lengthBytes = Math.min(4 * BLOCK_BYTES, disk.layout.sizeBytes - offsetBytes);
          t.true(await readsAsModel(disk, epoch, offsetBytes, lengthBytes), `disk ${disk.layout.id} epoch ${epoch} at ${offsetBytes}`);
        }
      }
    }
    const liveIds = new Set(disks.map((disk) => disk.layout.id));
    t.deepEqual((await store.vdiskIds()).filter((vdiskId) => !liveIds.has(vdiskId)), []);
    t.log(`seed ${seed}: ${Object.entries(ran).map(([name, count]) => `${name} ${count}`).join(', ')}`);
    if (store.cache !== undefined) {
      // The run must have exercised the cache, not merely carried it.
      t.true(store.cache.stats.hits > 0, 'no head read was answered from the cache');
      t.true(store.cache.entries <= CACHE_BLOCKS);
      t.log(`seed ${seed}: read cache ${JSON.stringify(store.cache.stats)}`);
    }
  } catch (error) {
    t.log(`seed ${seed} failed; replay with VSTOR_VDISK_SEED=${seed}. Last steps:\n${history.join('\n')}`);
    throw error;
  }
  if (!t.passed) t.log(`seed ${seed} failed; replay with VSTOR_VDISK_SEED=${seed}. Last steps:\n${history.join('\n')}`);
}

for (const seed of SEEDS) {
  test(`the block store reads, maps and diffs like an array per epoch (seed ${seed})`, async (t) => {
    await runSeed(t, seed);
  });
  // The same steps with a small read cache: whatever a write, trim, rollback, flatten, scrub
  // or purge changes, a head read must never be answered with what the cache held before.
  test(`with a read cache of ${CACHE_BLOCKS} blocks, the block store still reads like an array per epoch (seed ${seed})`, async (t) => {
    await runSeed(t, seed, CACHE_BLOCKS * BLOCK_BYTES);
  });
}
