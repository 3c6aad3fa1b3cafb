// The owner's read cache: verified 4 KiB blocks as the head of their vDisk reads them, kept
// in memory so that a read of a hot block costs a map lookup instead of a LevelDB lookup on
// the thread pool, a record decode and a CRC32C check (Open vStorage's read cache, kept in
// RAM). A vDisk's blocks are written only by its owner and only through the block store,
// which tells the cache about every batch it commits; that is what keeps it coherent.
//
// What an entry means: block `blockIndex` of vDisk `vdiskId`, as a read at the head epoch
// `epoch` resolved it (through the clone chain), with no version of the block written
// since. Writes only ever go to the head, so the same bytes answer a read at any epoch ≥
// `epoch` (the head after later snapshots), but not a read of an older snapshot, which
// goes to the database. Only data is cached; zeros and tombstones are not.
//
// Races. A read that misses registers the blocks it will fill (a token per read). Every
// committed batch, once LevelDB has it, drops the entries and registrations of the blocks
// it touched, before the writer is answered. A read fills only blocks still registered to
// it: one that may have seen the old version, because the write landed while it read,
// fills nothing. A write in flight may still be answered from the old entry, which is
// what a read racing a write may see anyway.
//
// Writes fill it too: a committed batch's data blocks become entries (the views of the
// records it encoded, so nothing is copied), the way a file's writes land in the page cache.
//
// Eviction is CLOCK over a fixed ring of slots (capacity = readCacheBytes / 4 KiB): a hit
// sets an entry's reference bit, and the hand clears bits until it finds an entry without
// one. A lookup is two integer-keyed map lookups and allocates nothing.

import { BLOCK_BYTES } from './keys.ts';

interface CacheEntry {
  readonly vdiskId: number;
  readonly blockIndex: number;
  /** The head epoch of the read that filled it: it answers reads at this epoch or later. */
  readonly epoch: number;
  readonly bytes: Uint8Array;
  referenced: boolean;
  slot: number;
}

export interface BlockCacheStats {
  hits: number;
  misses: number;
  evictions: number;
  /** Entries dropped because a batch touched their block. */
  invalidations: number;
}

export class BlockCache {
  readonly stats: BlockCacheStats = { hits: 0, misses: 0, evictions: 0, invalidations: 0 };
  private readonly byVDisk = new Map<number, Map<number, CacheEntry>>();
  /** Per vDisk, the blocks that reads in flight will fill, and the token of the read. */
  private readonly fills = new Map<number, Map<number, number>>();
  /** Per vDisk, the highest epoch a committed batch has written (see cacheable()). */
  private readonly writtenEpochs = new Map<number, number>();
  private readonly ring: Array<CacheEntry | undefined>;
  private hand = 0;
  private entryCount = 0;
  private nextToken = 1;

  /** `capacityBytes` is rounded down to whole blocks; it must hold at least one. */
  constructor(capacityBytes: number) {
    const slots = Math.floor(capacityBytes / BLOCK_BYTES);
    if (!Number.isSafeInteger(capacityBytes) || slots < 1) {
      throw new RangeError(`a block cache needs at least ${BLOCK_BYTES} bytes, got ${capacityBytes}`);
    }
    this.ring = new Array<CacheEntry | undefined>(slots);
  }

  get entries(): number {
    return this.entryCount;
  }

  /** Payload bytes held (entries × 4 KiB). */
  get bytes(): number {
    return this.entryCount * BLOCK_BYTES;
  }

  get capacityBlocks(): number {
    return this.ring.length;
  }

  /**
   * Whether a read of `vdiskId` at `epoch` may use and fill the cache: the read must be at
   * the head, which the caller vouches for by reading above every snapshot epoch, and no
   * batch this cache has seen may have written a later epoch (a read with a stale head).
   */
  cacheable(vdiskId: number, epoch: number): boolean {
    return epoch >= (this.writtenEpochs.get(vdiskId) ?? 0);
  }

  /** The cached bytes of a block for a head read at `epoch`, or undefined. */
  get(vdiskId: number, blockIndex: number, epoch: number): Uint8Array | undefined {
    const entry = this.byVDisk.get(vdiskId)?.get(blockIndex);
    if (entry === undefined || entry.epoch > epoch) {
      this.stats.misses++;
      return undefined;
    }
    entry.referenced = true;
    this.stats.hits++;
    return entry.bytes;
  }

