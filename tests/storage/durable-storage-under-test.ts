// DurableLogStorage behind the conformance suite's interface, on a database of its own in a
// temp dir of its own. reopen() closes both the store and the database and opens them again,
// so that what the suite reads afterwards can only have come from disk.

import path from 'node:path';
import type { ExecutionContext } from 'ava';
import type { InitialState } from '../../consensus/storage.ts';
import type { ConfState, Entry, HardState, RaftSnapshot } from '../../consensus/types.ts';
import type { Database, EngineName } from '../../storage-engine/engine.ts';
import { openDatabase } from '../../storage-engine/engine.ts';
import { DurableLogStorage } from '../../storage-engine/raft-log-storage.ts';
import type { LogStorageUnderTest } from './log-storage-suite.ts';
import { temporaryDirectory } from './temp-dir.ts';

/**
 * The suite's own writes are not synced: reopen() closes the database, so they are read back
 * from the engine's log all the same, and a synced write costs milliseconds on RocksDB.
 * Synced writes are what crash.test.ts and raft-log-storage.test.ts exercise.
 */
const SYNC = false;

class DurableStorageUnderTest implements LogStorageUnderTest {
  private readonly location: string;
  private readonly engine: EngineName;
  private db: Database;
  private storage: DurableLogStorage;

  constructor(location: string, engine: EngineName, db: Database, storage: DurableLogStorage) {
    this.location = location;
    this.engine = engine;
    this.db = db;
    this.storage = storage;
  }

  static async open(location: string, engine: EngineName): Promise<DurableStorageUnderTest> {
    const db = await openDatabase({ path: location, engine });
    return new DurableStorageUnderTest(location, engine, db, await DurableLogStorage.open(db));
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
    return this.storage.bootstrap(confState);
  }
  setHardState(hardState: HardState): Promise<void> {
    return this.storage.save({ hardState, entries: [] }, { sync: SYNC });
  }
  append(entries: readonly Entry[]): Promise<void> {
    return this.storage.save({ entries }, { sync: SYNC });
  }
  applySnapshot(snapshot: RaftSnapshot): Promise<void> {
    return this.storage.save({ snapshot, entries: [] }, { sync: SYNC });
  }
  createSnapshot(index: number, confState: ConfState, data: Uint8Array): Promise<RaftSnapshot> {
    return this.storage.createSnapshot(index, confState, data);
  }
  compact(compactIndex: number): Promise<void> {
    return this.storage.compact(compactIndex);
  }

  async reopen(): Promise<void> {
    await this.close();
    this.db = await openDatabase({ path: this.location, engine: this.engine });
    this.storage = await DurableLogStorage.open(this.db);
  }

  async close(): Promise<void> {
    await this.storage.close();
    await this.db.close();
  }
}

export async function createDurableStorageUnderTest(t: ExecutionContext, engine: EngineName): Promise<LogStorageUnderTest> {
  const directory = await temporaryDirectory(t, engine);
  const storage = await DurableStorageUnderTest.open(path.join(directory, 'db'), engine);
  t.teardown(() => storage.close());
  return storage;
}
