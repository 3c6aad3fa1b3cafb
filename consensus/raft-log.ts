// The log as the core sees it: stable entries in LogStorage followed by unstable ones in
// memory, with the commit and applied indexes. Invariant: applied ≤ committed ≤ lastIndex,
// and firstIndex - 1 ≤ applied once anything is applied.

import { assert, isRaftError, RaftError } from './errors.ts';
import { UnstableLog } from './log-unstable.ts';
import type { LogStorage } from './storage.ts';
import { limitSize } from './storage.ts';
import type { Entry, RaftSnapshot } from './types.ts';
import { entryBytes, EntryType } from './types.ts';

export class RaftLog {
  readonly unstable: UnstableLog;
  /** The highest index known to be committed by a quorum. */
  committed: number;
  /** The highest index the application has applied (as told by advance()). */
  applied: number;

  constructor(
    readonly storage: LogStorage,
    /** The most committed-entry bytes handed out in one Ready. */
    readonly committedBytesPerReadyMax: number,
  ) {
    const firstIndex = storage.firstIndex();
    const lastIndex = storage.lastIndex();
    this.unstable = new UnstableLog(lastIndex + 1);
    this.committed = firstIndex - 1;
    this.applied = firstIndex - 1;
  }

  firstIndex(): number {
    return this.unstable.maybeFirstIndex() ?? this.storage.firstIndex();
  }

  lastIndex(): number {
    return this.unstable.maybeLastIndex() ?? this.storage.lastIndex();
  }

  /** The term of entry `index`, or undefined if it is compacted away or past the end. */
  maybeTerm(index: number): number | undefined {
    if (index + 1 < this.firstIndex() || index > this.lastIndex()) return undefined;
    const unstable = this.unstable.maybeTerm(index);
    if (unstable !== undefined) return unstable;
    try {
      return this.storage.term(index);
    } catch (error) {
      if (isRaftError(error, 'COMPACTED') || isRaftError(error, 'UNAVAILABLE')) return undefined;
      throw error;
    }
  }

  lastTerm(): number {
    const term = this.maybeTerm(this.lastIndex());
    assert(term !== undefined, () => `no term for the last index ${this.lastIndex()}`);
    return term;
  }

  matchTerm(index: number, term: number): boolean {
    return this.maybeTerm(index) === term;
  }

  /**
   * A candidate's log is at least as up to date as ours if its last term is newer, or the
   * same with an index at least as large (Raft §5.4.1).
   */
  isUpToDate(lastIndex: number, term: number): boolean {
    const lastTerm = this.lastTerm();
    return term > lastTerm || (term === lastTerm && lastIndex >= this.lastIndex());
  }

  /**
   * The follower's side of AppendEntries: if our log has (index, logTerm), append `entries`
   * after it, truncating from the first conflict, and learn `committed`. Returns the index
   * of the last new entry, or undefined if the log does not match.
   */
  maybeAppend(index: number, logTerm: number, committed: number, entries: Entry[]): number | undefined {
    if (!this.matchTerm(index, logTerm)) return undefined;
    const lastNewIndex = index + entries.length;
    const conflictIndex = this.findConflict(entries);
    if (conflictIndex !== 0) {
      assert(conflictIndex > this.committed, () => `entry ${conflictIndex} conflicts with committed entry (committed ${this.committed})`);
      this.append(entries.slice(conflictIndex - (index + 1)));
    }
    this.commitTo(Math.min(committed, lastNewIndex));
    return lastNewIndex;
  }

  append(entries: readonly Entry[]): number {
    if (entries.length === 0) return this.lastIndex();
    const after = entries[0]!.index - 1;
    assert(after >= this.committed, () => `appending after ${after} would overwrite committed ${this.committed}`);
    this.unstable.truncateAndAppend(entries);
    return this.lastIndex();
  }

  /** The index of the first given entry whose term differs from ours, or 0 if none does. */
  findConflict(entries: readonly Entry[]): number {
    for (const entry of entries) {
      if (!this.matchTerm(entry.index, entry.term)) return entry.index;
    }
    return 0;
  }

