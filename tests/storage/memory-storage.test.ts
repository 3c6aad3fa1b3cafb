// Runs the LogStorage conformance suite against MemoryStorage, the reference implementation,
// so that the suite itself is known to describe the reference: a durable store that fails a
// case differs from MemoryStorage, not from a suite that is wrong.

import { MemoryStorage } from '../../consensus/storage.ts';
import type { InitialState } from '../../consensus/storage.ts';
import type { ConfState, Entry, HardState, RaftSnapshot } from '../../consensus/types.ts';
import { registerLogStorageSuite } from './log-storage-suite.ts';
import type { LogStorageUnderTest } from './log-storage-suite.ts';

/** The same store behind the suite's async write methods. */
class MemoryStorageUnderTest implements LogStorageUnderTest {
  private readonly storage = new MemoryStorage();

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
  async bootstrap(confState: ConfState): Promise<void> {
    this.storage.bootstrap(confState);
  }
  async setHardState(hardState: HardState): Promise<void> {
    this.storage.setHardState(hardState);
  }
  async append(entries: readonly Entry[]): Promise<void> {
    this.storage.append(entries);
  }
  async applySnapshot(snapshot: RaftSnapshot): Promise<void> {
    this.storage.applySnapshot(snapshot);
  }
  async createSnapshot(index: number, confState: ConfState, data: Uint8Array): Promise<RaftSnapshot> {
    return this.storage.createSnapshot(index, confState, data);
  }
  async compact(compactIndex: number): Promise<void> {
    this.storage.compact(compactIndex);
  }
}

registerLogStorageSuite({ name: 'MemoryStorage', durable: false, create: async () => new MemoryStorageUnderTest() });
