// The conformance suite for LogStorage: what the Raft core may rely on from any log store,
// run against MemoryStorage (the reference) and against each durable engine, in the spirit
// of etcd's storage_test.go and abstract-level's shared suite(). A test file registers it
// with a factory; each test gets a fresh store (and, for a durable one, its own temp dir).
//
// Most cases are set up as etcd sets them up: a snapshot at index 3 (term 3) followed by
// entries 4 and 5 (terms 4 and 5), so that firstIndex() is 4 and term(3) is still known.
// Durable stores must in addition give back after reopen() exactly what they held before.

import test from 'ava';
import type { ExecutionContext } from 'ava';
import { AssertionError, RaftError } from '../../consensus/errors.ts';
import type { RaftErrorCode } from '../../consensus/errors.ts';
import { MemoryStorage } from '../../consensus/storage.ts';
import type { LogStorage } from '../../consensus/storage.ts';
import { SeededRandom } from '../../consensus/random.ts';
import type { ConfState, Entry, HardState, RaftSnapshot } from '../../consensus/types.ts';
import { emptyConfState, emptyHardState, entryBytes, EntryType } from '../../consensus/types.ts';
import { isVstorError } from '../../storage-engine/errors.ts';

/** A LogStorage with the write methods of MemoryStorage, made async so durable stores fit. */
export interface LogStorageUnderTest extends LogStorage {
  bootstrap(confState: ConfState): Promise<void>;
  setHardState(hardState: HardState): Promise<void>;
  append(entries: readonly Entry[]): Promise<void>;
  applySnapshot(snapshot: RaftSnapshot): Promise<void>;
  createSnapshot(index: number, confState: ConfState, data: Uint8Array): Promise<RaftSnapshot>;
  compact(compactIndex: number): Promise<void>;
  /** Durable stores only: closes the store and opens it again from what is on disk. */
  reopen?(): Promise<void>;
}

export interface LogStorageSuiteOptions {
  /** Prefixes every test title. */
  name: string;
  /** Whether the store has reopen() and must survive it. */
  durable: boolean;
  /** A fresh, empty store; it registers its own clean-up with t.teardown(). */
  create(t: ExecutionContext): Promise<LogStorageUnderTest>;
}

// Values derived from their position, so that a store returning the wrong entry or the wrong
// bytes is caught, not only one returning the wrong index.

export function payload(index: number, term: number): Uint8Array {
  return Uint8Array.from({ length: index % 5 }, (_, i) => (index * 31 + term * 7 + i) & 0xff);
}

export function entry(index: number, term: number): Entry {
  return { index, term, type: index % 4 === 0 ? EntryType.ConfChange : EntryType.Normal, data: payload(index, term) };
}

function snapshotAt(index: number, term: number, confState: ConfState = emptyConfState()): RaftSnapshot {
  return { metadata: { index, term, confState }, data: Uint8Array.from([index & 0xff, term & 0xff, 0x5a]) };
}

const membership: ConfState = { voters: [1, 2, 3], learners: [4], votersOutgoing: [], learnersNext: [], autoLeave: false };

/** Entries with their bytes as plain arrays, so Buffer and Uint8Array compare equal. */
function plain(entries: readonly Entry[]): Array<{ index: number; term: number; type: number; data: number[] }> {
  return entries.map((e) => ({ index: e.index, term: e.term, type: e.type, data: [...e.data] }));
}

function plainSnapshot(snapshot: RaftSnapshot): { metadata: RaftSnapshot['metadata']; data: number[] } {
  return { metadata: snapshot.metadata, data: [...snapshot.data] };
}

/** Everything a reader can observe of a store, for one deepEqual. */
export function observe(storage: LogStorage): unknown {
  const first = storage.firstIndex();
  const last = storage.lastIndex();
  const terms: number[] = [];
  for (let index = first - 1; index <= last; index++) terms.push(storage.term(index));
  return {
    first,
    last,
    terms,
    entries: last >= first ? plain(storage.entries(first, last + 1, Number.MAX_SAFE_INTEGER)) : [],
    initialState: storage.initialState(),
    snapshot: plainSnapshot(storage.snapshot()),
  };
}

