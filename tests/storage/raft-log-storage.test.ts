// What DurableLogStorage promises beyond the conformance suite: one save() is one atomic
// batch; bad input is refused with a coded error before anything is written; a failed write
// leaves memory and disk as they were; anything on disk it cannot account for (a checksum
// mismatch, a gap, a record under the wrong key, a newer format) stops open() with a coded
// error; and its lifecycle (status, close() twice, close() waiting for a write) is explicit.

import path from 'node:path';
import test from 'ava';
import type { ExecutionContext } from 'ava';
import { AssertionError, RaftError } from '../../consensus/errors.ts';
import type { RaftSnapshot } from '../../consensus/types.ts';
import { emptyConfState } from '../../consensus/types.ts';
import { crc32c } from '../../storage-engine/crc32c.ts';
import type { BatchOperation, Database, EngineName, KeyRange } from '../../storage-engine/engine.ts';
import { ENGINE_NAMES, openDatabase } from '../../storage-engine/engine.ts';
import { isVstorError, VstorError } from '../../storage-engine/errors.ts';
import { RaftLogKeys } from '../../storage-engine/raft-log-keys.ts';
import { encodeSnapshotData, encodeSnapshotMetadata } from '../../storage-engine/raft-log-records.ts';
import type { DurableLogStorageOptions } from '../../storage-engine/raft-log-storage.ts';
import { DurableLogStorage, PREFIX_DEFAULT } from '../../storage-engine/raft-log-storage.ts';
import { entry, observe } from './log-storage-suite.ts';
import { temporaryDirectory } from './temp-dir.ts';

const SYNC = { sync: true };
const keys = new RaftLogKeys(PREFIX_DEFAULT);

/** Delegates to a real database, but fails the next batch when asked to. */
class FailingDatabase implements Database {
  failNextBatch = false;
  private readonly inner: Database;

  constructor(inner: Database) {
    this.inner = inner;
  }

