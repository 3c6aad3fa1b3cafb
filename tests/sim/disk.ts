// A simulated disk that knows which writes were synced. The running node reads and writes
// `storage`, a MemoryStorage that sees every write at once, the way a process sees its own
// writes through the page cache. Underneath, `durable` holds only what an fsync made safe,
// and every write since the last sync waits in an ordered list. A crash keeps a random
// prefix of that list (writes reach the platter in order, as they do through a write-ahead
// log, but any suffix may be lost) and rebuilds `storage` from what survived.
//
// Taking a Raft snapshot of the state machine syncs, and so does a checkpoint of the state
// machine alone (as a daemon that applies durably writes it): both record an applied index,
// and syncing makes the hard state that committed it durable too.

import { MemoryStorage } from '../../consensus/storage.ts';
import type { ConfState, Entry, HardState, RaftSnapshot } from '../../consensus/types.ts';
import type { SeededRandom } from '../../consensus/random.ts';

export type DiskWrite =
  | { kind: 'ready'; hardState: HardState | undefined; entries: readonly Entry[]; raftSnapshot: RaftSnapshot | undefined }
  | { kind: 'compact'; snapshotIndex: number; confState: ConfState; data: Uint8Array; compactIndex: number }
  | { kind: 'checkpoint'; image: StateMachineImage };

/** A state machine's serialised state and the index it reflects. */
export interface StateMachineImage {
  index: number;
  data: Uint8Array;
}

/** Past this many unsynced writes the disk syncs by itself, as a page cache flushes. */
export const UNSYNCED_WRITES_MAX = 64;

export interface CrashOutcome {
  unsyncedWrites: number;
  keptWrites: number;
}

function applyWrite(storage: MemoryStorage, write: DiskWrite): void {
  switch (write.kind) {
    case 'ready':
      if (write.raftSnapshot !== undefined) storage.applySnapshot(write.raftSnapshot);
      storage.append(write.entries);
      if (write.hardState !== undefined) storage.setHardState(write.hardState);
      break;
    case 'compact':
      storage.createSnapshot(write.snapshotIndex, write.confState, write.data);
      if (write.compactIndex > 0) storage.compact(write.compactIndex);
      break;
    case 'checkpoint':
      break;
  }
}

function hasMembers(confState: ConfState): boolean {
  return confState.voters.length > 0 || confState.learners.length > 0;
}

/**
 * A new MemoryStorage holding the same snapshot, entries and hard state. The log may start
 * before the snapshot (compaction keeps some entries for slow followers), so it is rebuilt
 * from its first entry and the snapshot is taken again on top of it.
 */
export function copyStorage(from: MemoryStorage): MemoryStorage {
  const to = new MemoryStorage();
  const raftSnapshot = from.snapshot();
  const { index: snapshotIndex, confState } = raftSnapshot.metadata;
  const offset = from.firstIndex() - 1;
  if (offset > 0) {
    to.applySnapshot(offset === snapshotIndex ? raftSnapshot : {
      metadata: { index: offset, term: from.term(offset), confState }, data: raftSnapshot.data,
    });
  } else if (hasMembers(confState) && snapshotIndex === 0) {
    to.bootstrap(confState);
  }
  const last = from.lastIndex();
  if (last > offset) to.append(from.entries(offset + 1, last + 1, Number.MAX_SAFE_INTEGER));
  if (snapshotIndex > offset) to.createSnapshot(snapshotIndex, confState, raftSnapshot.data);
  to.setHardState(from.initialState().hardState);
  return to;
}

export class SimDisk {
  /** What the running node sees: every write, synced or not. */
  storage = new MemoryStorage();
  private durable = new MemoryStorage();
  private readonly unsynced: DiskWrite[] = [];
  private liveCheckpoint: StateMachineImage | undefined;
  private durableCheckpoint: StateMachineImage | undefined;
  writeCount = 0;
  syncCount = 0;
  /**
   * A broken disk for proving the checkers: fsync returns without making anything durable
   * (only the page cache's own flush, past UNSYNCED_WRITES_MAX writes, does).
   */
  fsyncLies = false;

  /** Sets the initial membership of an empty disk; durable at once, as installation is. */
  bootstrap(confState: ConfState): void {
    this.durable.bootstrap(confState);
    this.storage.bootstrap(confState);
  }

  get unsyncedWrites(): number {
    return this.unsynced.length;
  }

  /** Persists one Ready's hard state, entries and snapshot as one write. */
  writeReady(hardState: HardState | undefined, entries: readonly Entry[], raftSnapshot: RaftSnapshot | undefined, sync: boolean): void {
    this.write({ kind: 'ready', hardState, entries, raftSnapshot }, sync);
  }

  /** Takes a Raft snapshot of the state machine at `snapshotIndex` (applied) and drops the log
   * up to `compactIndex` (0: keep the log, a checkpoint). */
  compact(snapshotIndex: number, confState: ConfState, data: Uint8Array, compactIndex: number): void {
    this.write({ kind: 'compact', snapshotIndex, confState, data, compactIndex }, true);
  }

  /** Persists the state machine's image without touching the log. */
  checkpoint(image: StateMachineImage): void {
    this.write({ kind: 'checkpoint', image }, true);
  }

  /** The newest state machine image: the last checkpoint or Raft snapshot, whichever is newer. */
  stateMachineImage(): StateMachineImage {
    const raftSnapshot = this.storage.snapshot();
    const checkpoint = this.liveCheckpoint;
    if (checkpoint !== undefined && checkpoint.index > raftSnapshot.metadata.index) return checkpoint;
    return { index: raftSnapshot.metadata.index, data: raftSnapshot.data };
  }

  sync(): void {
    if (this.fsyncLies && this.unsynced.length < UNSYNCED_WRITES_MAX) return;
    for (const write of this.unsynced) this.applyDurable(write);
    this.unsynced.length = 0;
    this.syncCount++;
  }

  /**
   * Loses the volatile state: a random prefix of the unsynced writes survives; with
   * `loseLastWrite` the newest write never does (the crash hit while it was being made).
   */
  crash(random: SeededRandom, loseLastWrite: boolean): CrashOutcome {
    const unsyncedWrites = this.unsynced.length;
    const candidates = loseLastWrite ? Math.max(0, unsyncedWrites - 1) : unsyncedWrites;
    const keptWrites = random.nextInt(candidates + 1);
    for (let i = 0; i < keptWrites; i++) this.applyDurable(this.unsynced[i]!);
    this.unsynced.length = 0;
    this.storage = copyStorage(this.durable);
    this.liveCheckpoint = this.durableCheckpoint;
    return { unsyncedWrites, keptWrites };
  }

  private write(write: DiskWrite, sync: boolean): void {
    applyWrite(this.storage, write);
    if (write.kind === 'checkpoint') this.liveCheckpoint = write.image;
    this.unsynced.push(write);
    this.writeCount++;
    if (sync || this.unsynced.length >= UNSYNCED_WRITES_MAX) this.sync();
  }

  private applyDurable(write: DiskWrite): void {
    applyWrite(this.durable, write);
    if (write.kind === 'checkpoint') this.durableCheckpoint = write.image;
  }
}
