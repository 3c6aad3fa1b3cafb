// Runs the LogStorage conformance suite against WalLogStorage: it must do what MemoryStorage
// does, and give back after a reopen exactly what it held. Once with segments so small that
// every log spans several, once reopened after every write (so that every check reads what
// replay made of the files), once with the default size and synced saves.

import { registerLogStorageSuite } from './log-storage-suite.ts';
import { createWalStorageUnderTest } from './wal-storage-under-test.ts';

registerLogStorageSuite({ name: 'WalLogStorage, 4 KiB segments', durable: true, create: (t) => createWalStorageUnderTest(t) });
registerLogStorageSuite({ name: 'WalLogStorage, reopened after every write', durable: true, create: (t) => createWalStorageUnderTest(t, undefined, false, true) });
registerLogStorageSuite({ name: 'WalLogStorage, default segments, synced', durable: true, create: (t) => createWalStorageUnderTest(t, {}, true) });
