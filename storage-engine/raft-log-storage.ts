// DurableLogStorage: the Raft log on disk, written through from a copy kept in memory.
//
// The core reads its log synchronously, in the middle of stepping a message, so the whole
// retained log (from the compaction point to the last index) is held in memory and every
// read is answered from there. Every write is one atomic batch, and memory changes only
// after the batch has resolved (durably, when `sync` was asked for): a failed write leaves
// memory and disk as they were. Memory stays bounded by what the application retains,
// because compaction drops entries from both.
//
// Key layout, under a printable-ASCII prefix P (default "raft/") so that several logs and
// other data can share one database:
//
//   P 0x01                    hard state         term, vote, commit
//   P 0x02                    compaction point   index and term of entry firstIndex() - 1
//   P 0x03                    snapshot metadata  index, term, confState, and the length and
//                                                checksum of the snapshot data record
//   P 0x04                    snapshot data      the state machine image
//   P 0x05 <index, u64 BE>    one entry          index, term, type, data
//
// Entry keys are fixed-width big-endian, so byte order is index order and loading the log
// is one range scan. The compaction point has a record of its own because compact() may go
// past the last snapshot (as in etcd), and then the term of firstIndex() - 1 is nowhere
// else. Snapshot data is kept apart from its metadata so the small record is read without
// the large one; both are written in one batch, and the metadata pins the data record's
// length and checksum so that a mismatched pair is found on load. Every value starts with
// a format version byte and ends with a CRC32C over its key and value (raft-log-records.ts);
// loading checks all of it (raft-log-load.ts).
//
// The semantics, and the RaftError codes of reads, are those of MemoryStorage in
// consensus/storage.ts: tests/storage/log-storage-suite.ts runs the same tests on both.

import { assert, RaftError } from '../consensus/errors.ts';
import type { InitialState, LogStorage } from '../consensus/storage.ts';
import { limitSize } from '../consensus/storage.ts';
import type { ConfState, Entry, HardState, RaftSnapshot } from '../consensus/types.ts';
import type { BatchOperation, Database } from './engine.ts';
import { VstorError } from './errors.ts';
import { checkConfState, checkCount, checkEntries, checkHardState, checkPositiveCount, checkRaftSnapshot, checkSnapshotData } from './raft-log-arguments.ts';
import { RaftLogKeys } from './raft-log-keys.ts';
import type { RaftLogState } from './raft-log-load.ts';
import { loadRaftLog } from './raft-log-load.ts';
import { encodeEntry, encodeHardState, encodeLogPosition, encodeSnapshotData, encodeSnapshotMetadata } from './raft-log-records.ts';

export const PREFIX_DEFAULT = 'raft/';
/** As in cluster.yaml; measured as the core measures an entry (entryBytes()). */
export const ENTRY_BYTES_MAX_DEFAULT = 1024 * 1024;
/** A snapshot is one value in the engine, so it must stay well within memory. */
export const SNAPSHOT_BYTES_MAX_DEFAULT = 256 * 1024 * 1024;

export interface DurableLogStorageOptions {
  prefix?: string;
  /** The largest entry save() accepts, counted by entryBytes() (payload + fixed overhead). */
  entryBytesMax?: number;
  /** The largest snapshot data save() and createSnapshot() accept. */
  snapshotBytesMax?: number;
}

/** What one Ready asks to persist, in the order it is applied: snapshot, entries, hard state. */
export interface RaftLogUpdate {
  hardState?: HardState;
  entries: readonly Entry[];
  snapshot?: RaftSnapshot;
}

/** 'failed': a write failed, so what the disk holds is unknown (an fsync that fails may have
 * lost earlier unsynced writes too); reads go on from memory, writes are refused until the
 * store is reopened from disk. */
export type DurableLogStorageStatus = 'open' | 'failed' | 'closing' | 'closed';

/** A save() after validation: entries already compacted away are dropped. */
interface CheckedUpdate {
  hardState: HardState | undefined;
  snapshot: RaftSnapshot | undefined;
  /** Contiguous, starting at most one past the last index the log will have after `snapshot`. */
  entries: Entry[];
}

export class DurableLogStorage implements LogStorage {
  private readonly db: Database;
  private readonly keys: RaftLogKeys;
  private readonly entryBytesMax: number;
  private readonly snapshotBytesMax: number;
  private state: RaftLogState;
  private currentStatus: DurableLogStorageStatus = 'open';
  private writeInFlight: Promise<void> | undefined;
  private closing: Promise<void> | undefined;

  private constructor(db: Database, keys: RaftLogKeys, limits: { entryBytesMax: number; snapshotBytesMax: number }, state: RaftLogState) {
    this.db = db;
    this.keys = keys;
    this.entryBytesMax = limits.entryBytesMax;
    this.snapshotBytesMax = limits.snapshotBytesMax;
    this.state = state;
  }