function throwsRaftError(t: ExecutionContext, read: () => unknown, code: RaftErrorCode): void {
  t.throws(read, { instanceOf: RaftError, code });
}

async function rejectsRaftError(t: ExecutionContext, write: Promise<unknown>, code: RaftErrorCode): Promise<void> {
  await t.throwsAsync(write, { instanceOf: RaftError, code });
}

/** A request the caller should never make: an assertion (MemoryStorage) or INVALID_ARGUMENT. */
async function refused(t: ExecutionContext, write: Promise<unknown>): Promise<void> {
  const error = await t.throwsAsync(write);
  t.true(error instanceof AssertionError || isVstorError(error, 'INVALID_ARGUMENT'), `unexpected error: ${String(error)}`);
}

/** etcd's fixture: a snapshot at `snapshotIndex` and entries after it up to `lastIndex`, term = index. */
async function withLog(storage: LogStorageUnderTest, snapshotIndex: number, lastIndex: number): Promise<void> {
  if (snapshotIndex > 0) await storage.applySnapshot(snapshotAt(snapshotIndex, snapshotIndex));
  const entries: Entry[] = [];
  for (let index = snapshotIndex + 1; index <= lastIndex; index++) entries.push(entry(index, index));
  await storage.append(entries);
}

export function registerLogStorageSuite(options: LogStorageSuiteOptions): void {
  const { name, durable, create } = options;

  /** Runs `check` on the store, and for a durable one again after reopening it. */
  async function checkSurvives(storage: LogStorageUnderTest, check: () => void): Promise<void> {
    check();
    if (durable) {
      await storage.reopen!();
      check();
    }
  }

  test(`${name}: a new store is empty`, async (t) => {
    const storage = await create(t);
    await checkSurvives(storage, () => {
      t.is(storage.firstIndex(), 1);
      t.is(storage.lastIndex(), 0);
      t.is(storage.term(0), 0);
      throwsRaftError(t, () => storage.term(1), 'UNAVAILABLE');
      throwsRaftError(t, () => storage.entries(1, 1, 100), 'UNAVAILABLE');
      throwsRaftError(t, () => storage.entries(0, 1, 100), 'COMPACTED');
      t.deepEqual(storage.initialState(), { hardState: { ...emptyHardState }, confState: emptyConfState() });
      t.is(storage.snapshot().metadata.index, 0);
    });
  });

  test(`${name}: bootstrap records the initial membership as the snapshot at index 0`, async (t) => {
    const storage = await create(t);
    await storage.bootstrap(membership);
    await checkSurvives(storage, () => {
      t.deepEqual(storage.initialState().confState, membership);
      t.deepEqual(storage.snapshot().metadata, { index: 0, term: 0, confState: membership });
      t.is(storage.firstIndex(), 1);
      t.is(storage.lastIndex(), 0);
    });
    // A freshly bootstrapped node then appends as usual.
    await storage.append([entry(1, 1)]);
    t.deepEqual(plain(storage.entries(1, 2, 100)), plain([entry(1, 1)]));
  });

  test(`${name}: bootstrap is refused once the log has entries`, async (t) => {
    const storage = await create(t);
    await storage.append([entry(1, 1)]);
    await refused(t, storage.bootstrap(membership));
    t.deepEqual(storage.initialState().confState, emptyConfState());
  });

  test(`${name}: term() is COMPACTED below firstIndex() - 1, known up to lastIndex(), UNAVAILABLE past it`, async (t) => {
    const storage = await create(t);
    await withLog(storage, 3, 5);
    await checkSurvives(storage, () => {
      throwsRaftError(t, () => storage.term(2), 'COMPACTED');
      t.is(storage.term(3), 3, 'the snapshot term stays known');
      t.is(storage.term(4), 4);
      t.is(storage.term(5), 5);
      throwsRaftError(t, () => storage.term(6), 'UNAVAILABLE');
    });
  });

  test(`${name}: entries() returns [lo, hi), COMPACTED at or below the snapshot`, async (t) => {
    const storage = await create(t);
    await withLog(storage, 3, 6);
    const all = Number.MAX_SAFE_INTEGER;
    await checkSurvives(storage, () => {
      throwsRaftError(t, () => storage.entries(2, 6, all), 'COMPACTED');
      throwsRaftError(t, () => storage.entries(3, 4, all), 'COMPACTED');
      t.deepEqual(plain(storage.entries(4, 5, all)), plain([entry(4, 4)]));
      t.deepEqual(plain(storage.entries(4, 6, all)), plain([entry(4, 4), entry(5, 5)]));
      t.deepEqual(plain(storage.entries(4, 7, all)), plain([entry(4, 4), entry(5, 5), entry(6, 6)]));
      t.deepEqual(plain(storage.entries(6, 7, all)), plain([entry(6, 6)]));
      t.deepEqual(storage.entries(5, 5, all), [], 'an empty range is empty');
    });
  });

  test(`${name}: entries() stops at bytesMax but always returns at least one entry`, async (t) => {
    const storage = await create(t);
    await withLog(storage, 3, 6);
    const [four, five, six] = [entryBytes(entry(4, 4)), entryBytes(entry(5, 5)), entryBytes(entry(6, 6))];
    const expectations: Array<[number, number]> = [
      [0, 1], // even a limit of zero gives the first entry
      [four - 1, 1],
      [four, 1],
      [four + five - 1, 1],
      [four + five, 2],
      [four + five + Math.floor(six / 2), 2],
      [four + five + six - 1, 2],
      [four + five + six, 3],
    ];
    for (const [bytesMax, count] of expectations) {
      const got = storage.entries(4, 7, bytesMax);
      t.deepEqual(plain(got), plain([entry(4, 4), entry(5, 5), entry(6, 6)].slice(0, count)), `bytesMax ${bytesMax}`);
    }
  });

  test(`${name}: entries() past lastIndex() + 1 is a bug`, async (t) => {
    const storage = await create(t);
    await withLog(storage, 3, 5);
    t.throws(() => storage.entries(4, 7, 100), { instanceOf: AssertionError });
  });

  test(`${name}: entries() on a log that holds only a snapshot is UNAVAILABLE`, async (t) => {
    const storage = await create(t);
    await withLog(storage, 3, 3);
    await checkSurvives(storage, () => {
      t.is(storage.firstIndex(), 4);
      t.is(storage.lastIndex(), 3);
      throwsRaftError(t, () => storage.entries(4, 4, 100), 'UNAVAILABLE');
    });
  });

  test(`${name}: lastIndex() follows appends and firstIndex() follows compaction`, async (t) => {
    const storage = await create(t);
    await withLog(storage, 3, 5);
    t.is(storage.lastIndex(), 5);
    t.is(storage.firstIndex(), 4);
    await storage.append([entry(6, 5)]);
    t.is(storage.lastIndex(), 6);
    await storage.compact(4);
    await checkSurvives(storage, () => {
      t.is(storage.firstIndex(), 5);
      t.is(storage.lastIndex(), 6);
      t.is(storage.term(4), 4, 'the compaction point keeps its term');
    });
  });

  // compact(i): [i, expected error, firstIndex() - 1 and its term afterwards, entries left]
  const compactions: Array<[number, RaftErrorCode | undefined, number, number, number]> = [
    [2, 'COMPACTED', 3, 3, 2],
    [3, 'COMPACTED', 3, 3, 2],
    [4, undefined, 4, 4, 1],
    [5, undefined, 5, 5, 0],
  ];
  for (const [compactIndex, code, pointIndex, pointTerm, entriesLeft] of compactions) {
    test(`${name}: compact(${compactIndex}) of a log with snapshot 3 and entries 4..5 ${code === undefined ? 'succeeds' : `is ${code}`}`, async (t) => {
      const storage = await create(t);
      await withLog(storage, 3, 5);
      if (code === undefined) await storage.compact(compactIndex);
      else await rejectsRaftError(t, storage.compact(compactIndex), code);
      await checkSurvives(storage, () => {
        t.is(storage.firstIndex() - 1, pointIndex);
        t.is(storage.term(pointIndex), pointTerm);
        t.is(storage.lastIndex() - storage.firstIndex() + 1, entriesLeft);
        t.is(storage.lastIndex(), 5, 'compaction never shortens the log at its end');
      });
    });
  }

  test(`${name}: compact() past lastIndex() is a bug`, async (t) => {
    const storage = await create(t);
    await withLog(storage, 3, 5);
    await t.throwsAsync(storage.compact(6), { instanceOf: AssertionError });
    t.is(storage.firstIndex(), 4);
  });

  for (const index of [4, 5]) {
    test(`${name}: createSnapshot(${index}) records index, term, membership and data, and keeps the log`, async (t) => {
      const storage = await create(t);
      await withLog(storage, 3, 5);
      const data = Uint8Array.from([1, 2, 3, index]);
      const made = await storage.createSnapshot(index, membership, data);
      const expected = { metadata: { index, term: index, confState: membership }, data: [...data] };
      t.deepEqual(plainSnapshot(made), expected);
      await checkSurvives(storage, () => {
        t.deepEqual(plainSnapshot(storage.snapshot()), expected);
        t.deepEqual(storage.initialState().confState, membership);
        t.is(storage.firstIndex(), 4, 'making a snapshot compacts nothing');
        t.is(storage.lastIndex(), 5);
      });
    });
  }

  test(`${name}: createSnapshot() at or below the current snapshot is SNAPSHOT_OUT_OF_DATE`, async (t) => {
    const storage = await create(t);
    await withLog(storage, 3, 5);
    await rejectsRaftError(t, storage.createSnapshot(3, membership, new Uint8Array(1)), 'SNAPSHOT_OUT_OF_DATE');
    await rejectsRaftError(t, storage.createSnapshot(2, membership, new Uint8Array(1)), 'SNAPSHOT_OUT_OF_DATE');
    await storage.createSnapshot(4, membership, new Uint8Array(1));
    await rejectsRaftError(t, storage.createSnapshot(4, membership, new Uint8Array(1)), 'SNAPSHOT_OUT_OF_DATE');
    t.is(storage.snapshot().metadata.index, 4);
  });

  test(`${name}: createSnapshot() past lastIndex() is a bug`, async (t) => {
    const storage = await create(t);
    await withLog(storage, 3, 5);
    await t.throwsAsync(storage.createSnapshot(6, membership, new Uint8Array(0)), { instanceOf: AssertionError });
    t.is(storage.snapshot().metadata.index, 3);
  });

  // etcd's append cases on a log with snapshot 3 and entries 4, 5: [what, appended, log after]
  const appends: Array<[string, Entry[], Entry[]]> = [
    ['entirely compacted entries are ignored', [entry(1, 1), entry(2, 2)], [entry(4, 4), entry(5, 5)]],
    ['the same entries again change nothing', [entry(3, 3), entry(4, 4), entry(5, 5)], [entry(4, 4), entry(5, 5)]],
    ['a conflicting suffix is replaced', [entry(3, 3), entry(4, 6), entry(5, 6)], [entry(4, 6), entry(5, 6)]],
    ['an overlap that runs past the end extends the log', [entry(3, 3), entry(4, 4), entry(5, 5), entry(6, 5)], [entry(4, 4), entry(5, 5), entry(6, 5)]],
    ['a compacted prefix is dropped and the rest truncates and appends', [entry(2, 3), entry(3, 3), entry(4, 5)], [entry(4, 5)]],
    ['a conflict at the first index truncates everything after it', [entry(4, 5)], [entry(4, 5)]],
    ['an entry right after the last one is appended', [entry(6, 5)], [entry(4, 4), entry(5, 5), entry(6, 5)]],
  ];
  for (const [what, appended, expected] of appends) {
    test(`${name}: append: ${what}`, async (t) => {
      const storage = await create(t);
      await withLog(storage, 3, 5);
      await storage.append(appended);
      await checkSurvives(storage, () => {
        t.is(storage.firstIndex(), 4);
        t.is(storage.lastIndex(), expected.at(-1)!.index);
        t.deepEqual(plain(storage.entries(4, storage.lastIndex() + 1, Number.MAX_SAFE_INTEGER)), plain(expected));
        t.is(storage.term(3), 3);
      });
    });
  }

  test(`${name}: append of nothing changes nothing`, async (t) => {
    const storage = await create(t);
    await withLog(storage, 3, 5);
    const before = observe(storage);
    await storage.append([]);
    t.deepEqual(observe(storage), before);
  });

  test(`${name}: append leaving a gap after lastIndex() is refused and writes nothing`, async (t) => {
    const storage = await create(t);
    await withLog(storage, 3, 5);
    const before = observe(storage);
    await refused(t, storage.append([entry(7, 7), entry(8, 7)]));
    await checkSurvives(storage, () => t.deepEqual(observe(storage), before));
  });

  test(`${name}: applySnapshot() at or below the current snapshot is SNAPSHOT_OUT_OF_DATE and changes nothing`, async (t) => {
    const storage = await create(t);
    await withLog(storage, 3, 5);
    const before = observe(storage);
    await rejectsRaftError(t, storage.applySnapshot(snapshotAt(3, 3)), 'SNAPSHOT_OUT_OF_DATE');
    await rejectsRaftError(t, storage.applySnapshot(snapshotAt(2, 2)), 'SNAPSHOT_OUT_OF_DATE');
    await checkSurvives(storage, () => t.deepEqual(observe(storage), before));
  });

  test(`${name}: applySnapshot() past the log replaces it, and appends continue after it`, async (t) => {
    const storage = await create(t);
    await withLog(storage, 3, 5);
    const snapshot = snapshotAt(9, 7, membership);
    await storage.applySnapshot(snapshot);
    await checkSurvives(storage, () => {
      t.is(storage.firstIndex(), 10);
      t.is(storage.lastIndex(), 9);
      t.is(storage.term(9), 7);
      throwsRaftError(t, () => storage.term(5), 'COMPACTED');
      t.deepEqual(plainSnapshot(storage.snapshot()), plainSnapshot(snapshot));
      t.deepEqual(storage.initialState().confState, membership);
    });
    await storage.append([entry(10, 7), entry(11, 8)]);
    await checkSurvives(storage, () => t.deepEqual(plain(storage.entries(10, 12, 1000)), plain([entry(10, 7), entry(11, 8)])));
  });

  test(`${name}: applySnapshot() inside the log discards the entries after it too`, async (t) => {
    const storage = await create(t);
    await withLog(storage, 3, 8);
    await storage.applySnapshot(snapshotAt(5, 5));
    await checkSurvives(storage, () => {
      t.is(storage.firstIndex(), 6);
      t.is(storage.lastIndex(), 5);
      throwsRaftError(t, () => storage.term(6), 'UNAVAILABLE');
      throwsRaftError(t, () => storage.entries(6, 6, 100), 'UNAVAILABLE');
    });
  });

  test(`${name}: setHardState() is what initialState() gives back`, async (t) => {
    const storage = await create(t);
    await storage.setHardState({ term: 3, vote: 2, commit: 0 });
    await storage.append([entry(1, 3), entry(2, 3)]);
    await storage.setHardState({ term: 4, vote: 1, commit: 2 });
    await checkSurvives(storage, () => t.deepEqual(storage.initialState().hardState, { term: 4, vote: 1, commit: 2 }));
  });

  if (durable) {
    test(`${name}: everything survives reopen together`, async (t) => {
      const storage = await create(t);
      await storage.bootstrap(membership);
      await storage.setHardState({ term: 2, vote: 1, commit: 1 });
      const entries = Array.from({ length: 20 }, (_, i) => entry(i + 1, 1 + Math.floor(i / 7)));
      await storage.append(entries);
      await storage.createSnapshot(12, { ...membership, learners: [] }, Uint8Array.from({ length: 3000 }, (_, i) => i & 0xff));
      await storage.compact(10);
      const before = observe(storage);
      await storage.reopen!();
      t.deepEqual(observe(storage), before);
      await storage.reopen!();
      t.deepEqual(observe(storage), before, 'reopening twice changes nothing either');
    });

    test(`${name}: a truncated suffix stays truncated after reopen`, async (t) => {
      const storage = await create(t);
      await withLog(storage, 0, 8);
      await storage.append([entry(5, 9)]);
      await storage.reopen!();
      t.is(storage.lastIndex(), 5);
      t.is(storage.term(5), 9);
      throwsRaftError(t, () => storage.term(6), 'UNAVAILABLE');
      // Appending again over the old indexes must not resurrect the old entries.
      await storage.append([entry(6, 9)]);
      await storage.reopen!();
      t.deepEqual(plain(storage.entries(4, 7, 1000)), plain([entry(4, 4), entry(5, 9), entry(6, 9)]));
    });
  }

  for (const seed of [1, 2, 3]) {
    test(`${name}: random operations give what MemoryStorage gives (seed ${seed})`, async (t) => {
      const storage = await create(t);
      await compareWithReference(t, storage, new SeededRandom(seed), durable);
    });
  }
}

