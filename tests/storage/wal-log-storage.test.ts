// What WalLogStorage promises beyond the conformance suite, on real files: a log spans
// several preallocated segments and reads back whole after reopen; compaction and snapshots
// delete the segments and snapshot files nothing needs any more, and replay still finds the
// hard state and the snapshot; a conflicting suffix stays replaced. A crash in the middle
// of an append (the last segment cut short, or ending in zeros or garbage at any byte)
// reopens as the state after some earlier save, never a mix, and the log goes on from
// there; a bad record that was once synced, a missing segment or a missing snapshot file is
// CORRUPTION naming the file and the byte offset. A failed write leaves the store 'failed'.

import { randomBytes } from 'node:crypto';
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import type { ExecutionContext } from 'ava';
import { AssertionError } from '../../consensus/errors.ts';
import type { ConfState, Entry } from '../../consensus/types.ts';
import { emptyConfState } from '../../consensus/types.ts';
import { VstorError } from '../../storage-engine/errors.ts';
import { WalLogStorage } from '../../storage-engine/wal/wal-log-storage.ts';
import { readFrame } from '../../storage-engine/wal/wal-records.ts';
import type { AppendFile } from '../../storage-engine/wal/wal-segment-file.ts';
import { entry, observe } from './log-storage-suite.ts';
import { createWalStorageUnderTest, SMALL_SEGMENT_BYTES } from './wal-storage-under-test.ts';

const SYNC = { sync: true };
const membership: ConfState = { ...emptyConfState(), voters: [1, 2, 3] };
const entries = (from: number, to: number, term: number): Entry[] => Array.from({ length: to - from + 1 }, (_, i) => entry(from + i, term));

async function filesOf(location: string, suffix: string): Promise<string[]> {
  return (await readdir(location)).filter((name) => name.endsWith(suffix)).sort();
}

/** The byte offset of every record in a segment, and where the written part ends. */
function recordOffsets(bytes: Uint8Array): { offsets: number[]; end: number } {
  const offsets: number[] = [];
  let at = 0;
  for (;;) {
    const read = readFrame(bytes, at);
    if (read.kind !== 'record') return { offsets, end: at };
    offsets.push(at);
    at += read.frameBytes;
  }
}

/** One save per index up to `last`, each with its hard state, synced. */
async function writeLog(storage: WalLogStorage, first: number, last: number, termOf: (index: number) => number): Promise<void> {
  for (let index = first; index <= last; index++) {
    await storage.save({ entries: [entry(index, termOf(index))], hardState: { term: termOf(index), vote: 1, commit: index - 1 } }, SYNC);
  }
}

test('a log spans several segments and reads back whole; compaction deletes the segments it emptied', async (t) => {
  const f = await createWalStorageUnderTest(t, { segmentBytes: SMALL_SEGMENT_BYTES }, true);
  const termOf = (index: number) => 1 + Math.floor(index / 100);
  await writeLog(f.storage, 1, 400, termOf);
  const segmentsBefore = await filesOf(f.location, '.wal');
  t.true(segmentsBefore.length >= 5, `${segmentsBefore.length} segments`);
  t.is(f.storage.segmentCount, segmentsBefore.length);
  await f.storage.createSnapshot(350, membership, Uint8Array.from({ length: 5000 }, (_, i) => i & 0xff));
  let before = observe(f.storage);
  await f.reopen();
  t.deepEqual(observe(f.storage), before);

  await f.storage.compact(380);
  const segmentsAfter = await filesOf(f.location, '.wal');
  t.true(segmentsAfter.length < segmentsBefore.length - 2, `${segmentsBefore.length} → ${segmentsAfter.length} segments`);
  t.is(segmentsAfter.at(-1), segmentsBefore.at(-1), 'the last segment stays');
  const firstKeptIndex = parseInt(segmentsAfter[0]!.split('-')[1]!, 16);
  t.true(firstKeptIndex <= 381, `the first segment kept starts at ${firstKeptIndex}`);
  before = observe(f.storage);
  await f.reopen();
  t.deepEqual(observe(f.storage), before, 'hard state, snapshot and compaction point come back from the segments kept');
  t.deepEqual(await filesOf(f.location, '.snap'), ['000000000000015e.snap']);

  // The log goes on, into new segments, and compacting everything keeps only what is needed.
  await writeLog(f.storage, 401, 600, termOf);
  await f.storage.compact(600);
  t.true(f.storage.segmentCount <= 2, `${f.storage.segmentCount} segments after compacting everything`);
  before = observe(f.storage);
  await f.reopen();
  t.deepEqual(observe(f.storage), before);
});