  /** Registers the blocks a read is about to look up; returns the read's token. */
  beginFill(vdiskId: number, blockIndexes: readonly number[]): number {
    const token = this.nextToken++;
    let fills = this.fills.get(vdiskId);
    if (fills === undefined) this.fills.set(vdiskId, (fills = new Map()));
    for (const blockIndex of blockIndexes) fills.set(blockIndex, token);
    return token;
  }

  /** Caches what the read with `token` found for a block, if no batch touched it since. */
  fill(token: number, vdiskId: number, blockIndex: number, epoch: number, bytes: Uint8Array): void {
    const fills = this.fills.get(vdiskId);
    if (fills?.get(blockIndex) !== token) return;
    fills.delete(blockIndex);
    this.insert(vdiskId, blockIndex, epoch, bytes);
  }

  /** Ends a read's registrations (those a fill or a batch has not already ended). */
  endFill(token: number, vdiskId: number, blockIndexes: readonly number[]): void {
    const fills = this.fills.get(vdiskId);
    if (fills === undefined) return;
    for (const blockIndex of blockIndexes) if (fills.get(blockIndex) === token) fills.delete(blockIndex);
    if (fills.size === 0) this.fills.delete(vdiskId);
  }

  /** A committed batch wrote (or deleted) a version of the block at `epoch`. */
  touched(vdiskId: number, blockIndex: number, epoch: number): void {
    if (epoch > (this.writtenEpochs.get(vdiskId) ?? 0)) this.writtenEpochs.set(vdiskId, epoch);
    this.fills.get(vdiskId)?.delete(blockIndex);
    const entries = this.byVDisk.get(vdiskId);
    const entry = entries?.get(blockIndex);
    if (entry === undefined) return;
    this.stats.invalidations++;
    this.remove(entry, entries!);
  }

  /**
   * A committed batch wrote data for the block at the head epoch `epoch`: the written
   * block becomes the entry (write-through, so that data just written reads from memory,
   * as a file's does from the page cache). `bytes` must never change afterwards.
   */
  wrote(vdiskId: number, blockIndex: number, epoch: number, bytes: Uint8Array): void {
    this.touched(vdiskId, blockIndex, epoch);
    this.insert(vdiskId, blockIndex, epoch, bytes);
  }

  /** Forgets a vDisk altogether (its blocks are being purged). */
  dropVDisk(vdiskId: number): void {
    const entries = this.byVDisk.get(vdiskId);
    if (entries !== undefined) {
      for (const entry of entries.values()) {
        this.ring[entry.slot] = undefined;
        this.entryCount--;
      }
      this.byVDisk.delete(vdiskId);
    }
    this.fills.delete(vdiskId);
  }

  private insert(vdiskId: number, blockIndex: number, epoch: number, bytes: Uint8Array): void {
    const existing = this.byVDisk.get(vdiskId)?.get(blockIndex);
    if (existing !== undefined) this.remove(existing, this.byVDisk.get(vdiskId)!);
    // The map is looked up after eviction, which may have removed it with its last entry.
    const slot = this.freeSlot();
    let entries = this.byVDisk.get(vdiskId);
    if (entries === undefined) this.byVDisk.set(vdiskId, (entries = new Map()));
    const entry: CacheEntry = { vdiskId, blockIndex, epoch, bytes, referenced: false, slot };
    this.ring[slot] = entry;
    entries.set(blockIndex, entry);
    this.entryCount++;
  }

  /** The slot under the hand once CLOCK has passed every referenced entry before it. */
  private freeSlot(): number {
    for (;;) {
      const slot = this.hand;
      this.hand = (this.hand + 1) % this.ring.length;
      const entry = this.ring[slot];
      if (entry === undefined) return slot;
      if (entry.referenced) {
        entry.referenced = false;
        continue;
      }
      this.stats.evictions++;
      this.remove(entry, this.byVDisk.get(entry.vdiskId)!);
      return slot;
    }
  }

  private remove(entry: CacheEntry, entries: Map<number, CacheEntry>): void {
    entries.delete(entry.blockIndex);
    if (entries.size === 0) this.byVDisk.delete(entry.vdiskId);
    this.ring[entry.slot] = undefined;
    this.entryCount--;
  }
}
