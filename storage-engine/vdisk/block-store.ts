// The block store: thin vDisks of 4 KiB blocks with O(1) snapshots, clones that fall
// through to a parent, checksummed blocks and diffs that cost what changed (DESIGN.md
// "vDisks"; the key layout is in keys.ts, the record format in block-record.ts).
//
// Epochs: a vDisk's head is its newest epoch; taking a snapshot closes the head epoch (it
// becomes a snapshot epoch) and opens the next one. Writes go to the head epoch only, and a
// read at epoch e sees the newest version of each block ≤ e. Epochs start at 1: epoch 0 is
// "before the first write", so diff(vdisk, 0, e) is everything written up to e, and no
// write may go there. Only flatten puts versions at epoch 0: the blocks a clone inherited,
// which are in no diff, as before the flatten. Metadata (size, head epoch, snapshot
// epochs, parent) lives in the Raft model; the caller passes it in as a VDiskLayout, so
// this module never decides it.
//
// Every mutating call is one atomic batch: a failed request leaves nothing half-written.
// Mutations of one vDisk are serialised, because a read-modify-write of an edge block must
// not interleave with another write of the same block (several NBD connections may share
// an export). Reads need no lock: each batch is atomic. A trim or write-zeroes is one batch
// too, bounded by rangeBytesMax: at most two rows per block of the range plus the versions
// newer than the newest snapshot that it deletes.
//
// Group commit: writes of whole blocks read nothing, so those that queue up behind a
// running mutation of the same vDisk join one batch (up to groupBytesMax), written when
// their turn comes, instead of taking a turn and a database round trip each. A group
// accepts writes only while it is the last thing queued: any other mutation queued after
// it closes it, so the order of mutations stays the order of the calls. Writes in a group
// succeed or fail together, atomically; one with `sync` makes the whole batch durable.
//
// The longer jobs live in files of their own and run through a narrow BlockEngine view of
// this store, in batches of batchBlocksMax blocks rather than one batch: rollback.ts (the
// head back to a snapshot), flatten.ts (a clone copies in its parent's blocks), purge.ts
// (a deleted vDisk's rows). Each says how it stays correct when cut short. Diff pages are
// change-index.ts; reading versions and following the clone chain, block-reader.ts and
// layout.ts.

import { VstorError } from '../errors.ts';
import type { BatchOperation, BlockDatabase, BlockEngine, BlockStoreCounters, CorruptionLocation } from './block-reader.ts';
import { writeChainedBatch } from '../chained-batch.ts';
import { BlockCache } from './block-cache.ts';
import { BlockReader } from './block-reader.ts';
import { encodeDataRecord, encodedPayload, encodeTombstoneRecord } from './block-record.ts';
import type { ChangedRangesPage } from './change-index.ts';
import { changedRangesPage } from './change-index.ts';
import type { BlockRange, Extent } from './extents.ts';
import { allocationExtents } from './extents.ts';
import { flatten } from './flatten.ts';
import type { VDiskLayout } from './layout.ts';
import {
  BLOCK_BYTES,
  EPOCH_MAX,
  FLUSH_MARKER_KEY,
  VDISK_BLOCKS_MAX,
  VDISK_BYTES_MAX,
  VDISK_ID_MAX,
  blockKey,
  blocksBounds,
  changeKey,
  decodeBlockKey,
} from './keys.ts';
import { purge, vdiskIds } from './purge.ts';
import type { RollbackIntent } from './rollback.ts';
import { interruptedRollbacks, rollBack } from './rollback.ts';

export type { BatchOperation, BlockDatabase, BlockStoreCounters, CorruptionLocation } from './block-reader.ts';
export type { ChangedRangesPage } from './change-index.ts';
export type { ParentLink, VDiskLayout } from './layout.ts';
export type { RollbackIntent } from './rollback.ts';

export interface BlockStoreOptions {
  db: BlockDatabase;
  /** The largest read or write, in bytes (the daemon's requestBytesMax). */
  requestBytesMax: number;
  /**
   * The largest trim, write-zeroes or allocation map, in bytes. Larger than
   * requestBytesMax since no payload travels, but bounded: these build one batch or map.
   */
  rangeBytesMax: number;
  /**
   * The most blocks one batch of rollback or flatten copies or visits, and the most rows
   * one batch of purge deletes. Default: requestBytesMax in blocks, so a batch of copies
   * carries no more payload than the largest write.
   */
  batchBlocksMax?: number;
  /** The most ranges one diff returns; a larger diff must be paged. Default 65,536. */
  diffRangesMax?: number;
  /**
   * The most payload bytes of whole-block writes that share one batch (group commit).
   * Default requestBytesMax; a single larger write still goes alone.
   */
  groupBytesMax?: number;
  /** Called with the place of every record that fails its checksum on a read. */
  onCorruption?: (location: CorruptionLocation) => void;
  /**
   * Memory for the read cache of verified head blocks (block-cache.ts), in bytes; 0 (the
   * default) for none. Every batch of block versions must then go through this store.
   */
  readCacheBytes?: number;
}

