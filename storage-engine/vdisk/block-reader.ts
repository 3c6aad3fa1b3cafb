// Reading stored block versions: the newest version of a block at an epoch, the fall-through
// of a clone to its parent chain, and the kinds of many blocks at once for allocation maps,
// trims and flatten. Every record whose payload is used is checked (block-record.ts); a
// mismatch is counted and reported to the onCorruption hook before it is thrown, so the
// daemon can log and count it where it happens.
//
// Shared by the block store and the longer jobs that work for it (rollback, flatten,
// purge), which is why it is its own small class rather than protected methods.

import type { ClassicLevel } from 'classic-level';
import { VstorError } from '../errors.ts';
import type { BlockCache } from './block-cache.ts';
import type { BlockVersion } from './block-record.ts';
import { decodeBlockRecord, recordKind } from './block-record.ts';
import type { ChainLayer, VDiskLayout } from './layout.ts';
import { readChain } from './layout.ts';
import { blockKey, blockVersionsBounds, blocksBounds, decodeBlockKey } from './keys.ts';

/**
 * A classic-level database with 'view' keys and values, opened and closed by the caller.
 * classic-level rather than any abstract-level: flush and FUA need its `sync` option.
 */
export type BlockDatabase = ClassicLevel<Uint8Array, Uint8Array>;

export type BatchOperation = { type: 'put'; key: Uint8Array; value: Uint8Array } | { type: 'del'; key: Uint8Array };

/** Work counters: what each operation cost, for metrics and for tests that bound the cost. */
export interface BlockStoreCounters {
  /** Block versions read by point lookups, scans and edge read-modify-writes. */
  blockRowsScanned: number;
  /** Change-index rows read by diff() and rollback(). */
  changeRowsScanned: number;
  /** Versions that trim or write-zeroes deleted because nothing could read them. */
  versionsReclaimed: number;
  /** Records that failed their checksum. */
  corruptBlocks: number;
  /** Flushes that had nothing unsynced to make durable, and so wrote nothing. */
  flushesSkipped: number;
}

/** Where a record failed its checksum. */
export interface CorruptionLocation {
  vdiskId: number;
  blockIndex: number;
  epoch: number;
}

export type BlockKind = 'data' | 'tombstone';

/** The most keys one shared multi-get looks up (see BlockReader.lookup). */
export const LOOKUP_KEYS_MAX = 1024;

/** Point lookups gathered in one event-loop iteration, looked up together. */
interface LookupBatch {
  readonly keys: Uint8Array[];
  readonly waiters: Array<{ start: number; count: number; resolve: (values: Array<Uint8Array | undefined>) => void; reject: (error: unknown) => void }>;
}

export class BlockReader {
  private readonly db: BlockDatabase;
  private readonly counters: BlockStoreCounters;
  private readonly onCorruption: ((location: CorruptionLocation) => void) | undefined;
  private readonly cache: BlockCache | undefined;
  private lookups: LookupBatch | undefined;

  constructor(db: BlockDatabase, counters: BlockStoreCounters, onCorruption?: (location: CorruptionLocation) => void, cache?: BlockCache) {
    this.db = db;
    this.counters = counters;
    this.onCorruption = onCorruption;
    this.cache = cache;
  }

  /** Decodes and verifies one record; a mismatch is counted, reported, then thrown. */
  decode(key: Uint8Array, value: Uint8Array): BlockVersion {
    try {
      return decodeBlockRecord(key, value);
    } catch (error) {
      if (error instanceof VstorError && error.code === 'CORRUPTION') {
        this.counters.corruptBlocks++;
        const fields = decodeBlockKey(key);
        if (fields !== undefined) this.onCorruption?.(fields);
      }
      throw error;
    }
  }

  /**
   * The block as of `epoch`, or undefined for zeros. A vDisk with no version of the block
   * falls through to its parent at the clone's epoch, and so on up the chain; a tombstone
   * stops the fall-through, since it means "zeroed here".
   */
  async readBlock(vdisk: VDiskLayout, epoch: number, blockIndex: number): Promise<Uint8Array | undefined> {
    for (const layer of readChain(vdisk, epoch)) {
      if (blockIndex >= layer.endBlockIndex) break;
      const version = await this.newestVersion(layer.vdiskId, blockIndex, layer.epoch);
      if (version !== undefined) return version.kind === 'data' ? version.bytes : undefined;
    }
    return undefined;
  }