  get engine(): EngineName {
    return this.inner.engine;
  }
  get location(): string {
    return this.inner.location;
  }
  get status(): Database['status'] {
    return this.inner.status;
  }
  get(key: Uint8Array): Promise<Uint8Array | undefined> {
    return this.inner.get(key);
  }
  async batch(operations: readonly BatchOperation[], options: { sync: boolean }): Promise<void> {
    if (this.failNextBatch) {
      this.failNextBatch = false;
      throw new Error('injected write failure');
    }
    return this.inner.batch(operations, options);
  }
  rows(range: KeyRange): AsyncGenerator<[Uint8Array, Uint8Array]> {
    return this.inner.rows(range);
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

interface Fixture {
  db: FailingDatabase;
  storage: DurableLogStorage;
  /** Closes store and database and opens both again from disk. */
  reopen(options?: DurableLogStorageOptions): Promise<DurableLogStorage>;
  /** Closes the store and returns the database, to damage it before reopen(). */
  closeStorage(): Promise<Database>;
}

async function fixture(t: ExecutionContext, engine: EngineName, options?: DurableLogStorageOptions): Promise<Fixture> {
  const location = path.join(await temporaryDirectory(t, engine), 'db');
  const state = {} as Fixture;
  state.db = new FailingDatabase(await openDatabase({ path: location, engine }));
  state.storage = await DurableLogStorage.open(state.db, options);
  state.closeStorage = async () => {
    await state.storage.close();
    return state.db;
  };
  state.reopen = async (reopenOptions = options) => {
    await state.storage.close();
    await state.db.close();
    state.db = new FailingDatabase(await openDatabase({ path: location, engine }));
    state.storage = await DurableLogStorage.open(state.db, reopenOptions);
    return state.storage;
  };
  t.teardown(async () => {
    await state.storage.close();
    await state.db.close();
  });
  return state;
}

function snapshotAt(index: number, term: number): RaftSnapshot {
  return { metadata: { index, term, confState: { ...emptyConfState(), voters: [1, 2, 3] } }, data: Uint8Array.from([9, 8, 7]) };
}

const entries = (from: number, to: number, term: number) => Array.from({ length: to - from + 1 }, (_, i) => entry(from + i, term));

async function rewrite(db: Database, key: Uint8Array, change: (value: Uint8Array) => Uint8Array | undefined): Promise<void> {
  const value = await db.get(key);
  if (value === undefined) throw new Error('the record to damage is missing');
  const changed = change(Uint8Array.from(value));
  await db.batch([changed === undefined ? { type: 'del', key } : { type: 'put', key, value: changed }], SYNC);
}

/** Re-seals a record whose bytes were changed on purpose, so only the intended check can fail. */
function reseal(key: Uint8Array, value: Uint8Array): Uint8Array {
  const bodyEnd = value.length - 4;
  new DataView(value.buffer, value.byteOffset).setUint32(bodyEnd, crc32c(value.subarray(0, bodyEnd), crc32c(key)));
  return value;
}

for (const engine of ENGINE_NAMES) {
  test(`${engine}: one save() persists a snapshot, the entries after it and the hard state together`, async (t) => {
    const f = await fixture(t, engine);
    await f.storage.save({ entries: entries(1, 4, 1) }, SYNC);
    const hardState = { term: 3, vote: 2, commit: 12 };
    await f.storage.save({ snapshot: snapshotAt(10, 3), entries: entries(9, 13, 3), hardState }, SYNC);
    const check = (storage: DurableLogStorage) => {
      t.is(storage.firstIndex(), 11, 'entries at or below the snapshot are dropped');
      t.is(storage.lastIndex(), 13);
      t.is(storage.term(10), 3);
      t.deepEqual(storage.initialState().hardState, hardState);
      t.deepEqual(storage.snapshot().metadata, snapshotAt(10, 3).metadata);
      t.deepEqual([...storage.snapshot().data], [9, 8, 7]);
    };
    check(f.storage);
    check(await f.reopen());
  });

  test(`${engine}: a failed write leaves memory and disk as they were and refuses further writes until reopened`, async (t) => {
    const f = await fixture(t, engine);
    await f.storage.save({ entries: entries(1, 6, 1), hardState: { term: 1, vote: 1, commit: 3 } }, SYNC);
    const before = observe(f.storage);
    const failing: Array<[string, () => Promise<unknown>]> = [
      ['save', () => f.storage.save({ entries: entries(4, 9, 2), hardState: { term: 2, vote: 1, commit: 5 } }, SYNC)],
      ['save with a snapshot', () => f.storage.save({ snapshot: snapshotAt(8, 2), entries: [] }, SYNC)],
      ['compact', () => f.storage.compact(3)],
      ['createSnapshot', () => f.storage.createSnapshot(2, emptyConfState(), new Uint8Array(4))],
    ];
    for (const [what, write] of failing) {
      f.db.failNextBatch = true;
      await t.throwsAsync(write(), { message: 'injected write failure' }, what);
      t.deepEqual(observe(f.storage), before, `memory after a failed ${what}`);
      t.is(f.storage.status, 'failed');
      // After a failed write (an fsync that failed, say) nothing more is written.
      const refused = await t.throwsAsync(f.storage.save({ entries: entries(7, 7, 1) }, SYNC));
      t.true(isVstorError(refused, 'UNAVAILABLE'), String(refused));
      t.deepEqual(observe(await f.reopen()), before, `disk after a failed ${what}`);
    }
    await f.storage.save({ entries: entries(7, 7, 1) }, SYNC);
    t.is(f.storage.lastIndex(), 7);
  });

  test(`${engine}: corruption on disk stops open() with a coded error`, async (t) => {
    // Each case damages a fresh copy of the same log: snapshot 2, entries 3..8, hard state.
    const damages: Array<[string, (db: Database) => Promise<void>, string, RegExp]> = [
      ['a flipped bit in an entry', (db) => rewrite(db, keys.entry(5), (v) => ((v[12]! ^= 0x04), v)), 'CORRUPTION', /entry 5 fails its checksum/],
      ['a flipped bit in the hard state', (db) => rewrite(db, keys.hardState, (v) => ((v[3]! ^= 0x80), v)), 'CORRUPTION', /hard state record fails its checksum/],
      ['a missing entry in the middle', (db) => rewrite(db, keys.entry(6), () => undefined), 'CORRUPTION', /gap: entry 6 is missing/],
      ['a missing first entry', (db) => rewrite(db, keys.entry(3), () => undefined), 'CORRUPTION', /gap: entry 3 is missing/],
      ['an entry record under the key of the next', async (db) => {
        const value = await db.get(keys.entry(5));
        await db.batch([{ type: 'put', key: keys.entry(6), value: value! }], SYNC);
      }, 'CORRUPTION', /entry 6 fails its checksum/],
      ['a truncated entry record', (db) => rewrite(db, keys.entry(4), (v) => v.subarray(0, 3)), 'CORRUPTION', /too short/],
      ['an entry left below the compaction point', (db) => db.batch([{ type: 'put', key: keys.entry(2), value: Uint8Array.of(1) }], SYNC), 'CORRUPTION', /entry 2 is still stored/],
      ['a record of a newer format version', (db) => rewrite(db, keys.entry(7), (v) => ((v[0] = 2), reseal(keys.entry(7), v))), 'UNSUPPORTED_FORMAT', /format version 2/],
      ['an entry whose terms go backwards', (db) => rewrite(db, keys.entry(8), (v) => ((v[16] = 0), reseal(keys.entry(8), v))), 'CORRUPTION', /entry 8 has term 0/],
      ['snapshot data that is not the data of the metadata', (db) => db.batch([{ type: 'put', key: keys.snapshotData, value: encodeSnapshotData(keys.snapshotData, Uint8Array.of(1, 2)).value }], SYNC), 'CORRUPTION', /snapshot data \(2 bytes\) is not the data/],
      ['snapshot metadata without its data', (db) => rewrite(db, keys.snapshotData, () => undefined), 'CORRUPTION', /metadata record is present without its pair/],
      ['snapshot data without its metadata', (db) => rewrite(db, keys.snapshotMetadata, () => undefined), 'CORRUPTION', /data record is present without its pair/],
      ['snapshot metadata from another snapshot', (db) => db.batch([{ type: 'put', key: keys.snapshotMetadata, value: encodeSnapshotMetadata(keys.snapshotMetadata, { metadata: snapshotAt(2, 1).metadata, dataBytes: 3, dataChecksum: 0 }) }], SYNC), 'CORRUPTION', /not the data the metadata at index 2/],
    ];
    for (const [what, damage, code, message] of damages) {
      const f = await fixture(t, engine);
      await f.storage.save({ snapshot: snapshotAt(2, 1), entries: entries(3, 8, 1), hardState: { term: 1, vote: 1, commit: 8 } }, SYNC);
      await damage(await f.closeStorage());
      await t.throwsAsync(DurableLogStorage.open(f.db), { instanceOf: VstorError, code, message }, what);
    }
  });

  test(`${engine}: close() waits for the write in flight, then refuses reads and writes; twice is fine`, async (t) => {
    const f = await fixture(t, engine);
    t.is(f.storage.status, 'open');
    const order: string[] = [];
    const saved = f.storage.save({ entries: entries(1, 50, 1) }, SYNC).then(() => order.push('saved'));
    const closed = f.storage.close().then(() => order.push('closed'));
    t.is(f.storage.status, 'closing');
    await Promise.all([saved, closed, f.storage.close()]);
    t.deepEqual(order, ['saved', 'closed']);
    t.is(f.storage.status, 'closed');
    await f.storage.close();
    await t.throwsAsync(f.storage.save({ entries: entries(51, 51, 1) }, SYNC), { instanceOf: VstorError, code: 'NOT_OPEN' });
    await t.throwsAsync(f.storage.compact(1), { instanceOf: VstorError, code: 'NOT_OPEN' });
    t.throws(() => f.storage.lastIndex(), { instanceOf: VstorError, code: 'NOT_OPEN' });
    t.is(f.db.status, 'open', 'the database belongs to the caller and stays open');
    t.is((await f.reopen()).lastIndex(), 50);
  });
}

test('save() refuses malformed input before writing anything, with a coded error', async (t) => {
  const f = await fixture(t, 'classic-level', { entryBytesMax: 100, snapshotBytesMax: 50 });
  await f.storage.save({ snapshot: snapshotAt(3, 2), entries: entries(4, 6, 2), hardState: { term: 2, vote: 1, commit: 5 } }, SYNC);
  const before = observe(f.storage);
  const hardState = { term: 9, vote: 9, commit: 6 };
  const big = { ...entry(7, 2), data: new Uint8Array(100) };
  const refusals: Array<[string, unknown, unknown, string]> = [
    ['entries that skip an index', { hardState, entries: [entry(7, 2), entry(9, 2)] }, SYNC, 'INVALID_ARGUMENT'],
    ['entries whose terms go down', { hardState, entries: [entry(7, 3), entry(8, 2)] }, SYNC, 'INVALID_ARGUMENT'],
    ['an entry below the term of the entry before it', { hardState, entries: [entry(6, 1)] }, SYNC, 'INVALID_ARGUMENT'],
    ['a gap after the last index', { hardState, entries: [entry(8, 2)] }, SYNC, 'INVALID_ARGUMENT'],
    ['an entry at index 0', { hardState, entries: [entry(0, 2)] }, SYNC, 'INVALID_ARGUMENT'],
    ['a fractional term', { hardState, entries: [{ ...entry(7, 2), term: 2.5 }] }, SYNC, 'INVALID_ARGUMENT'],
    ['an unknown entry type', { hardState, entries: [{ ...entry(7, 2), type: 7 }] }, SYNC, 'INVALID_ARGUMENT'],
    ['entry data that is not bytes', { hardState, entries: [{ ...entry(7, 2), data: 'text' }] }, SYNC, 'INVALID_ARGUMENT'],
    ['entries that are not an array', { hardState, entries: undefined }, SYNC, 'INVALID_ARGUMENT'],
    ['a negative commit', { hardState: { ...hardState, commit: -1 }, entries: [] }, SYNC, 'INVALID_ARGUMENT'],
    ['a snapshot with node id 0', { hardState, entries: [], snapshot: { ...snapshotAt(9, 2), metadata: { ...snapshotAt(9, 2).metadata, confState: { ...emptyConfState(), voters: [0] } } } }, SYNC, 'INVALID_ARGUMENT'],
    ['no sync option', { hardState, entries: [] }, {}, 'INVALID_ARGUMENT'],
    ['an entry over entryBytesMax', { hardState, entries: [entry(7, 2), big] }, SYNC, 'INVALID_ARGUMENT'],
    ['snapshot data over snapshotBytesMax', { hardState, entries: [], snapshot: { ...snapshotAt(9, 2), data: new Uint8Array(51) } }, SYNC, 'INVALID_ARGUMENT'],
  ];
  for (const [what, update, options, code] of refusals) {
    await t.throwsAsync(f.storage.save(update as never, options as never), { instanceOf: VstorError, code }, what);
    t.deepEqual(observe(f.storage), before, `memory after ${what}`);
  }
  t.deepEqual(observe(await f.reopen()), before, 'nothing reached the disk');
});

test('an entry of exactly entryBytesMax is accepted', async (t) => {
  const f = await fixture(t, 'classic-level', { entryBytesMax: 100 });
  const fits = { ...entry(1, 1), data: new Uint8Array(100 - 24) };
  await f.storage.save({ entries: [fits] }, SYNC);
  t.is((await f.reopen()).entries(1, 2, 1000)[0]!.data.length, 76);
});

test('createSnapshot() below the compaction point is COMPACTED (MemoryStorage reads outside its log there)', async (t) => {
  const f = await fixture(t, 'classic-level');
  await f.storage.save({ entries: entries(1, 8, 1) }, SYNC);
  await f.storage.compact(6);
  await t.throwsAsync(f.storage.createSnapshot(4, emptyConfState(), new Uint8Array(0)), { instanceOf: RaftError, code: 'COMPACTED' });
  const atPoint = await f.storage.createSnapshot(6, emptyConfState(), new Uint8Array(0));
  t.deepEqual([atPoint.metadata.index, atPoint.metadata.term], [6, 1], 'the compaction point itself still has its term');
});

test('a second write while one is in flight is a bug', async (t) => {
  const f = await fixture(t, 'classic-level');
  const first = f.storage.save({ entries: entries(1, 3, 1) }, SYNC);
  await t.throwsAsync(f.storage.save({ entries: entries(4, 4, 1) }, SYNC), { instanceOf: AssertionError });
  await first;
  t.is(f.storage.lastIndex(), 3);
  await f.storage.save({ entries: entries(4, 4, 1) }, SYNC);
  t.is(f.storage.lastIndex(), 4, 'once the first write resolved, the next one goes through');
});

test('logs under different prefixes share one database without seeing each other', async (t) => {
  const location = path.join(await temporaryDirectory(t, 'prefix'), 'db');
  let db = await openDatabase({ path: location, engine: 'classic-level' });
  t.teardown(() => db.close());
  const outer = await DurableLogStorage.open(db, { prefix: 'group/' });
  const inner = await DurableLogStorage.open(db, { prefix: 'group/1/' });
  await outer.save({ entries: entries(1, 5, 1), hardState: { term: 1, vote: 1, commit: 5 } }, SYNC);
  await inner.save({ entries: entries(1, 2, 7), hardState: { term: 7, vote: 2, commit: 1 } }, SYNC);
  await inner.compact(1);
  await db.close();
  db = await openDatabase({ path: location, engine: 'classic-level' });
  const [outerAgain, innerAgain] = [await DurableLogStorage.open(db, { prefix: 'group/' }), await DurableLogStorage.open(db, { prefix: 'group/1/' })];
  t.deepEqual([outerAgain.firstIndex(), outerAgain.lastIndex(), outerAgain.term(5), outerAgain.initialState().hardState.term], [1, 5, 1, 1]);
  t.deepEqual([innerAgain.firstIndex(), innerAgain.lastIndex(), innerAgain.term(2), innerAgain.initialState().hardState.term], [2, 2, 7, 7]);
});

test('open() refuses a bad prefix, a bad limit and a closed database', async (t) => {
  const location = path.join(await temporaryDirectory(t, 'options'), 'db');
  const db = await openDatabase({ path: location, engine: 'classic-level' });
  for (const prefix of ['has space/', 'tab\t', 'x'.repeat(65), 'é/']) {
    await t.throwsAsync(DurableLogStorage.open(db, { prefix }), { instanceOf: VstorError, code: 'INVALID_ARGUMENT' }, JSON.stringify(prefix));
  }
  await t.throwsAsync(DurableLogStorage.open(db, { entryBytesMax: 0 }), { instanceOf: VstorError, code: 'INVALID_ARGUMENT' });
  await t.throwsAsync(DurableLogStorage.open(db, { snapshotBytesMax: 1.5 }), { instanceOf: VstorError, code: 'INVALID_ARGUMENT' });
  await db.close();
  await t.throwsAsync(DurableLogStorage.open(db), { instanceOf: VstorError, code: 'NOT_OPEN' });
});