test('a saved snapshot replaces the log, deletes the older segments and snapshot files, and survives reopen', async (t) => {
  const f = await createWalStorageUnderTest(t, { segmentBytes: SMALL_SEGMENT_BYTES }, true);
  await writeLog(f.storage, 1, 150, () => 1);
  await f.storage.createSnapshot(100, membership, Uint8Array.of(1, 2, 3));
  t.true(f.storage.segmentCount > 2);
  const snapshot = { metadata: { index: 500, term: 4, confState: { ...membership, learners: [4] } }, data: Uint8Array.from({ length: 3000 }, (_, i) => (i * 7) & 0xff) };
  await f.storage.save({ snapshot, entries: entries(499, 502, 4), hardState: { term: 4, vote: 2, commit: 500 } }, { sync: false });
  t.is(f.storage.segmentCount, 1);
  t.deepEqual(await filesOf(f.location, '.snap'), ['00000000000001f4.snap']);
  const before = observe(f.storage);
  t.is(f.storage.firstIndex(), 501);
  t.is(f.storage.lastIndex(), 502);
  await f.reopen();
  t.deepEqual(observe(f.storage), before);
});

test('a conflicting suffix across segment boundaries stays replaced after reopen', async (t) => {
  const f = await createWalStorageUnderTest(t, { segmentBytes: SMALL_SEGMENT_BYTES }, true);
  await writeLog(f.storage, 1, 120, () => 1);
  t.true(f.storage.segmentCount >= 2);
  await f.storage.save({ entries: entries(30, 32, 2), hardState: { term: 2, vote: 3, commit: 29 } }, SYNC);
  await f.reopen();
  t.is(f.storage.lastIndex(), 32);
  t.deepEqual([f.storage.term(29), f.storage.term(30), f.storage.term(32)], [1, 2, 2]);
  // Entries written again at the old indexes are the new ones, not the old ones.
  await f.storage.save({ entries: entries(33, 40, 2) }, SYNC);
  const before = observe(f.storage);
  await f.reopen();
  t.deepEqual(observe(f.storage), before);
  t.deepEqual(f.storage.entries(33, 41, Number.MAX_SAFE_INTEGER).map((e) => e.term), Array.from({ length: 8 }, () => 2));
});

/**
 * A log of single-segment saves, each of several entries, and what the store showed after
 * each; then the last segment's bytes, for the damage tests to start from.
 */
async function savedStates(t: ExecutionContext): Promise<{ location: string; segment: string; original: Buffer; states: unknown[] }> {
  const f = await createWalStorageUnderTest(t, { segmentBytes: 64 * 1024 }, true);
  const states = [observe(f.storage)];
  for (let save = 0; save < 12; save++) {
    const first = f.storage.lastIndex() + 1;
    await f.storage.save({ entries: entries(first, first + 2 + (save % 3), 1 + Math.floor(save / 4)), hardState: { term: 1 + Math.floor(save / 4), vote: 1, commit: first } }, SYNC);
    states.push(observe(f.storage));
  }
  await f.close();
  const [segment] = await filesOf(f.location, '.wal');
  return { location: f.location, segment: path.join(f.location, segment!), original: await readFile(path.join(f.location, segment!)), states };
}

/** Opens the damaged log: it must hold one of the saved states, and take a further save. */
async function reopensAsSavedState(t: ExecutionContext, location: string, states: unknown[], what: string): Promise<number> {
  const storage = await WalLogStorage.open(location, { segmentBytes: 64 * 1024 });
  try {
    const found = states.findIndex((state) => JSON.stringify(state) === JSON.stringify(observe(storage)));
    t.true(found >= 0, `${what}: the log is in none of the saved states`);
    const last = storage.lastIndex();
    await storage.save({ entries: [entry(last + 1, 9)], hardState: { term: 9, vote: 1, commit: last } }, SYNC);
    await storage.close();
    const again = await WalLogStorage.open(location, { segmentBytes: 64 * 1024 });
    t.is(again.lastIndex(), last + 1, `${what}: the log goes on after the repaired tail`);
    t.is(again.term(last + 1), 9);
    await again.close();
    return found;
  } finally {
    await storage.close();
  }
}

test('a last segment cut short at any byte reopens as the state after an earlier save, and the log goes on', async (t) => {
  const { location, segment, original, states } = await savedStates(t);
  const { end } = recordOffsets(original);
  let previous = 0;
  for (let cut = 0; cut <= end; cut += 29) {
    await writeFile(segment, original.subarray(0, Math.max(cut, 200)));
    const found = await reopensAsSavedState(t, location, states, `cut at ${cut}`);
    t.true(found >= previous, `cut at ${cut}: a longer file never gives an earlier state`);
    previous = found;
  }
  await writeFile(segment, original.subarray(0, end));
  t.is(await reopensAsSavedState(t, location, states, 'cut at the end'), states.length - 1, 'nothing written is lost');
});