  /**
   * The newest version of one block with epoch ≤ `epoch`. A version written in `epoch`
   * itself is the newest there is, and a point get of it costs a fraction of an iterator's
   * seek (the database's bloom filters answer most misses without a read), so that comes
   * first; only a miss pays for the reverse seek through the older epochs. One row either way.
   */
  async newestVersion(vdiskId: number, blockIndex: number, epoch: number): Promise<BlockVersion | undefined> {
    const key = blockKey(vdiskId, blockIndex, epoch);
    const value = await this.db.get(key);
    if (value !== undefined) {
      this.counters.blockRowsScanned++;
      return this.decode(key, value);
    }
    return epoch === 0 ? undefined : this.newestOlderVersion(vdiskId, blockIndex, epoch);
  }

  /** The newest version of one block with epoch < `epoch`: one reverse seek, one row. */
  private async newestOlderVersion(vdiskId: number, blockIndex: number, epoch: number): Promise<BlockVersion | undefined> {
    const bounds = blockVersionsBounds(vdiskId, blockIndex, epoch - 1);
    for await (const [key, value] of this.db.iterator({ ...bounds, reverse: true, limit: 1 })) {
      this.counters.blockRowsScanned++;
      return this.decode(key, value);
    }
    return undefined;
  }

  /**
   * Blocks [firstBlockIndex, endBlockIndex) as of `epoch`, through the clone chain: for
   * each, its bytes or undefined for zeros. A read at the head takes what the read cache
   * holds (block-cache.ts) and fills it with what it reads. Per layer, one multi-get of
   * every pending block's version in the layer's own epoch, then, for the blocks it
   * missed, one forward scan of their span through the older epochs, rather than one seek
   * per block. A block the layer has no version of falls through to the next layer.
   */
  async readBlocks(vdisk: VDiskLayout, epoch: number, firstBlockIndex: number, endBlockIndex: number): Promise<Array<Uint8Array | undefined>> {
    const found = new Array<Uint8Array | undefined>(endBlockIndex - firstBlockIndex);
    const cache = this.cache !== undefined && isHeadRead(vdisk, epoch) && this.cache.cacheable(vdisk.id, epoch) ? this.cache : undefined;
    let pending: number[] = [];
    for (let blockIndex = firstBlockIndex; blockIndex < endBlockIndex; blockIndex++) {
      const cached = cache?.get(vdisk.id, blockIndex, epoch);
      if (cached === undefined) pending.push(blockIndex);
      else found[blockIndex - firstBlockIndex] = cached;
    }
    if (pending.length === 0) return found;
    const filling = pending;
    const token = cache?.beginFill(vdisk.id, filling);
    try {
      for (const layer of readChain(vdisk, epoch)) {
        if (pending.length > 0 && pending[pending.length - 1]! >= layer.endBlockIndex) pending = pending.filter((blockIndex) => blockIndex < layer.endBlockIndex);
        if (pending.length === 0) break;
        pending = await this.readLayer(layer, pending, (blockIndex, version) => {
          if (version.kind !== 'data') return;
          found[blockIndex - firstBlockIndex] = version.bytes;
          if (token !== undefined) cache!.fill(token, vdisk.id, blockIndex, epoch, version.bytes);
        });
      }
    } finally {
      if (token !== undefined) cache!.endFill(token, vdisk.id, filling);
    }
    return found;
  }

  /**
   * The values of `keys` (undefined where absent). Lookups asked for in one event-loop
   * iteration go to the database as one multi-get, at the end of the iteration: the reads
   * of one socket chunk's NBD requests then cost one thread-pool round trip and one
   * completion callback between them, rather than one each. A call's keys are never split:
   * when the open batch has no room for them (LOOKUP_KEYS_MAX), they start the next one.
   */
  private lookup(keys: Uint8Array[]): Promise<Array<Uint8Array | undefined>> {
    let batch = this.lookups;
    if (batch === undefined || batch.keys.length + keys.length > LOOKUP_KEYS_MAX) {
      const created: LookupBatch = { keys: [], waiters: [] };
      batch = created;
      this.lookups = created;
      setImmediate(() => this.runLookups(created));
    }
    const start = batch.keys.length;
    for (const key of keys) batch.keys.push(key);
    const joined = batch;
    return new Promise((resolve, reject) => joined.waiters.push({ start, count: keys.length, resolve, reject }));
  }

