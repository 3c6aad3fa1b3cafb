// DurableLogStorage behind the conformance suite's interface, on a database of its own in a
// temp dir of its own. reopen() closes both the store and the database and opens them again,
// so that what the suite reads afterwards can only have come from disk.

import path from 'node:path';
import type { ExecutionContext } from 'ava';
import type { Database, EngineName } from '../../storage-engine/engine.ts';
import { openDatabase } from '../../storage-engine/engine.ts';
import { DurableLogStorage } from '../../storage-engine/raft-log-storage.ts';
import type { LogStorageUnderTest } from './log-storage-suite.ts';
import { StoreUnderTest } from './store-under-test.ts';
import { temporaryDirectory } from './temp-dir.ts';

/**
 * The suite's own writes are not synced: reopen() closes the database, so they are read back
 * from the engine's log all the same, and a synced write costs milliseconds on RocksDB.
 * Synced writes are what crash.test.ts and raft-log-storage.test.ts exercise.
 */
const SYNC = false;

class DurableStorageUnderTest extends StoreUnderTest<DurableLogStorage> {
  private constructor(
    private readonly location: string,
    private readonly engine: EngineName,
    private db: Database,
    storage: DurableLogStorage,
  ) {
    super(storage, SYNC);
  }

  static async open(location: string, engine: EngineName): Promise<DurableStorageUnderTest> {
    const db = await openDatabase({ path: location, engine });
    return new DurableStorageUnderTest(location, engine, db, await DurableLogStorage.open(db));
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