  /**
   * Loads the log stored under `prefix` in `db` (an empty log if there is none). The caller
   * keeps ownership of `db`: close() does not close it, so that other stores can share it.
   */
  static async open(db: Database, options: DurableLogStorageOptions = {}): Promise<DurableLogStorage> {
    const keys = new RaftLogKeys(options.prefix ?? PREFIX_DEFAULT);
    const entryBytesMax = checkPositiveCount('entryBytesMax', options.entryBytesMax ?? ENTRY_BYTES_MAX_DEFAULT);
    const snapshotBytesMax = checkPositiveCount('snapshotBytesMax', options.snapshotBytesMax ?? SNAPSHOT_BYTES_MAX_DEFAULT);
    if (db.status !== 'open') throw new VstorError('NOT_OPEN', `the database is ${db.status}, not open`);
    const state = await loadRaftLog(db, keys);
    return new DurableLogStorage(db, keys, { entryBytesMax, snapshotBytesMax }, state);
  }

  get status(): DurableLogStorageStatus {
    return this.currentStatus;
  }

  // The read side (LogStorage). Reads stay allowed while close() waits for a write.

  initialState(): InitialState {
    this.checkReadable();
    return { hardState: { ...this.state.hardState }, confState: this.state.raftSnapshot.metadata.confState };
  }

  entries(lo: number, hi: number, bytesMax: number): Entry[] {
    this.checkReadable();
    const { compactionPoint, entries } = this.state;
    if (lo <= compactionPoint.index) throw new RaftError('COMPACTED', `index ${lo} is compacted (first index ${compactionPoint.index + 1})`);
    assert(hi <= this.lastIndex() + 1, () => `entries(${lo}, ${hi}) is past the last index ${this.lastIndex()}`);
    assert(lo <= hi, () => `entries(${lo}, ${hi}) asks for a negative range`);
    if (entries.length === 0) throw new RaftError('UNAVAILABLE', `no entries after the compaction point ${compactionPoint.index}`);
    return limitSize(entries.slice(lo - compactionPoint.index - 1, hi - compactionPoint.index - 1), bytesMax);
  }

  term(index: number): number {
    this.checkReadable();
    const { compactionPoint, entries } = this.state;
    if (index < compactionPoint.index) throw new RaftError('COMPACTED', `index ${index} is compacted (first index ${compactionPoint.index + 1})`);
    if (index > this.lastIndex()) throw new RaftError('UNAVAILABLE', `index ${index} is past the last index ${this.lastIndex()}`);
    return index === compactionPoint.index ? compactionPoint.term : entries[index - compactionPoint.index - 1]!.term;
  }

  lastIndex(): number {
    this.checkReadable();
    return this.state.compactionPoint.index + this.state.entries.length;
  }

  firstIndex(): number {
    this.checkReadable();
    return this.state.compactionPoint.index + 1;
  }

  snapshot(): RaftSnapshot {
    this.checkReadable();
    return this.state.raftSnapshot;
  }

  // The write side. Each public method validates and then hands a checked request to its
  // protected counterpart, which builds one batch and applies it to memory once durable.
  // They are async so that every refusal is a rejection; the checks still run before the
  // first await, so a write is validated against the state it will change.

  /** Records the initial membership of a brand-new log, as the snapshot at index 0. */
  async bootstrap(confState: ConfState): Promise<void> {
    this.checkWritable();
    const checked = checkConfState(confState);
    assert(
      this.lastIndex() === 0 && this.state.raftSnapshot.metadata.index === 0,
      () => `bootstrap() needs an empty log; this one has a snapshot at ${this.state.raftSnapshot.metadata.index} and last index ${this.lastIndex()}`,
    );
    return this._bootstrap(checked);
  }

  /**
   * Persists one Ready in one atomic batch: a snapshot replaces the whole log (as
   * MemoryStorage.applySnapshot does), then entries are appended (replacing any stored
   * suffix from their first index on, and ignoring those already compacted away), then the
   * hard state is set. Resolves once the batch is written, and on stable storage if `sync`.
   */
  async save(update: RaftLogUpdate, options: { sync: boolean }): Promise<void> {
    this.checkWritable();
    if (typeof options !== 'object' || options === null || typeof options.sync !== 'boolean') {
      throw new VstorError('INVALID_ARGUMENT', 'save() needs options { sync: boolean }');
    }
    return this._save(this.checkUpdate(update), options.sync);
  }