  private runLookups(batch: LookupBatch): void {
    if (this.lookups === batch) this.lookups = undefined;
    this.db.getMany(batch.keys).then(
      (values) => {
        for (const waiter of batch.waiters) waiter.resolve(values.slice(waiter.start, waiter.start + waiter.count));
      },
      (error: unknown) => {
        for (const waiter of batch.waiters) waiter.reject(error);
      },
    );
  }

  /** Resolves what it can of `pending` (ascending) in one layer; returns the rest. */
  private async readLayer(layer: ChainLayer, pending: number[], take: (blockIndex: number, version: BlockVersion) => void): Promise<number[]> {
    const keys = pending.map((blockIndex) => blockKey(layer.vdiskId, blockIndex, layer.epoch));
    const values = await this.lookup(keys);
    const missed: number[] = [];
    for (let index = 0; index < pending.length; index++) {
      const value = values[index];
      if (value === undefined) {
        missed.push(pending[index]!);
        continue;
      }
      this.counters.blockRowsScanned++;
      take(pending[index]!, this.decode(keys[index]!, value));
    }
    if (missed.length === 0 || layer.epoch === 0) return missed;
    if (missed.length === 1) {
      const version = await this.newestOlderVersion(layer.vdiskId, missed[0]!, layer.epoch);
      if (version === undefined) return missed;
      take(missed[0]!, version);
      return [];
    }
    // Versions come in block order, and each block's in epoch order: the last one seen
    // below the layer's epoch is the newest there is.
    const wanted = new Set(missed);
    const newest = new Map<number, [Uint8Array, Uint8Array]>();
    const lastBlockIndex = missed[missed.length - 1]!;
    const bounds = { gte: blockKey(layer.vdiskId, missed[0]!, 0), lt: blockKey(layer.vdiskId, lastBlockIndex, layer.epoch) };
    for await (const [key, value] of this.db.iterator(bounds)) {
      this.counters.blockRowsScanned++;
      const fields = decodeBlockKey(key);
      if (fields === undefined) throw new VstorError('CORRUPTION', `a key in vdisk ${layer.vdiskId}'s block range is not a block key`);
      if (fields.epoch < layer.epoch && wanted.has(fields.blockIndex)) newest.set(fields.blockIndex, [key, value]);
    }
    const rest: number[] = [];
    for (const blockIndex of missed) {
      const entry = newest.get(blockIndex);
      if (entry === undefined) rest.push(blockIndex);
      else take(blockIndex, this.decode(entry[0], entry[1]));
    }
    return rest;
  }

  /** The epoch of the newest (or, with `oldest`, the oldest) version ≤ epochMax, key only. */
  async versionEpoch(vdiskId: number, blockIndex: number, epochMax: number, which: 'newest' | 'oldest'): Promise<number | undefined> {
    const bounds = blockVersionsBounds(vdiskId, blockIndex, epochMax);
    for await (const key of this.db.keys({ ...bounds, reverse: which === 'newest', limit: 1 })) {
      this.counters.blockRowsScanned++;
      return decodeBlockKey(key)?.epoch;
    }
    return undefined;
  }

  /** One forward scan: for each block with a version ≤ epoch, the kind of the newest one. */
  async *newestKinds(vdiskId: number, epoch: number, firstBlockIndex: number, endBlockIndex: number): AsyncGenerator<[number, BlockKind]> {
    if (endBlockIndex <= firstBlockIndex) return;
    let currentBlockIndex = -1;
    let newestKind: BlockKind | undefined;
    for await (const [key, value] of this.db.iterator(blocksBounds(vdiskId, firstBlockIndex, endBlockIndex))) {
      this.counters.blockRowsScanned++;
      const fields = decodeBlockKey(key);
      if (fields === undefined) throw new VstorError('CORRUPTION', `a key in vdisk ${vdiskId}'s block range is not a block key`);
      if (fields.blockIndex !== currentBlockIndex) {
        if (newestKind !== undefined) yield [currentBlockIndex, newestKind];
        currentBlockIndex = fields.blockIndex;
        newestKind = undefined;
      }
      // Only the kind byte is looked at: a map would otherwise checksum every 4 KiB block
      // it passes. Reads verify what they return.
      if (fields.epoch <= epoch) newestKind = recordKind(value);
    }
    if (newestKind !== undefined) yield [currentBlockIndex, newestKind];
  }