export interface WriteOptions {
  /** Force unit access: durable when the call returns, as after a flush(). */
  sync?: boolean;
}

export interface DiffOptions {
  /** The first block the page covers; the next page starts where the last range ends. */
  startBlockIndex?: number;
  /** Page size: the most ranges returned, at most diffRangesMax. */
  rangesMax?: number;
}

export const DIFF_RANGES_MAX_DEFAULT = 65_536;

/** Whole-block writes queued behind a running mutation, committed as one batch. */
interface WriteGroup {
  readonly operations: BatchOperation[];
  payloadBytes: number;
  sync: boolean;
  done: Promise<void>;
}

const EMPTY = new Uint8Array(0);
/**
 * The longest chain of clones (a vDisk, its parent, its grandparent, …) a read may follow:
 * each link costs a seek on a miss. Deeper chains must be flattened first.
 */
export const CLONE_DEPTH_MAX = 16;

export class BlockStore {
  readonly counters: BlockStoreCounters = { blockRowsScanned: 0, changeRowsScanned: 0, versionsReclaimed: 0, corruptBlocks: 0, flushesSkipped: 0 };
  private readonly db: BlockDatabase;
  private readonly requestBytesMax: number;
  private readonly rangeBytesMax: number;
  private readonly diffRangesMax: number;
  private readonly reader: BlockReader;
  /** The read cache, when it has memory (BlockStoreOptions.readCacheBytes). */
  readonly cache: BlockCache | undefined;
  /** This store as the longer jobs see it. */
  private readonly engine: BlockEngine;
  private readonly groupBytesMax: number;
  /** The tail of each vDisk's queue of mutations; an entry is removed when its queue drains. */
  private readonly mutationTails = new Map<number, Promise<unknown>>();
  /** Unsynced batches that have landed (or failed: their fate is unknown), since open. */
  private unsyncedBatches = 0;
  /** unsyncedBatches as it was when the last completed sync began: those are durable. */
  private syncedThrough = 0;
  /** Per vDisk, the write group that is last in its queue and not yet started, if any. */
  private readonly openGroups = new Map<number, WriteGroup>();

  constructor(options: BlockStoreOptions) {
    for (const [name, value] of [['requestBytesMax', options.requestBytesMax], ['rangeBytesMax', options.rangeBytesMax]] as const) {
      if (!Number.isSafeInteger(value) || value < BLOCK_BYTES) {
        throw new VstorError('INVALID_ARGUMENT', `${name} must be an integer ≥ ${BLOCK_BYTES}, got ${value}`);
      }
    }
    const batchBlocksMax = options.batchBlocksMax ?? Math.floor(options.requestBytesMax / BLOCK_BYTES);
    const diffRangesMax = options.diffRangesMax ?? DIFF_RANGES_MAX_DEFAULT;
    const groupBytesMax = options.groupBytesMax ?? options.requestBytesMax;
    for (const [name, value] of [['batchBlocksMax', batchBlocksMax], ['diffRangesMax', diffRangesMax], ['groupBytesMax', groupBytesMax]] as const) {
      if (!Number.isSafeInteger(value) || value < 1) throw new VstorError('INVALID_ARGUMENT', `${name} must be a positive integer, got ${value}`);
    }
    this.db = options.db;
    this.requestBytesMax = options.requestBytesMax;
    this.rangeBytesMax = options.rangeBytesMax;
    this.diffRangesMax = diffRangesMax;
    this.groupBytesMax = groupBytesMax;
    const readCacheBytes = options.readCacheBytes ?? 0;
    if (!Number.isSafeInteger(readCacheBytes) || readCacheBytes < 0 || (readCacheBytes > 0 && readCacheBytes < BLOCK_BYTES)) {
      throw new VstorError('INVALID_ARGUMENT', `readCacheBytes must be 0 or an integer ≥ ${BLOCK_BYTES}, got ${readCacheBytes}`);
    }
    this.cache = readCacheBytes > 0 ? new BlockCache(readCacheBytes) : undefined;
    this.reader = new BlockReader(this.db, this.counters, options.onCorruption, this.cache);
    this.engine = {
      db: this.db,
      reader: this.reader,
      counters: this.counters,
      batchBlocksMax,
      commit: (operations, sync) => this.commit(operations, sync),
      exclusive: (vdiskId, work) => this.exclusive(vdiskId, work),
    };
  }

