// What the durable Raft log stores share behind the conformance suite's interface: every
// read and write goes to the store (a RaftLogBase); each subclass says how it is reopened
// from disk, and may reopen after every write.
import type { InitialState } from '../../consensus/storage.ts';
import type { ConfState, Entry, HardState, RaftSnapshot } from '../../consensus/types.ts';
import type { RaftLogBase } from '../../storage-engine/raft-log-base.ts';
import type { LogStorageUnderTest } from './log-storage-suite.ts';

export abstract class StoreUnderTest<Store extends RaftLogBase> implements LogStorageUnderTest {
  constructor(
    public storage: Store,
    /** Whether the suite's saves are synced. */
    protected readonly sync: boolean,
  ) {}

  abstract reopen(): Promise<void>;
  abstract close(): Promise<void>;

  /** Runs a write; a subclass may reopen after it, so that later reads come from disk. */
  protected write<T>(run: () => Promise<T>): Promise<T> {
    return run();
  }

  initialState(): InitialState {
    return this.storage.initialState();
  }
  entries(lo: number, hi: number, bytesMax: number): Entry[] {
    return this.storage.entries(lo, hi, bytesMax);
  }
  term(index: number): number {
    return this.storage.term(index);
  }
  lastIndex(): number {
    return this.storage.lastIndex();
  }
  firstIndex(): number {
    return this.storage.firstIndex();
  }
  snapshot(): RaftSnapshot {
    return this.storage.snapshot();
  }
  bootstrap(confState: ConfState): Promise<void> {
    return this.write(() => this.storage.bootstrap(confState));
  }
  setHardState(hardState: HardState): Promise<void> {
    return this.write(() => this.storage.save({ hardState, entries: [] }, { sync: this.sync }));
  }
  append(entries: readonly Entry[]): Promise<void> {
    return this.write(() => this.storage.save({ entries }, { sync: this.sync }));
  }
  applySnapshot(snapshot: RaftSnapshot): Promise<void> {
    return this.write(() => this.storage.save({ snapshot, entries: [] }, { sync: this.sync }));
  }
  createSnapshot(index: number, confState: ConfState, data: Uint8Array): Promise<RaftSnapshot> {
    return this.write(() => this.storage.createSnapshot(index, confState, data));
  }
  compact(compactIndex: number): Promise<void> {
    return this.write(() => this.storage.compact(compactIndex));
  }
}