  /**
   * The largest index ≤ `index` whose term is ≤ `term`, and that term: where a leader that
   * has `term` at `index` may find our logs to match. This lets a rejection skip a whole term
   * of divergent entries instead of one entry per round trip.
   */
  findConflictByTerm(index: number, term: number): { index: number; term: number } {
    if (index > this.lastIndex()) return { index, term: 0 };
    for (; index > 0; index--) {
      const ourTerm = this.maybeTerm(index);
      if (ourTerm === undefined) return { index, term: 0 };
      if (ourTerm <= term) return { index, term: ourTerm };
    }
    return { index: 0, term: 0 };
  }

  unstableEntries(): Entry[] {
    return this.unstable.entries;
  }

  /** Committed entries not yet applied, within the per-Ready byte limit. */
  nextCommittedEntries(): Entry[] {
    const lo = Math.max(this.applied + 1, this.firstIndex());
    const hi = this.committed + 1;
    if (lo >= hi) return [];
    return this.slice(lo, hi, this.committedBytesPerReadyMax);
  }

  hasNextCommittedEntries(): boolean {
    return Math.max(this.applied + 1, this.firstIndex()) <= this.committed;
  }

  /** True when committed entries not yet applied include a configuration change. */
  hasUnappliedConfChanges(): boolean {
    let lo = this.applied + 1;
    const hi = this.committed + 1;
    while (lo < hi) {
      const page = this.slice(lo, hi, 1 << 20);
      for (const entry of page) if (entry.type === EntryType.ConfChange) return true;
      lo += page.length;
    }
    return false;
  }

  snapshot(): RaftSnapshot {
    return this.unstable.snapshot ?? this.storage.snapshot();
  }

  hasPendingSnapshot(): boolean {
    return this.unstable.snapshot !== undefined;
  }

  commitTo(index: number): void {
    if (this.committed >= index) return; // never decrease
    assert(index <= this.lastIndex(), () => `commit ${index} is past the last index ${this.lastIndex()}; was the log lost?`);
    this.committed = index;
  }

  appliedTo(index: number): void {
    if (index === 0) return;
    assert(index <= this.committed && index >= this.applied,
      () => `applied ${index} is outside [applied ${this.applied}, committed ${this.committed}]`);
    this.applied = index;
  }

  stableTo(index: number, term: number): void {
    this.unstable.stableTo(index, term);
  }

  stableSnapshotTo(index: number): void {
    this.unstable.stableSnapshotTo(index);
  }

  /** Commits up to `index` if a quorum has it and it is of the current term (Raft §5.4.2). */
  maybeCommit(index: number, term: number): boolean {
    if (index > this.committed && this.maybeTerm(index) === term) {
      this.commitTo(index);
      return true;
    }
    return false;
  }

  restore(snapshot: RaftSnapshot): void {
    this.committed = snapshot.metadata.index;
    this.unstable.restore(snapshot);
  }

  /** Entries from `index` to the end, at least one if any, within `bytesMax`. */
  entriesFrom(index: number, bytesMax: number): Entry[] {
    if (index > this.lastIndex()) return [];
    return this.slice(index, this.lastIndex() + 1, bytesMax);
  }

  /** Entries in [lo, hi) from storage then the unstable tail; throws COMPACTED below firstIndex. */
  slice(lo: number, hi: number, bytesMax: number): Entry[] {
    const firstIndex = this.firstIndex();
    if (lo < firstIndex) throw new RaftError('COMPACTED', `index ${lo} is compacted (first index ${firstIndex})`);
    assert(lo <= hi && hi <= this.lastIndex() + 1, () => `slice [${lo}, ${hi}) out of bounds [${firstIndex}, ${this.lastIndex() + 1})`);
    if (lo === hi) return [];
    const offset = this.unstable.offset;
    let result: Entry[] = [];
    if (lo < offset) {
      const stable = this.storage.entries(lo, Math.min(hi, offset), bytesMax);
      // Storage returned fewer than asked: the byte limit was reached there.
      if (stable.length < Math.min(hi, offset) - lo) return stable;
      result = stable;
    }
    if (hi > offset) {
      const unstable = this.unstable.slice(Math.max(lo, offset), hi);
      result = result.length === 0 ? unstable : result.concat(unstable);
    }
    return limitSize(result, bytesMax);
  }
}

/** Total bytes of entries as the message and Ready limits count them. */
export function entriesBytes(entries: readonly Entry[]): number {
  let total = 0;
  for (const entry of entries) total += entryBytes(entry);
  return total;
}