  /** Records a snapshot of the state machine at `index` (already applied); always synced. */
  async createSnapshot(index: number, confState: ConfState, data: Uint8Array): Promise<RaftSnapshot> {
    this.checkWritable();
    checkCount('the snapshot index', index);
    const checkedConfState = checkConfState(confState);
    const checkedData = checkSnapshotData(data, this.snapshotBytesMax);
    const snapshotIndex = this.state.raftSnapshot.metadata.index;
    if (index <= snapshotIndex) throw new RaftError('SNAPSHOT_OUT_OF_DATE', `snapshot at ${index} is not newer than ${snapshotIndex}`);
    assert(index <= this.lastIndex(), () => `snapshot index ${index} is past the last index ${this.lastIndex()}`);
    // MemoryStorage has no such check: it would read outside its log. The term of a
    // compacted entry is gone, so no snapshot can be made there.
    if (index < this.state.compactionPoint.index) {
      throw new RaftError('COMPACTED', `index ${index} is compacted (first index ${this.firstIndex()})`);
    }
    return this._createSnapshot(index, checkedConfState, checkedData);
  }

  /** Discards entries up to and including `compactIndex`, which must be applied already. */
  async compact(compactIndex: number): Promise<void> {
    this.checkWritable();
    checkCount('the compaction index', compactIndex);
    if (compactIndex <= this.state.compactionPoint.index) throw new RaftError('COMPACTED', `index ${compactIndex} is already compacted`);
    assert(compactIndex <= this.lastIndex(), () => `compact(${compactIndex}) is past the last index ${this.lastIndex()}`);
    return this._compact(compactIndex);
  }

  /** Waits for the write in flight, then refuses further use. Safe to call twice. Does not close the database. */
  close(): Promise<void> {
    if (this.closing === undefined) {
      this.currentStatus = 'closing';
      this.closing = (async () => {
        await this.writeInFlight?.catch(() => undefined);
        this.currentStatus = 'closed';
        this.state = { ...this.state, entries: [] };
      })();
    }
    return this.closing;
  }

  protected _bootstrap(confState: ConfState): Promise<void> {
    const data = encodeSnapshotData(this.keys.snapshotData, new Uint8Array(0));
    const metadata = { index: 0, term: 0, confState };
    const operations: BatchOperation[] = [
      { type: 'put', key: this.keys.snapshotMetadata, value: encodeSnapshotMetadata(this.keys.snapshotMetadata, { metadata, dataBytes: 0, dataChecksum: data.checksum }) },
      { type: 'put', key: this.keys.snapshotData, value: data.value },
    ];
    return this.commit(operations, true, () => {
      this.state.raftSnapshot = { metadata, data: data.stored };
    });
  }

  protected _save(update: CheckedUpdate, sync: boolean): Promise<void> {
    const { keys, state } = this;
    const operations: BatchOperation[] = [];
    let storedSnapshot: RaftSnapshot | undefined;
    if (update.snapshot !== undefined) {
      const { metadata } = update.snapshot;
      storedSnapshot = { metadata, data: this.snapshotOperations(operations, metadata, update.snapshot.data) };
      operations.push({ type: 'put', key: keys.compactionPoint, value: encodeLogPosition(keys.compactionPoint, { index: metadata.index, term: metadata.term }) });
    }

    // Delete every stored entry that is neither kept nor overwritten: after a snapshot, all
    // of them; otherwise the suffix past the new last index.
    const fresh = update.entries;
    const storedFirst = state.compactionPoint.index + 1;
    const storedLast = state.compactionPoint.index + state.entries.length;
    const keptThrough = update.snapshot !== undefined ? state.compactionPoint.index : fresh.length > 0 ? fresh[0]!.index - 1 : storedLast;
    const writtenFirst = fresh[0]?.index ?? Infinity;
    const writtenLast = fresh.at(-1)?.index ?? -Infinity;
    for (let index = Math.max(storedFirst, keptThrough + 1); index <= storedLast; index++) {
      if (index < writtenFirst || index > writtenLast) operations.push({ type: 'del', key: keys.entry(index) });
    }
    const storedEntries = fresh.map((entry) => {
      const key = keys.entry(entry.index);
      const { value, stored } = encodeEntry(key, entry);
      operations.push({ type: 'put', key, value });
      return stored;
    });

    if (update.hardState !== undefined) {
      operations.push({ type: 'put', key: keys.hardState, value: encodeHardState(keys.hardState, update.hardState) });
    }

    return this.commit(operations, sync, () => {
      if (storedSnapshot !== undefined) {
        state.raftSnapshot = storedSnapshot;
        state.compactionPoint = { index: storedSnapshot.metadata.index, term: storedSnapshot.metadata.term };
        state.entries = [];
      }
      if (storedEntries.length > 0) {
        state.entries.length = storedEntries[0]!.index - state.compactionPoint.index - 1;
        for (const entry of storedEntries) state.entries.push(entry);
      }
      if (update.hardState !== undefined) state.hardState = update.hardState;
    });
  }