  // ---- public: validate, then do the work -------------------------------------------------

  /** Writes `bytes` at `offsetBytes` of the head epoch; unaligned edges are read-modify-written. */
  async write(vdisk: VDiskLayout, epoch: number, offsetBytes: number, bytes: Uint8Array, options: WriteOptions = {}): Promise<void> {
    this.checkOpen();
    this.checkLayout(vdisk);
    this.checkHeadEpoch(vdisk, epoch);
    this.checkRange(vdisk, offsetBytes, bytes.length, this.requestBytesMax, 'write');
    if (bytes.length === 0) return;
    if (offsetBytes % BLOCK_BYTES === 0 && bytes.length % BLOCK_BYTES === 0) {
      await this.writeWholeBlocks(vdisk, epoch, offsetBytes, bytes, options.sync === true);
      return;
    }
    await this.exclusive(vdisk.id, () => this.writeBlocks(vdisk, epoch, offsetBytes, bytes, options.sync === true));
  }

  /** The bytes at [offsetBytes, offsetBytes + lengthBytes) as of `epoch`; holes read as zeros. */
  async read(vdisk: VDiskLayout, epoch: number, offsetBytes: number, lengthBytes: number): Promise<Uint8Array> {
    this.checkOpen();
    this.checkLayout(vdisk);
    this.checkEpoch(epoch);
    this.checkRange(vdisk, offsetBytes, lengthBytes, this.requestBytesMax, 'read');
    return this.readBytes(vdisk, epoch, offsetBytes, lengthBytes);
  }

  /** Discards a range: afterwards it reads as zeros, and whole blocks give their space back. */
  async trim(vdisk: VDiskLayout, epoch: number, offsetBytes: number, lengthBytes: number, options: WriteOptions = {}): Promise<void> {
    this.checkOpen();
    this.checkLayout(vdisk);
    this.checkHeadEpoch(vdisk, epoch);
    this.checkRange(vdisk, offsetBytes, lengthBytes, this.rangeBytesMax, 'trim');
    if (lengthBytes === 0) return;
    await this.exclusive(vdisk.id, () => this.zeroRange(vdisk, epoch, offsetBytes, lengthBytes, options.sync === true));
  }

  /**
   * Makes a range read as zeros. This store trims for it: a zeroed whole block is a
   * tombstone (or nothing), never 4 KiB of stored zeros.
   */
  async writeZeroes(vdisk: VDiskLayout, epoch: number, offsetBytes: number, lengthBytes: number, options: WriteOptions = {}): Promise<void> {
    await this.trim(vdisk, epoch, offsetBytes, lengthBytes, options);
  }

  /**
   * Makes every write acknowledged so far durable: one synced write of a marker key, or
   * nothing when no unsynced batch has landed since the last sync began (an idle vDisk's
   * scheduled snapshot, a client's repeated FLUSH).
   */
  async flush(): Promise<void> {
    this.checkOpen();
    if (this.unsyncedBatches === this.syncedThrough) {
      this.counters.flushesSkipped++;
      return;
    }
    await this.syncMarker();
  }

  /**
   * A synced put of the marker key: it fsyncs LevelDB's write-ahead log, which holds every
   * earlier batch in order (an empty batch is skipped by abstract-level and syncs nothing).
   */
  private async syncMarker(): Promise<void> {
    const landed = this.unsyncedBatches;
    await this.db.put(FLUSH_MARKER_KEY, EMPTY, { sync: true });
    if (landed > this.syncedThrough) this.syncedThrough = landed;
  }

  /** Data and hole extents of a range as of `epoch`, in order, adjacent extents merged. */
  async allocated(vdisk: VDiskLayout, epoch: number, offsetBytes: number, lengthBytes: number): Promise<Extent[]> {
    this.checkOpen();
    this.checkLayout(vdisk);
    this.checkEpoch(epoch);
    this.checkRange(vdisk, offsetBytes, lengthBytes, this.rangeBytesMax, 'allocation map');
    if (lengthBytes === 0) return [];
    return this.allocationMap(vdisk, epoch, offsetBytes, lengthBytes);
  }

