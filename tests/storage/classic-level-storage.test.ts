// Runs the LogStorage conformance suite against DurableLogStorage on classic-level: it must do
// what MemoryStorage does, and give back after a reopen exactly what it held.

import { registerLogStorageSuite } from './log-storage-suite.ts';
import { createDurableStorageUnderTest } from './durable-storage-under-test.ts';

registerLogStorageSuite({ name: 'DurableLogStorage on classic-level', durable: true, create: (t) => createDurableStorageUnderTest(t, 'classic-level') });