  protected _createSnapshot(index: number, confState: ConfState, data: Uint8Array): Promise<RaftSnapshot> {
    const metadata = { index, term: this.term(index), confState };
    const operations: BatchOperation[] = [];
    const raftSnapshot = { metadata, data: this.snapshotOperations(operations, metadata, data) };
    return this.commit(operations, true, () => {
      this.state.raftSnapshot = raftSnapshot;
    }).then(() => raftSnapshot);
  }

  protected _compact(compactIndex: number): Promise<void> {
    const { keys, state } = this;
    const compactionPoint = { index: compactIndex, term: this.term(compactIndex) };
    const operations: BatchOperation[] = [];
    for (let index = state.compactionPoint.index + 1; index <= compactIndex; index++) {
      operations.push({ type: 'del', key: keys.entry(index) });
    }
    operations.push({ type: 'put', key: keys.compactionPoint, value: encodeLogPosition(keys.compactionPoint, compactionPoint) });
    return this.commit(operations, true, () => {
      state.entries.splice(0, compactIndex - state.compactionPoint.index);
      state.compactionPoint = compactionPoint;
    });
  }

  /** Adds the two snapshot records; returns the in-memory copy of the data. */
  private snapshotOperations(operations: BatchOperation[], metadata: RaftSnapshot['metadata'], data: Uint8Array): Uint8Array {
    const { keys } = this;
    const encoded = encodeSnapshotData(keys.snapshotData, data);
    operations.push(
      { type: 'put', key: keys.snapshotMetadata, value: encodeSnapshotMetadata(keys.snapshotMetadata, { metadata, dataBytes: data.length, dataChecksum: encoded.checksum }) },
      { type: 'put', key: keys.snapshotData, value: encoded.value },
    );
    return encoded.stored;
  }

  /**
   * Writes one batch; `apply` brings memory up to date only once it has resolved. One write
   * at a time: the Raft loop persists one Ready before the next, and a write validated while
   * another is in flight would be checked against a state about to change.
   */
  private commit(operations: BatchOperation[], sync: boolean, apply: () => void): Promise<void> {
    const write = (async () => {
      try {
        await this.db.batch(operations, { sync });
      } catch (error) {
        if (this.currentStatus === 'open') this.currentStatus = 'failed';
        throw error;
      } finally {
        this.writeInFlight = undefined;
      }
      apply();
    })();
    this.writeInFlight = write;
    return write;
  }

  private checkUpdate(update: RaftLogUpdate): CheckedUpdate {
    if (typeof update !== 'object' || update === null) throw new VstorError('INVALID_ARGUMENT', 'save() needs an update object');
    const hardState = update.hardState === undefined ? undefined : checkHardState(update.hardState);
    const snapshot = update.snapshot === undefined ? undefined : checkRaftSnapshot(update.snapshot, this.snapshotBytesMax);
    const entries = checkEntries(update.entries, this.entryBytesMax);

    const snapshotIndex = this.state.raftSnapshot.metadata.index;
    if (snapshot !== undefined && snapshot.metadata.index <= snapshotIndex) {
      throw new RaftError('SNAPSHOT_OUT_OF_DATE', `snapshot at ${snapshot.metadata.index} is not newer than ${snapshotIndex}`);
    }
    // The log the entries are appended to: the stored one, or the empty one the snapshot leaves.
    const base = snapshot === undefined ? this.state.compactionPoint : { index: snapshot.metadata.index, term: snapshot.metadata.term };
    const baseLast = snapshot === undefined ? this.lastIndex() : base.index;
    const fresh = entries.filter((entry) => entry.index > base.index);
    if (fresh.length === 0) return { hardState, snapshot, entries: fresh };

    const first = fresh[0]!;
    if (first.index > baseLast + 1) {
      throw new VstorError('INVALID_ARGUMENT', `entries start at ${first.index}, leaving a gap after the last index ${baseLast}`);
    }
    const previousTerm = first.index - 1 === base.index ? base.term : this.state.entries[first.index - base.index - 2]!.term;
    if (first.term < previousTerm) {
      throw new VstorError('INVALID_ARGUMENT', `entry ${first.index} has term ${first.term}, below the term ${previousTerm} of entry ${first.index - 1}`);
    }
    return { hardState, snapshot, entries: fresh };
  }

  private checkReadable(): void {
    if (this.currentStatus === 'closed') throw new VstorError('NOT_OPEN', 'the Raft log storage is closed');
  }

  private checkWritable(): void {
    if (this.currentStatus === 'failed') {
      throw new VstorError('UNAVAILABLE', 'an earlier write to the Raft log failed, so what is on disk is unknown; reopen the store (restart the node)', { retryable: false });
    }
    if (this.currentStatus !== 'open') throw new VstorError('NOT_OPEN', `the Raft log storage is ${this.currentStatus}`);
    assert(this.writeInFlight === undefined, 'a Raft log write was started while another is in flight; the Raft loop must await each one');
  }
}