  /**
   * The block ranges written (data, trim or zeroes) in epochs (fromEpoch, toEpoch] of one
   * vDisk, sorted and merged. It scans only the change index of those epochs, so it costs
   * what changed, not the disk's size. Blocks written back to their old contents count.
   *
   * Without `rangesMax` it is the whole diff (from `startBlockIndex`, if given), and a diff
   * of more than diffRangesMax ranges is refused with RESOURCE_EXHAUSTED rather than held
   * in memory. With `rangesMax` it is one page: see diffPage().
   */
  async diff(vdisk: VDiskLayout, fromEpoch: number, toEpoch: number, options: DiffOptions = {}): Promise<BlockRange[]> {
    const paged = options.rangesMax !== undefined;
    const page = await this.diffPage(vdisk, fromEpoch, toEpoch, { ...options, rangesMax: options.rangesMax ?? this.diffRangesMax });
    if (!paged && page.nextStartBlockIndex !== undefined) {
      throw new VstorError(
        'RESOURCE_EXHAUSTED',
        `vdisk ${vdisk.id}: the diff of epochs (${fromEpoch}, ${toEpoch}] has more than ${this.diffRangesMax} ranges; fetch it in pages (startBlockIndex, rangesMax)`,
        { retryable: false },
      );
    }
    return page.ranges;
  }

  /**
   * One page of a diff: at most `rangesMax` ranges of blocks ≥ startBlockIndex, sorted and
   * merged, and where the next page starts (undefined after the last page). Pages are
   * disjoint and in order; concatenated they are the diff, each block once, though a range
   * may come split where a page ends. A page costs its rows plus about one row and one seek
   * per epoch in the range that has changes.
   */
  async diffPage(vdisk: VDiskLayout, fromEpoch: number, toEpoch: number, options: DiffOptions = {}): Promise<ChangedRangesPage> {
    this.checkOpen();
    this.checkLayout(vdisk);
    this.checkEpoch(fromEpoch);
    this.checkEpoch(toEpoch);
    if (fromEpoch > toEpoch) throw new VstorError('INVALID_ARGUMENT', `diff from epoch ${fromEpoch} is after to epoch ${toEpoch}`);
    const startBlockIndex = options.startBlockIndex ?? 0;
    const rangesMax = options.rangesMax ?? this.diffRangesMax;
    if (!Number.isSafeInteger(startBlockIndex) || startBlockIndex < 0 || startBlockIndex > VDISK_BLOCKS_MAX) {
      throw new VstorError('INVALID_ARGUMENT', `diff startBlockIndex must be an integer in [0, ${VDISK_BLOCKS_MAX}], got ${startBlockIndex}`);
    }
    if (!Number.isSafeInteger(rangesMax) || rangesMax < 1 || rangesMax > this.diffRangesMax) {
      throw new VstorError('INVALID_ARGUMENT', `diff rangesMax must be an integer in [1, ${this.diffRangesMax}], got ${rangesMax}`);
    }
    return changedRangesPage(this.db, this.counters, vdisk.id, fromEpoch, toEpoch, startBlockIndex, rangesMax);
  }

  /**
   * Rolls the head back to a snapshot: afterwards a read at `headEpoch` returns what a read
   * at `snapshotEpoch` returns, parent fall-through included. Snapshots after it stay, and
   * diffs between live epochs stay exact. It costs the change rows of (snapshotEpoch,
   * headEpoch], not the disk's size, and runs in batches under the vDisk's mutation lock,
   * which it holds to the end (writes wait; reads in between may see a mix, which is why
   * the daemon serves no I/O to the vDisk meanwhile). Cut short by a crash, it leaves an
   * intent that interruptedRollbacks() lists; running it again with the same epochs
   * finishes it, and so does any later rollback of the vDisk.
   */
  async rollback(vdisk: VDiskLayout, headEpoch: number, snapshotEpoch: number): Promise<void> {
    this.checkOpen();
    this.checkLayout(vdisk);
    this.checkHeadEpoch(vdisk, headEpoch);
    this.checkEpoch(snapshotEpoch);
    if (!vdisk.snapshotEpochs.includes(snapshotEpoch)) {
      throw new VstorError('INVALID_ARGUMENT', `vdisk ${vdisk.id}: epoch ${snapshotEpoch} is not one of its snapshot epochs [${vdisk.snapshotEpochs.join(', ')}]`);
    }
    await this.exclusive(vdisk.id, () => rollBack(this.engine, vdisk, headEpoch, snapshotEpoch));
  }

  /** Rollbacks that were started and did not finish: run each again before serving its vDisk. */
  async interruptedRollbacks(): Promise<RollbackIntent[]> {
    this.checkOpen();
    return interruptedRollbacks(this.engine);
  }

