// The log as the core reads it (etcd's Storage), and MemoryStorage, the reference
// implementation every other LogStorage is measured against by the conformance suite in
// tests/storage/. The core only reads through this interface; the application writes
// (append, snapshot, compact) in its Raft loop, between ready() and advance().

import { assert, RaftError } from './errors.ts';
import type { ConfState, Entry, HardState, RaftSnapshot } from './types.ts';
import { emptyHardState, emptyRaftSnapshot, entryBytes, EntryType } from './types.ts';

export interface InitialState {
  hardState: HardState;
  confState: ConfState;
}

/**
 * Reads must be synchronous: the core calls them in the middle of stepping a message. A
 * durable implementation therefore keeps the retained log in memory and writes through.
 *
 * Errors: a RaftError COMPACTED for an index older than firstIndex() (and, for term(),
 * older than firstIndex() - 1), UNAVAILABLE for an index past lastIndex().
 */
export interface LogStorage {
  initialState(): InitialState;
  /** Entries in [lo, hi), at least one if any, and no more than `bytesMax` beyond the first. */
  entries(lo: number, hi: number, bytesMax: number): Entry[];
  /** The term of entry `index`; valid for firstIndex() - 1 (the snapshot's) to lastIndex(). */
  term(index: number): number;
  lastIndex(): number;
  /** The index of the first entry still available: the compaction point + 1 (the last
   * snapshot's index + 1 unless the log was compacted past or short of it). */
  firstIndex(): number;
  /** The most recent snapshot; SNAPSHOT_TEMPORARILY_UNAVAILABLE if it is being made. */
  snapshot(): RaftSnapshot;
}

/** The longest prefix of `entries` whose total size is within `bytesMax`, never empty. */
export function limitSize(entries: Entry[], bytesMax: number): Entry[] {
  if (entries.length <= 1) return entries;
  let size = entryBytes(entries[0]!);
  let count = 1;
  for (; count < entries.length; count++) {
    size += entryBytes(entries[count]!);
    if (size > bytesMax) break;
  }
  return count === entries.length ? entries : entries.slice(0, count);
}

/**
 * The whole log in an array. `entries[0]` is a placeholder holding the snapshot's index and
 * term, so that term(firstIndex() - 1) needs no special case.
 */
export class MemoryStorage implements LogStorage {
  private hardState: HardState = { ...emptyHardState };
  private raftSnapshot: RaftSnapshot = emptyRaftSnapshot();
  private log: Entry[] = [{ term: 0, index: 0, type: EntryType.Normal, data: new Uint8Array(0) }];

  initialState(): InitialState {
    return { hardState: { ...this.hardState }, confState: this.raftSnapshot.metadata.confState };
  }

  /** Records the initial membership of a brand-new cluster (the placeholder snapshot at 0). */
  bootstrap(confState: ConfState): void {
    assert(this.lastIndex() === 0 && this.raftSnapshot.metadata.index === 0, 'bootstrap() needs an empty storage');
    this.raftSnapshot = { metadata: { index: 0, term: 0, confState }, data: this.raftSnapshot.data };
  }

  setHardState(hardState: HardState): void {
    this.hardState = { ...hardState };
  }

  entries(lo: number, hi: number, bytesMax: number): Entry[] {
    const offset = this.log[0]!.index;
    if (lo <= offset) throw new RaftError('COMPACTED', `index ${lo} is compacted (first index ${offset + 1})`);
    assert(hi <= this.lastIndex() + 1, () => `entries(${lo}, ${hi}) is past the last index ${this.lastIndex()}`);
    if (this.log.length === 1) throw new RaftError('UNAVAILABLE', `no entries after the snapshot at ${offset}`);
    return limitSize(this.log.slice(lo - offset, hi - offset), bytesMax);
  }

  term(index: number): number {
    const offset = this.log[0]!.index;
    if (index < offset) throw new RaftError('COMPACTED', `index ${index} is compacted (first index ${offset + 1})`);
    if (index - offset >= this.log.length) {
      throw new RaftError('UNAVAILABLE', `index ${index} is past the last index ${this.lastIndex()}`);
    }
    return this.log[index - offset]!.term;
  }

  lastIndex(): number {
    return this.log[0]!.index + this.log.length - 1;
  }

  firstIndex(): number {
    return this.log[0]!.index + 1;
  }

  snapshot(): RaftSnapshot {
    return this.raftSnapshot;
  }

  /** Replaces the whole log with a snapshot received from the leader. */
  applySnapshot(snapshot: RaftSnapshot): void {
    const { index, term } = snapshot.metadata;
    if (index <= this.raftSnapshot.metadata.index) {
      throw new RaftError('SNAPSHOT_OUT_OF_DATE', `snapshot at ${index} is not newer than ${this.raftSnapshot.metadata.index}`);
    }
    this.raftSnapshot = snapshot;
    this.log = [{ term, index, type: EntryType.Normal, data: new Uint8Array(0) }];
  }

  /** Records a snapshot of the state machine taken at `index` (already applied). */
  createSnapshot(index: number, confState: ConfState, data: Uint8Array): RaftSnapshot {
    if (index <= this.raftSnapshot.metadata.index) {
      throw new RaftError('SNAPSHOT_OUT_OF_DATE', `snapshot at ${index} is not newer than ${this.raftSnapshot.metadata.index}`);
    }
    const offset = this.log[0]!.index;
    if (index < offset) throw new RaftError('COMPACTED', `snapshot index ${index} is compacted (first index ${offset + 1})`);
    assert(index <= this.lastIndex(), () => `snapshot index ${index} is past the last index ${this.lastIndex()}`);
    this.raftSnapshot = {
      metadata: { index, term: this.log[index - offset]!.term, confState },
      data,
    };
    return this.raftSnapshot;
  }

  /** Discards entries up to and including `compactIndex`, which must be applied already. */
  compact(compactIndex: number): void {
    const offset = this.log[0]!.index;
    if (compactIndex <= offset) throw new RaftError('COMPACTED', `index ${compactIndex} is already compacted`);
    assert(compactIndex <= this.lastIndex(), () => `compact(${compactIndex}) is past the last index ${this.lastIndex()}`);
    const placeholder = this.log[compactIndex - offset]!;
    this.log = [
      { term: placeholder.term, index: placeholder.index, type: EntryType.Normal, data: new Uint8Array(0) },
      ...this.log.slice(compactIndex - offset + 1),
    ];
  }

  /**
   * Appends entries, truncating any conflicting suffix: an entry at an index already in the
   * log replaces it and everything after it.
   */
  append(entries: readonly Entry[]): void {
    if (entries.length === 0) return;
    for (let i = 1; i < entries.length; i++) {
      assert(entries[i]!.index === entries[i - 1]!.index + 1 && entries[i]!.term >= entries[i - 1]!.term,
        () => `appended entries must be contiguous with non-decreasing terms (at ${entries[i - 1]!.index} → ${entries[i]!.index})`);
    }
    const first = this.firstIndex();
    const last = entries[0]!.index + entries.length - 1;
    if (last < first) return; // everything given is already compacted
    const fresh = first > entries[0]!.index ? entries.slice(first - entries[0]!.index) : entries;
    const at = fresh[0]!.index - this.log[0]!.index;
    assert(at <= this.log.length, () => `missing log entries: last index ${this.lastIndex()}, appending at ${fresh[0]!.index}`);
    if (at < this.log.length) this.log.length = at;
    for (const entry of fresh) this.log.push(entry);
  }
}