test('a tail of zeros or garbage from any byte on reopens as the state after an earlier save', async (t) => {
  const { location, segment, original, states } = await savedStates(t);
  const { offsets, end } = recordOffsets(original);
  // Past the segment header batch (two records), which was synced before the file got its name.
  for (let from = offsets[2]!; from < end; from += 23) {
    for (const fill of ['zeros', 'garbage'] as const) {
      const damaged = Buffer.from(original);
      damaged.set(fill === 'zeros' ? new Uint8Array(end - from) : randomBytes(end - from + 100), from);
      await writeFile(segment, damaged);
      await reopensAsSavedState(t, location, states, `${fill} from ${from}`);
    }
  }
});

test('a bad record that was synced before later records is CORRUPTION naming segment and offset', async (t) => {
  const { location, segment, original } = await savedStates(t);
  const { offsets } = recordOffsets(original);
  const target = offsets[8]!;
  for (const [what, at] of [['a value byte', target + 20], ['a length byte', target + 2], ['the frame checksum', target + 13]] as const) {
    const damaged = Buffer.from(original);
    damaged[at] ^= 0x10;
    await writeFile(segment, damaged);
    const error = await t.throwsAsync(WalLogStorage.open(location, { segmentBytes: 64 * 1024 }), { instanceOf: VstorError }, what);
    t.is(error?.code, 'CORRUPTION', what);
    t.true(error!.message.includes(`${path.basename(segment)} at byte ${target}`), `${what}: ${error?.message}`);
  }
});

test('damage outside the last segment, a missing segment or snapshot file is CORRUPTION', async (t) => {
  const make = async () => {
    const f = await createWalStorageUnderTest(t, { segmentBytes: SMALL_SEGMENT_BYTES }, true);
    await writeLog(f.storage, 1, 200, () => 1);
    await f.storage.createSnapshot(150, membership, Uint8Array.of(7, 7, 7));
    await f.close();
    return { location: f.location, segments: await filesOf(f.location, '.wal') };
  };
  const cases: Array<[string, (location: string, segments: string[]) => Promise<void>, RegExp]> = [
    ['a flipped bit in a record of the first segment', async (location, segments) => {
      const file = path.join(location, segments[0]!);
      const bytes = await readFile(file);
      const { offsets } = recordOffsets(bytes);
      bytes[offsets[10]! + 20] ^= 0x01;
      await writeFile(file, bytes);
    }, new RegExp(`${segments0Pattern()} at byte \\d+`)],
    ['zeros over the end of a middle segment', async (location, segments) => {
      const file = path.join(location, segments[1]!);
      const bytes = await readFile(file);
      const { offsets, end } = recordOffsets(bytes);
      bytes.fill(0, offsets.at(-2)!, end);
      await writeFile(file, bytes);
    }, /does not continue the one before it/],
    ['a missing middle segment', (location, segments) => rm(path.join(location, segments[2]!)), /has a gap/],
    ['a missing first segment', (location, segments) => rm(path.join(location, segments[0]!)), /entry 1 is in no segment/],
    ['a missing snapshot file', (location) => rm(path.join(location, '0000000000000096.snap')), /snapshot at index 150 whose data file .* is missing/],
    ['a snapshot file with other data', (location) => writeFile(path.join(location, '0000000000000096.snap'), Uint8Array.of(1, 1, 2, 3, 4, 5, 6)), /snapshot data file|fails its checksum/],
  ];
  for (const [what, damage, message] of cases) {
    const { location, segments } = await make();
    t.true(segments.length >= 4);
    await damage(location, segments);
    await t.throwsAsync(WalLogStorage.open(location, { segmentBytes: SMALL_SEGMENT_BYTES }), { instanceOf: VstorError, code: 'CORRUPTION', message }, what);
  }
});

function segments0Pattern(): string {
  return '0000000000000000-0000000000000001\\.wal';
}

test('files a crash left half made are removed at open', async (t) => {
  const f = await createWalStorageUnderTest(t, { segmentBytes: SMALL_SEGMENT_BYTES }, true);
  await writeLog(f.storage, 1, 10, () => 1);
  await f.storage.createSnapshot(5, membership, Uint8Array.of(5));
  await f.close();
  await writeFile(path.join(f.location, 'next.wal.tmp'), new Uint8Array(100));
  await writeFile(path.join(f.location, '0000000000000009.snap.tmp'), new Uint8Array(10));
  await writeFile(path.join(f.location, '0000000000000002.snap'), new Uint8Array(10));
  await f.reopen();
  t.deepEqual((await readdir(f.location)).filter((name) => !name.endsWith('.wal')), ['0000000000000005.snap']);
  t.is(f.storage.lastIndex(), 10);
});