  /**
   * Copies into a clone every block any of its epochs (snapshots and head) reads from its
   * parent chain, so that afterwards they read the same with `parent` removed from the
   * layout. Reads are unchanged throughout; a flatten cut short is finished by calling it
   * again; once it returns, the copies are durable. Costs the parent chain's stored
   * versions. A vDisk without parent has nothing to do.
   */
  async flatten(vdisk: VDiskLayout): Promise<void> {
    this.checkOpen();
    this.checkLayout(vdisk);
    await flatten(this.engine, vdisk);
  }

  /**
   * Deletes every block version, change row and rollback intent of a vDisk (one the model
   * no longer has), in batches; returns the rows deleted. Running it again deletes nothing.
   */
  async purge(vdiskId: number): Promise<number> {
    this.checkOpen();
    this.checkVDiskId(vdiskId);
    try {
      return await purge(this.engine, vdiskId);
    } finally {
      this.cache?.dropVDisk(vdiskId);
    }
  }

  /** The ids of every vDisk that has rows here, ascending: the daemon purges the unknown ones. */
  async vdiskIds(): Promise<number[]> {
    this.checkOpen();
    return vdiskIds(this.engine);
  }

  // ---- protected: the work ---------------------------------------------------------------

  protected async writeBlocks(vdisk: VDiskLayout, epoch: number, offsetBytes: number, bytes: Uint8Array, sync: boolean): Promise<void> {
    const operations: BatchOperation[] = [];
    const firstBlockIndex = Math.floor(offsetBytes / BLOCK_BYTES);
    const endBlockIndex = Math.ceil((offsetBytes + bytes.length) / BLOCK_BYTES);
    for (let blockIndex = firstBlockIndex; blockIndex < endBlockIndex; blockIndex++) {
      const blockStart = blockIndex * BLOCK_BYTES;
      const from = Math.max(offsetBytes, blockStart);
      const to = Math.min(offsetBytes + bytes.length, blockStart + BLOCK_BYTES);
      let block: Uint8Array;
      if (to - from === BLOCK_BYTES) {
        block = bytes.subarray(from - offsetBytes, to - offsetBytes);
      } else {
        block = new Uint8Array(BLOCK_BYTES);
        const current = await this.reader.readBlock(vdisk, epoch, blockIndex);
        if (current !== undefined) block.set(current);
        block.set(bytes.subarray(from - offsetBytes, to - offsetBytes), from - blockStart);
      }
      const key = blockKey(vdisk.id, blockIndex, epoch);
      operations.push({ type: 'put', key, value: encodeDataRecord(key, block) });
      operations.push({ type: 'put', key: changeKey(vdisk.id, epoch, blockIndex), value: EMPTY });
    }
    await this.writeBatch(operations, sync, true);
  }

  /** Joins the vDisk's open write group, or queues a new one (see "Group commit" above). */
  protected writeWholeBlocks(vdisk: VDiskLayout, epoch: number, offsetBytes: number, bytes: Uint8Array, sync: boolean): Promise<void> {
    const operations: BatchOperation[] = [];
    const firstBlockIndex = offsetBytes / BLOCK_BYTES;
    for (let index = 0; index < bytes.length / BLOCK_BYTES; index++) {
      const blockIndex = firstBlockIndex + index;
      const key = blockKey(vdisk.id, blockIndex, epoch);
      operations.push({ type: 'put', key, value: encodeDataRecord(key, bytes.subarray(index * BLOCK_BYTES, (index + 1) * BLOCK_BYTES)) });
      operations.push({ type: 'put', key: changeKey(vdisk.id, epoch, blockIndex), value: EMPTY });
    }
    const open = this.openGroups.get(vdisk.id);
    if (open !== undefined && open.payloadBytes + bytes.length <= this.groupBytesMax) {
      for (const operation of operations) open.operations.push(operation);
      open.payloadBytes += bytes.length;
      open.sync ||= sync;
      return open.done;
    }
    const group: WriteGroup = { operations, payloadBytes: bytes.length, sync, done: Promise.resolve() };
    // exclusive() closes the open group, if any: this one now follows it.
    group.done = this.exclusive(vdisk.id, async () => {
      if (this.openGroups.get(vdisk.id) === group) this.openGroups.delete(vdisk.id);
      await this.writeBatch(group.operations, group.sync, true);
    });
    this.openGroups.set(vdisk.id, group);
    return group.done;
  }