  /**
   * For every block in [first, end) that some layer of the chain has a version of, in
   * block order, the kind a read sees: the nearest layer's newest version wins. One
   * forward scan per layer, merged, so it costs the versions stored in the range, not the
   * range's size.
   */
  async *resolvedKinds(layers: readonly ChainLayer[], firstBlockIndex: number, endBlockIndex: number): AsyncGenerator<[number, BlockKind]> {
    const cursors = layers.map((layer) => ({
      source: this.newestKinds(layer.vdiskId, layer.epoch, firstBlockIndex, Math.min(endBlockIndex, layer.endBlockIndex)),
      head: undefined as [number, BlockKind] | undefined,
    }));
    const advance = async (cursor: (typeof cursors)[number]): Promise<void> => {
      const next = await cursor.source.next();
      cursor.head = next.done === true ? undefined : next.value;
    };
    try {
      for (const cursor of cursors) await advance(cursor);
      for (;;) {
        let blockIndex = Number.POSITIVE_INFINITY;
        for (const cursor of cursors) if (cursor.head !== undefined && cursor.head[0] < blockIndex) blockIndex = cursor.head[0];
        if (blockIndex === Number.POSITIVE_INFINITY) return;
        let kind: BlockKind | undefined;
        for (const cursor of cursors) {
          if (cursor.head?.[0] !== blockIndex) continue;
          kind ??= cursor.head[1];
          await advance(cursor);
        }
        yield [blockIndex, kind!];
      }
    } finally {
      // A consumer that stops early must not leave the layers' iterators open.
      for (const cursor of cursors) await cursor.source.return(undefined);
    }
  }

  /** resolvedKinds() of a read at `epoch` of `vdisk`, as a map (for bounded ranges). */
  async resolveKinds(vdisk: VDiskLayout, epoch: number, firstBlockIndex: number, endBlockIndex: number): Promise<Map<number, BlockKind>> {
    const kinds = new Map<number, BlockKind>();
    for await (const [blockIndex, kind] of this.resolvedKinds(readChain(vdisk, epoch), firstBlockIndex, endBlockIndex)) kinds.set(blockIndex, kind);
    return kinds;
  }
}

/** Whether a read at `epoch` is at the head: above every epoch a snapshot still reads. */
function isHeadRead(vdisk: VDiskLayout, epoch: number): boolean {
  for (const snapshotEpoch of vdisk.snapshotEpochs) if (snapshotEpoch >= epoch) return false;
  return true;
}

/** What the longer jobs (rollback, flatten, purge) use of the block store. */
export interface BlockEngine {
  readonly db: BlockDatabase;
  readonly reader: BlockReader;
  readonly counters: BlockStoreCounters;
  /** The most blocks (or, for purge, rows) one batch of such a job takes. */
  readonly batchBlocksMax: number;
  /** Writes one atomic batch; with `sync`, it and every batch before it are durable. */
  commit(operations: BatchOperation[], sync: boolean): Promise<void>;
  /** Runs `work` under the vDisk's mutation lock (BlockStore.exclusive). */
  exclusive<T>(vdiskId: number, work: () => Promise<T>): Promise<T>;
}

/** Up to `limit` keys of a range, in order (a job's next batch of rows). */
export async function readKeys(db: BlockDatabase, range: { gte?: Uint8Array; gt?: Uint8Array; lt: Uint8Array }, limit: number): Promise<Uint8Array[]> {
  const keys: Uint8Array[] = [];
  for await (const key of db.keys({ ...range, limit })) keys.push(key);
  return keys;
}