test('a failed write leaves memory as it was and refuses further writes until reopened', async (t) => {
  const f = await createWalStorageUnderTest(t, { segmentBytes: SMALL_SEGMENT_BYTES }, true);
  await writeLog(f.storage, 1, 6, () => 1);
  const before = observe(f.storage);
  // The segment file is swapped for one whose writes fail, as a disk error would fail them.
  const { tail } = f.storage as unknown as { tail: { file: AppendFile } };
  const real = tail.file;
  tail.file = {
    write: () => Promise.reject(new Error('injected write failure')),
    datasync: () => Promise.reject(new Error('injected write failure')),
    close: () => real.close(),
  };
  await t.throwsAsync(f.storage.save({ entries: entries(7, 9, 2), hardState: { term: 2, vote: 1, commit: 6 } }, SYNC), { message: 'injected write failure' });
  t.is(f.storage.status, 'failed');
  t.deepEqual(observe(f.storage), before);
  await t.throwsAsync(f.storage.compact(2), { instanceOf: VstorError, code: 'UNAVAILABLE' });
  await f.reopen();
  t.deepEqual(observe(f.storage), before);
  await f.storage.save({ entries: entries(7, 7, 2) }, SYNC);
  t.is(f.storage.lastIndex(), 7);
});

test('a second write while one is in flight is a bug, and open() refuses a bad segment size', async (t) => {
  const f = await createWalStorageUnderTest(t);
  const first = f.storage.save({ entries: entries(1, 3, 1) }, SYNC);
  await t.throwsAsync(f.storage.save({ entries: entries(4, 4, 1) }, SYNC), { instanceOf: AssertionError });
  await first;
  t.is(f.storage.lastIndex(), 3);
  for (const segmentBytes of [0, 1000, 4097, 2 ** 31]) {
    await t.throwsAsync(WalLogStorage.open(path.join(f.location, 'other'), { segmentBytes }), { instanceOf: VstorError, code: 'INVALID_ARGUMENT' }, String(segmentBytes));
  }
});

test('a bad record followed only by records written before it was synced is a torn tail, not corruption', async (t) => {
  // Power loss may persist a later sector of an unsynced write and not an earlier one; the
  // records after the bad one then carry a syncedBytes at or below its offset.
  const f = await createWalStorageUnderTest(t, { segmentBytes: 64 * 1024 }, true);
  await writeLog(f.storage, 1, 5, () => 1);
  for (let index = 6; index <= 10; index++) await f.storage.save({ entries: [entry(index, 1)], hardState: { term: 1, vote: 1, commit: 5 } }, { sync: false });
  await f.close();
  const [name] = await filesOf(f.location, '.wal');
  const file = path.join(f.location, name!);
  const bytes = await readFile(file);
  // Two header records, then an entry and a hard state record per save: entry 7 is record 14.
  const { offsets } = recordOffsets(bytes);
  bytes[offsets[14]! + 20] ^= 0x01;
  await writeFile(file, bytes);
  await f.reopen();
  t.is(f.storage.lastIndex(), 6, 'the log ends before the damaged batch');
  t.deepEqual(f.storage.initialState().hardState, { term: 1, vote: 1, commit: 5 });
});

test('a commit index moved alone is written with the next batch or at close; a crash before either replays the one before', async (t) => {
  const options = { segmentBytes: 64 * 1024 };
  const f = await createWalStorageUnderTest(t, options, true);
  await writeLog(f.storage, 1, 3, () => 1);
  await f.storage.save({ entries: [], hardState: { term: 1, vote: 1, commit: 3 } }, { sync: false });
  t.deepEqual(f.storage.initialState().hardState, { term: 1, vote: 1, commit: 3 }, 'the store answers with it at once');
  // What a process crash would leave now (the page cache keeps every write): a second store
  // opened on the same files.
  const afterCrash = async (): Promise<{ commit: number; lastIndex: number }> => {
    const other = await WalLogStorage.open(f.location, options);
    try {
      return { commit: other.initialState().hardState.commit, lastIndex: other.lastIndex() };
    } finally {
      await other.close();
    }
  };
  t.deepEqual(await afterCrash(), { commit: 2, lastIndex: 3 }, 'not written on its own');
  await f.storage.save({ entries: [entry(4, 1)] }, SYNC);
  t.deepEqual(await afterCrash(), { commit: 3, lastIndex: 4 }, 'written with the next batch');
  await f.storage.save({ entries: [entry(5, 1)], hardState: { term: 1, vote: 1, commit: 4 } }, SYNC);
  await f.storage.save({ entries: [], hardState: { term: 1, vote: 1, commit: 5 } }, { sync: false });
  await f.reopen();
  t.deepEqual(f.storage.initialState().hardState, { term: 1, vote: 1, commit: 5 }, 'written at a clean close');
  t.is(f.storage.lastIndex(), 5);
});