  protected async readBytes(vdisk: VDiskLayout, epoch: number, offsetBytes: number, lengthBytes: number): Promise<Uint8Array> {
    const result = new Uint8Array(lengthBytes);
    if (lengthBytes === 0) return result;
    const firstBlockIndex = Math.floor(offsetBytes / BLOCK_BYTES);
    const endBlockIndex = Math.ceil((offsetBytes + lengthBytes) / BLOCK_BYTES);
    const blocks = await this.reader.readBlocks(vdisk, epoch, firstBlockIndex, endBlockIndex);
    // One whole block, the commonest read: a plain view of its stored payload, not a copy.
    if (lengthBytes === BLOCK_BYTES && offsetBytes % BLOCK_BYTES === 0) {
      const block = blocks[0];
      return block === undefined ? result : new Uint8Array(block.buffer, block.byteOffset, block.byteLength);
    }
    for (let blockIndex = firstBlockIndex; blockIndex < endBlockIndex; blockIndex++) {
      const block = blocks[blockIndex - firstBlockIndex];
      if (block === undefined) continue;
      const blockStart = blockIndex * BLOCK_BYTES;
      const from = Math.max(offsetBytes, blockStart);
      const to = Math.min(offsetBytes + lengthBytes, blockStart + BLOCK_BYTES);
      result.set(block.subarray(from - blockStart, to - blockStart), from - offsetBytes);
    }
    return result;
  }

  protected async zeroRange(vdisk: VDiskLayout, epoch: number, offsetBytes: number, lengthBytes: number, sync: boolean): Promise<void> {
    const operations: BatchOperation[] = [];
    const endBytes = offsetBytes + lengthBytes;
    const firstWholeIndex = Math.ceil(offsetBytes / BLOCK_BYTES);
    const endWholeIndex = Math.floor(endBytes / BLOCK_BYTES);
    // Partial edge blocks keep their other bytes: zero the covered part by read-modify-write.
    const edges = new Set<number>();
    if (offsetBytes % BLOCK_BYTES !== 0) edges.add(Math.floor(offsetBytes / BLOCK_BYTES));
    if (endBytes % BLOCK_BYTES !== 0) edges.add(Math.floor(endBytes / BLOCK_BYTES));
    for (const blockIndex of edges) {
      const current = await this.reader.readBlock(vdisk, epoch, blockIndex);
      if (current === undefined) continue;
      const block = Uint8Array.from(current);
      const blockStart = blockIndex * BLOCK_BYTES;
      block.fill(0, Math.max(offsetBytes, blockStart) - blockStart, Math.min(endBytes, blockStart + BLOCK_BYTES) - blockStart);
      const key = blockKey(vdisk.id, blockIndex, epoch);
      operations.push({ type: 'put', key, value: encodeDataRecord(key, block) });
      operations.push({ type: 'put', key: changeKey(vdisk.id, epoch, blockIndex), value: EMPTY });
    }
    if (firstWholeIndex < endWholeIndex) await this.tombstoneWholeBlocks(vdisk, epoch, firstWholeIndex, endWholeIndex, operations);
    if (operations.length > 0) await this.writeBatch(operations, sync, true);
  }

  /**
   * Zeroes blocks [firstBlockIndex, endBlockIndex). A version newer than every snapshot is
   * read by the head alone, so it is deleted outright. A tombstone is then needed only where
   * something older would show through: a data version a snapshot still reads, or a
   * parent's block. Holes of a vDisk without parent are left alone, so trimming a huge
   * unwritten range costs nothing but one scan.
   */
  protected async tombstoneWholeBlocks(vdisk: VDiskLayout, epoch: number, firstBlockIndex: number, endBlockIndex: number, operations: BatchOperation[]): Promise<void> {
    const newestSnapshotEpoch = Math.max(-1, ...vdisk.snapshotEpochs);
    const blocksWithVersions = new Set<number>();
    const putTombstone = (blockIndex: number): void => {
      const key = blockKey(vdisk.id, blockIndex, epoch);
      operations.push({ type: 'put', key, value: encodeTombstoneRecord(key) });
    };
    let currentBlockIndex = -1;
    let newestKeptKind: 'data' | 'tombstone' | undefined;
    const finishBlock = (): void => {
      if (currentBlockIndex < 0) return;
      if (newestKeptKind === 'data' || (newestKeptKind === undefined && vdisk.parent !== undefined)) putTombstone(currentBlockIndex);
      operations.push({ type: 'put', key: changeKey(vdisk.id, epoch, currentBlockIndex), value: EMPTY });
    };
    for await (const [key, value] of this.db.iterator(blocksBounds(vdisk.id, firstBlockIndex, endBlockIndex))) {
      this.counters.blockRowsScanned++;
      const fields = decodeBlockKey(key);
      if (fields === undefined) throw new VstorError('CORRUPTION', `a key in vdisk ${vdisk.id}'s block range is not a block key`);
      if (fields.blockIndex !== currentBlockIndex) {
        finishBlock();
        currentBlockIndex = fields.blockIndex;
        newestKeptKind = undefined;
        blocksWithVersions.add(currentBlockIndex);
      }
      if (fields.epoch > newestSnapshotEpoch) {
        operations.push({ type: 'del', key });
        this.counters.versionsReclaimed++;
      } else {
        newestKeptKind = this.reader.decode(key, value).kind;
      }
    }
    finishBlock();
    if (vdisk.parent === undefined) return;
    // Blocks this clone never wrote read through to the parent: hide the parent's data.
    const parentKinds = await this.reader.resolveKinds(vdisk.parent.vdisk, vdisk.parent.epoch, firstBlockIndex, endBlockIndex);
    for (const [blockIndex, kind] of parentKinds) {
      if (blocksWithVersions.has(blockIndex) || kind !== 'data') continue;
      putTombstone(blockIndex);
      operations.push({ type: 'put', key: changeKey(vdisk.id, epoch, blockIndex), value: EMPTY });
    }
  }

