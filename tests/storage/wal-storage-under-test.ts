// WalLogStorage behind the conformance suite's interface, in a temp dir of its own.
// reopen() closes the store and opens it again, so that what the suite reads afterwards can
// only have come from the segment files. Segments are small, so that the suite's logs span
// several of them and cross segment boundaries, compaction and snapshots together.

import path from 'node:path';
import type { ExecutionContext } from 'ava';
import type { WalLogStorageOptions } from '../../storage-engine/wal/wal-log-storage.ts';
import { WalLogStorage } from '../../storage-engine/wal/wal-log-storage.ts';
import { StoreUnderTest } from './store-under-test.ts';
import { temporaryDirectory } from './temp-dir.ts';

export const SMALL_SEGMENT_BYTES = 4096;

export class WalStorageUnderTest extends StoreUnderTest<WalLogStorage> {
  private constructor(
    readonly location: string,
    private readonly options: WalLogStorageOptions,
    sync: boolean,
    private readonly reopenAfterWrites: boolean,
    storage: WalLogStorage,
  ) {
    super(storage, sync);
  }

  static async open(location: string, options: WalLogStorageOptions, sync: boolean, reopenAfterWrites = false): Promise<WalStorageUnderTest> {
    return new WalStorageUnderTest(location, options, sync, reopenAfterWrites, await WalLogStorage.open(location, options));
  }

  /** With reopenAfterWrites, every later read comes from a fresh replay. */
  protected override async write<T>(run: () => Promise<T>): Promise<T> {
    const result = await run();
    if (this.reopenAfterWrites) await this.reopen();
    return result;
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