const OPERATIONS_PER_RUN = 120;

/**
 * Drives the store under test and a MemoryStorage with the same random operations (only
 * valid ones: the refusals have their own tests) and compares everything observable after
 * each. A durable store is reopened now and then.
 */
async function compareWithReference(t: ExecutionContext, storage: LogStorageUnderTest, random: SeededRandom, durable: boolean): Promise<void> {
  const reference = new MemoryStorage();
  let currentTerm = 1;
  for (let step = 0; step < OPERATIONS_PER_RUN; step++) {
    const first = reference.firstIndex();
    const last = reference.lastIndex();
    const snapshotIndex = reference.snapshot().metadata.index;
    const roll = random.nextInt(100);
    let description: string;
    if (random.nextInt(8) === 0) currentTerm++;
    if (roll < 50) {
      // Terms only grow along the log, so entries of the current term may go anywhere.
      const start = Math.max(1, first - 2 + random.nextInt(last - first + 4));
      const entries = Array.from({ length: random.nextInt(5) }, (_, i) => entry(start + i, currentTerm));
      description = `append ${entries.length} from ${start}`;
      reference.append(entries);
      await storage.append(entries);
    } else if (roll < 62) {
      const hardState = { term: currentTerm, vote: random.nextInt(4), commit: random.nextInt(last + 1) };
      description = `setHardState ${JSON.stringify(hardState)}`;
      reference.setHardState(hardState);
      await storage.setHardState(hardState);
    } else if (roll < 74 && last >= first) {
      const index = first + random.nextInt(last - first + 1);
      description = `compact ${index}`;
      reference.compact(index);
      await storage.compact(index);
    } else if (roll < 86 && last > Math.max(snapshotIndex, first - 2)) {
      const lowest = Math.max(snapshotIndex + 1, first - 1);
      const index = lowest + random.nextInt(last - lowest + 1);
      const confState = { ...emptyConfState(), voters: [1 + random.nextInt(5)] };
      const data = payload(index, 99);
      description = `createSnapshot ${index}`;
      reference.createSnapshot(index, confState, data);
      await storage.createSnapshot(index, confState, data);
    } else if (roll < 94) {
      const index = snapshotIndex + 1 + random.nextInt(Math.max(1, last - snapshotIndex + 3));
      const snapshot = snapshotAt(index, currentTerm, { ...emptyConfState(), learners: [random.nextInt(9) + 1] });
      description = `applySnapshot ${index}`;
      reference.applySnapshot(snapshot);
      await storage.applySnapshot(snapshot);
    } else if (durable) {
      description = 'reopen';
      await storage.reopen!();
    } else {
      continue;
    }
    t.deepEqual(observe(storage), observe(reference), `step ${step}: ${description}`);
  }
  if (durable) {
    await storage.reopen!();
    t.deepEqual(observe(storage), observe(reference), 'after the final reopen');
  }
}