  protected async allocationMap(vdisk: VDiskLayout, epoch: number, offsetBytes: number, lengthBytes: number): Promise<Extent[]> {
    const firstBlockIndex = Math.floor(offsetBytes / BLOCK_BYTES);
    const endBlockIndex = Math.ceil((offsetBytes + lengthBytes) / BLOCK_BYTES);
    const kinds = await this.reader.resolveKinds(vdisk, epoch, firstBlockIndex, endBlockIndex);
    const dataBlockIndexes = [...kinds].filter(([, kind]) => kind === 'data').map(([blockIndex]) => blockIndex);
    return allocationExtents(dataBlockIndexes, offsetBytes, lengthBytes);
  }

  /** The database, for the scrubber, which scans and deletes under exclusive(). */
  get database(): BlockDatabase {
    return this.db;
  }

  // ---- helpers -------------------------------------------------------------------------

  /**
   * Writes one batch of a longer job (rollback, flatten, purge); with `sync`, it and every
   * earlier batch are durable, even when it is empty. A subclass may fail it on purpose to
   * test what a crash between batches leaves.
   */
  protected async commit(operations: BatchOperation[], sync: boolean): Promise<void> {
    if (operations.length > 0) await this.writeBatch(operations, sync, false);
    else if (sync) await this.syncMarker();
  }

  /**
   * Deletes block versions that nothing reads (the scrubber's reclaimed garbage), in one
   * unsynced batch, through the same path as every other batch so that the read cache
   * hears of it.
   */
  async deleteVersions(deletions: readonly { type: 'del'; key: Uint8Array }[]): Promise<void> {
    this.checkOpen();
    if (deletions.length > 0) await this.writeBatch(deletions, false, false);
  }

  /**
   * Writes one atomic batch and then, before the writer hears of it, tells the read cache
   * of every block it touched. The data of a `headWrite` (a client's write, which goes to
   * the head epoch, above every other version) becomes the cached block; anything else
   * drops what was cached: a job's batch may write below the head (flatten fills snapshot
   * epochs) and so say nothing of what the head reads. On a failed write everything is
   * dropped: what LevelDB kept of the batch is then unknown.
   */
  private async writeBatch(operations: readonly BatchOperation[], sync: boolean, headWrite: boolean): Promise<void> {
    let written = false;
    // A synced batch makes durable every batch that landed before it was written.
    const landed = this.unsyncedBatches;
    try {
      await writeChainedBatch(this.db, operations, sync);
      written = true;
    } finally {
      if (!written || !sync) this.unsyncedBatches++;
      else if (landed > this.syncedThrough) this.syncedThrough = landed;
      const cache = this.cache;
      if (cache !== undefined) {
        for (const operation of operations) {
          const fields = decodeBlockKey(operation.key);
          if (fields === undefined) continue;
          const payload = written && headWrite && operation.type === 'put' ? encodedPayload(operation.value) : undefined;
          if (payload === undefined) cache.touched(fields.vdiskId, fields.blockIndex, fields.epoch);
          else cache.wrote(fields.vdiskId, fields.blockIndex, fields.epoch, payload);
        }
      }
    }
  }

