// WalLogStorage behind the conformance suite's interface, in a temp dir of its own.
// reopen() closes the store and opens it again, so that what the suite reads afterwards can
// only have come from the segment files. Segments are small, so that the suite's logs span
// several of them and cross segment boundaries, compaction and snapshots together.

import path from 'node:path';
import type { ExecutionContext } from 'ava';
import type { InitialState } from '../../consensus/storage.ts';
import type { ConfState, Entry, HardState, RaftSnapshot } from '../../consensus/types.ts';
import type { WalLogStorageOptions } from '../../storage-engine/wal/wal-log-storage.ts';
import { WalLogStorage } from '../../storage-engine/wal/wal-log-storage.ts';
import type { LogStorageUnderTest } from './log-storage-suite.ts';
import { temporaryDirectory } from './temp-dir.ts';

export const SMALL_SEGMENT_BYTES = 4096;

export class WalStorageUnderTest implements LogStorageUnderTest {
  readonly location: string;
  private readonly options: WalLogStorageOptions;
  private readonly sync: boolean;
  private readonly reopenAfterWrites: boolean;
  storage: WalLogStorage;

  private constructor(location: string, options: WalLogStorageOptions, sync: boolean, reopenAfterWrites: boolean, storage: WalLogStorage) {
    this.location = location;
    this.options = options;
    this.sync = sync;
    this.reopenAfterWrites = reopenAfterWrites;
    this.storage = storage;
  }

  static async open(location: string, options: WalLogStorageOptions, sync: boolean, reopenAfterWrites = false): Promise<WalStorageUnderTest> {
    return new WalStorageUnderTest(location, options, sync, reopenAfterWrites, await WalLogStorage.open(location, options));
  }

  /** Runs a write; with reopenAfterWrites, every later read comes from a fresh replay. */
  private async write<T>(run: () => Promise<T>): Promise<T> {
    const result = await run();
    if (this.reopenAfterWrites) await this.reopen();
    return result;
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

  async reopen(): Promise<void> {
    await this.storage.close();
    this.storage = await WalLogStorage.open(this.location, this.options);
  }

  close(): Promise<void> {
    return this.storage.close();
  }
}

/**
 * A fresh WAL store; `sync` says whether the suite's saves ask for fdatasync, and
 * `reopenAfterWrites` whether it is reopened from disk after every successful write.
 */
export async function createWalStorageUnderTest(t: ExecutionContext, options: WalLogStorageOptions = { segmentBytes: SMALL_SEGMENT_BYTES }, sync = false, reopenAfterWrites = false): Promise<WalStorageUnderTest> {
  const directory = await temporaryDirectory(t, 'wal');
  const storage = await WalStorageUnderTest.open(path.join(directory, 'wal'), options, sync, reopenAfterWrites);
  t.teardown(() => storage.close());
  return storage;
}
