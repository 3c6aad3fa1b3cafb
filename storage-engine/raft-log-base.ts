// What every durable Raft log store shares, whatever it writes to: the whole retained log
// held in memory (the core reads it synchronously, in the middle of stepping a message), the
// read side of LogStorage answered from there, and the write side's public edge, which
// validates each request against the state it will change and hands a checked request to
// the subclass's protected counterpart (abstract-level's put() → _put()). A subclass makes
// the change durable and calls commit(), which changes memory only once the write resolved:
// a failed write leaves memory as it was and the store 'failed'.
//
// DurableLogStorage (raft-log-storage.ts, one database batch per write) and WalLogStorage
// (wal/wal-log-storage.ts, append-only segment files) both extend it. The semantics, and the
// RaftError codes of reads, are those of MemoryStorage in consensus/storage.ts:
// tests/storage/log-storage-suite.ts runs the same tests on all of them.

import { assert, RaftError } from '../consensus/errors.ts';
import type { InitialState, LogStorage } from '../consensus/storage.ts';
import { limitSize } from '../consensus/storage.ts';
import type { ConfState, Entry, HardState, RaftSnapshot } from '../consensus/types.ts';
import { VstorError } from './errors.ts';
import { checkConfState, checkCount, checkEntries, checkHardState, checkRaftSnapshot, checkSnapshotData } from './raft-log-arguments.ts';
import type { RaftLogState } from './raft-log-load.ts';

/** As in cluster.yaml; measured as the core measures an entry (entryBytes()). */
export const ENTRY_BYTES_MAX_DEFAULT = 1024 * 1024;
/** A snapshot is held in memory whole, so it must stay well within memory. */
export const SNAPSHOT_BYTES_MAX_DEFAULT = 256 * 1024 * 1024;

/** What one Ready asks to persist, in the order it is applied: snapshot, entries, hard state. */
export interface RaftLogUpdate {
  hardState?: HardState;
  entries: readonly Entry[];
  snapshot?: RaftSnapshot;
}

/** 'failed': a write failed, so what the disk holds is unknown (an fsync that fails may have
 * lost earlier unsynced writes too); reads go on from memory, writes are refused until the
 * store is reopened from disk. */
export type RaftLogStatus = 'open' | 'failed' | 'closing' | 'closed';

/** A save() after validation: entries already compacted away are dropped. */
export interface CheckedUpdate {
  hardState: HardState | undefined;
  snapshot: RaftSnapshot | undefined;
  /** Contiguous, starting at most one past the last index the log will have after `snapshot`. */
  entries: Entry[];
}

export abstract class RaftLogBase implements LogStorage {
  protected readonly entryBytesMax: number;
  protected readonly snapshotBytesMax: number;
  protected state: RaftLogState;
  private currentStatus: RaftLogStatus = 'open';
  /** A write failed at some point (the status says so only until close() begins). */
  protected writeFailed = false;
  private writeInFlight: Promise<unknown> | undefined;
  private closing: Promise<void> | undefined;

  protected constructor(limits: { entryBytesMax: number; snapshotBytesMax: number }, state: RaftLogState) {
    this.entryBytesMax = limits.entryBytesMax;
    this.snapshotBytesMax = limits.snapshotBytesMax;
    this.state = state;
  }

  get status(): RaftLogStatus {
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

  // The write side. They are async so that every refusal is a rejection; the checks still
  // run before the first await, so a write is validated against the state it will change.

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
   * Persists one Ready atomically: a snapshot replaces the whole log (as
   * MemoryStorage.applySnapshot does), then entries are appended (replacing any stored
   * suffix from their first index on, and ignoring those already compacted away), then the
   * hard state is set. Resolves once written, and on stable storage if `sync`.
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

  /** Waits for the write in flight, releases what the subclass holds, then refuses further
   * use. Safe to call twice. */
  close(): Promise<void> {
    if (this.closing === undefined) {
      this.currentStatus = 'closing';
      this.closing = (async () => {
        await this.writeInFlight?.catch(() => undefined);
        try {
          await this._close();
        } finally {
          this.currentStatus = 'closed';
          this.state = { ...this.state, entries: [] };
        }
      })();
    }
    return this.closing;
  }

  protected abstract _bootstrap(confState: ConfState): Promise<void>;
  protected abstract _save(update: CheckedUpdate, sync: boolean): Promise<void>;
  protected abstract _createSnapshot(index: number, confState: ConfState, data: Uint8Array): Promise<RaftSnapshot>;
  protected abstract _compact(compactIndex: number): Promise<void>;
  protected abstract _close(): Promise<void>;

  /**
   * Runs one write; `apply` brings memory up to date only once it has resolved. One write
   * at a time: the Raft loop persists one Ready before the next, and a write validated while
   * another is in flight would be checked against a state about to change.
   */
  protected commit(write: () => Promise<void>, apply: () => void): Promise<void> {
    const running = (async () => {
      try {
        await write();
      } catch (error) {
        if (this.currentStatus === 'open') this.currentStatus = 'failed';
        this.writeFailed = true;
        throw error;
      } finally {
        this.writeInFlight = undefined;
      }
      apply();
    })();
    this.writeInFlight = running;
    return running;
  }

  /** The state save() leaves in memory, applied by a subclass once its write resolved. */
  protected applyUpdate(update: { hardState: HardState | undefined; snapshot: RaftSnapshot | undefined; entries: readonly Entry[] }): void {
    const { state } = this;
    if (update.snapshot !== undefined) {
      state.raftSnapshot = update.snapshot;
      state.compactionPoint = { index: update.snapshot.metadata.index, term: update.snapshot.metadata.term };
      state.entries = [];
    }
    if (update.entries.length > 0) {
      state.entries.length = update.entries[0]!.index - state.compactionPoint.index - 1;
      for (const entry of update.entries) state.entries.push(entry);
    }
    if (update.hardState !== undefined) state.hardState = update.hardState;
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