  /**
   * Runs `work` when every earlier mutation of the vDisk has finished, and holds later ones
   * back until it has. The scrubber deletes versions under it, so that it never deletes a
   * key that a concurrent write has just rewritten.
   */
  async exclusive<T>(vdiskId: number, work: () => Promise<T>): Promise<T> {
    // Whatever is queued from now on comes after the open write group: it takes no more.
    this.openGroups.delete(vdiskId);
    const previous = this.mutationTails.get(vdiskId) ?? Promise.resolve();
    const result = previous.then(work, work);
    const tail = result.then(() => undefined, () => undefined);
    this.mutationTails.set(vdiskId, tail);
    try {
      return await result;
    } finally {
      if (this.mutationTails.get(vdiskId) === tail) this.mutationTails.delete(vdiskId);
    }
  }

  private checkOpen(): void {
    if (this.db.status !== 'open') throw new VstorError('NOT_OPEN', `the block store's database is ${this.db.status}`);
  }

  /** Checks a vDisk and its parent chain, which must be short and free of cycles. */
  private checkLayout(vdisk: VDiskLayout): void {
    const seen = new Set<number>();
    let layout: VDiskLayout | undefined = vdisk;
    while (layout !== undefined) {
      this.checkVDiskId(layout.id);
      if (!Number.isSafeInteger(layout.sizeBytes) || layout.sizeBytes < 0 || layout.sizeBytes > VDISK_BYTES_MAX) {
        throw new VstorError('INVALID_ARGUMENT', `vdisk ${layout.id} size must be an integer in [0, ${VDISK_BYTES_MAX}] bytes, got ${layout.sizeBytes}`);
      }
      if (seen.has(layout.id)) throw new VstorError('INVALID_ARGUMENT', `vdisk ${vdisk.id}'s parent chain returns to vdisk ${layout.id}`);
      seen.add(layout.id);
      if (seen.size > CLONE_DEPTH_MAX) {
        throw new VstorError('INVALID_ARGUMENT', `vdisk ${vdisk.id}'s parent chain is longer than ${CLONE_DEPTH_MAX} vdisks`);
      }
      if (layout.parent !== undefined) this.checkEpoch(layout.parent.epoch);
      layout = layout.parent?.vdisk;
    }
  }

  private checkVDiskId(vdiskId: number): void {
    if (!Number.isInteger(vdiskId) || vdiskId < 0 || vdiskId > VDISK_ID_MAX) {
      throw new VstorError('INVALID_ARGUMENT', `vdisk id must be an integer in [0, ${VDISK_ID_MAX}], got ${vdiskId}`);
    }
  }

  private checkEpoch(epoch: number): void {
    if (!Number.isInteger(epoch) || epoch < 0 || epoch > EPOCH_MAX) {
      throw new VstorError('INVALID_ARGUMENT', `epoch must be an integer in [0, ${EPOCH_MAX}], got ${epoch}`);
    }
  }

  /** Snapshots are read-only: only an epoch above every snapshot epoch takes writes. */
  private checkHeadEpoch(vdisk: VDiskLayout, epoch: number): void {
    this.checkEpoch(epoch);
    if (epoch === 0) throw new VstorError('INVALID_ARGUMENT', `vdisk ${vdisk.id}: epoch 0 is before the first write and takes none`);
    for (const snapshotEpoch of vdisk.snapshotEpochs) {
      if (snapshotEpoch >= epoch) {
        throw new VstorError('FAILED_PRECONDITION', `vdisk ${vdisk.id} epoch ${epoch} is not its head: snapshot epoch ${snapshotEpoch} is read-only`);
      }
    }
  }

  private checkRange(vdisk: VDiskLayout, offsetBytes: number, lengthBytes: number, lengthBytesMax: number, what: string): void {
    if (!Number.isSafeInteger(offsetBytes) || offsetBytes < 0 || !Number.isSafeInteger(lengthBytes) || lengthBytes < 0) {
      throw new VstorError('INVALID_ARGUMENT', `${what} offset and length must be non-negative integers, got ${offsetBytes} and ${lengthBytes}`);
    }
    if (lengthBytes > lengthBytesMax) {
      throw new VstorError('INVALID_ARGUMENT', `${what} of ${lengthBytes} bytes exceeds the limit of ${lengthBytesMax} bytes`);
    }
    if (offsetBytes + lengthBytes > vdisk.sizeBytes) {
      throw new VstorError('OUT_OF_RANGE', `${what} [${offsetBytes}, ${offsetBytes + lengthBytes}) is beyond vdisk ${vdisk.id}'s ${vdisk.sizeBytes} bytes`);
    }
  }
}
