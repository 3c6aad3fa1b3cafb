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
// The in-memory log, the reads and the validation of writes are RaftLogBase's
// (raft-log-base.ts), shared with the segment-file log of wal/wal-log-storage.ts. The
// semantics, and the RaftError codes of reads, are those of MemoryStorage in
// consensus/storage.ts: tests/storage/log-storage-suite.ts runs the same tests on all.

import type { ConfState, RaftSnapshot } from '../consensus/types.ts';
import type { BatchOperation, Database } from './engine.ts';
import { VstorError } from './errors.ts';
import { checkPositiveCount } from './raft-log-arguments.ts';
import type { CheckedUpdate, RaftLogStatus } from './raft-log-base.ts';
import { ENTRY_BYTES_MAX_DEFAULT, RaftLogBase, SNAPSHOT_BYTES_MAX_DEFAULT } from './raft-log-base.ts';
import { RaftLogKeys } from './raft-log-keys.ts';
import type { RaftLogState } from './raft-log-load.ts';
import { loadRaftLog } from './raft-log-load.ts';
import { encodeEntry, encodeHardState, encodeLogPosition, encodeSnapshotData, encodeSnapshotMetadata } from './raft-log-records.ts';

export { ENTRY_BYTES_MAX_DEFAULT, SNAPSHOT_BYTES_MAX_DEFAULT } from './raft-log-base.ts';
export type { RaftLogUpdate } from './raft-log-base.ts';

export const PREFIX_DEFAULT = 'raft/';

export interface DurableLogStorageOptions {
  prefix?: string;
  /** The largest entry save() accepts, counted by entryBytes() (payload + fixed overhead). */
  entryBytesMax?: number;
  /** The largest snapshot data save() and createSnapshot() accept. */
  snapshotBytesMax?: number;
}

export type DurableLogStorageStatus = RaftLogStatus;

export class DurableLogStorage extends RaftLogBase {
  private readonly db: Database;
  private readonly keys: RaftLogKeys;

  private constructor(db: Database, keys: RaftLogKeys, limits: { entryBytesMax: number; snapshotBytesMax: number }, state: RaftLogState) {
    super(limits, state);
    this.db = db;
    this.keys = keys;
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

  // Each protected method builds one batch and applies it to memory once durable.

  protected _bootstrap(confState: ConfState): Promise<void> {
    const data = encodeSnapshotData(this.keys.snapshotData, new Uint8Array(0));
    const metadata = { index: 0, term: 0, confState };
    const operations: BatchOperation[] = [
      { type: 'put', key: this.keys.snapshotMetadata, value: encodeSnapshotMetadata(this.keys.snapshotMetadata, { metadata, dataBytes: 0, dataChecksum: data.checksum }) },
      { type: 'put', key: this.keys.snapshotData, value: data.value },
    ];
    return this.write(operations, true, () => {
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

    return this.write(operations, sync, () => this.applyUpdate({ hardState: update.hardState, snapshot: storedSnapshot, entries: storedEntries }));
  }

  protected _createSnapshot(index: number, confState: ConfState, data: Uint8Array): Promise<RaftSnapshot> {
    const metadata = { index, term: this.term(index), confState };
    const operations: BatchOperation[] = [];
    const raftSnapshot = { metadata, data: this.snapshotOperations(operations, metadata, data) };
    return this.write(operations, true, () => {
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
    return this.write(operations, true, () => {
      state.entries.splice(0, compactIndex - state.compactionPoint.index);
      state.compactionPoint = compactionPoint;
    });
  }

  /** The database belongs to the caller and stays open. */
  protected _close(): Promise<void> {
    return Promise.resolve();
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

  private write(operations: BatchOperation[], sync: boolean, apply: () => void): Promise<void> {
    return this.commit(() => this.db.batch(operations, { sync }), apply);
  }
}
