// Proves the simulated disk's crash model: synced writes always survive a crash, unsynced
// ones survive only as a prefix (never a later write without every earlier one), the
// running node sees every write at once, and a Raft snapshot taken for compaction is synced
// together with everything written before it.

import test from 'ava';
import { SeededRandom } from '../../consensus/random.ts';
import { EntryType } from '../../consensus/types.ts';
import type { Entry } from '../../consensus/types.ts';
import { SimDisk } from './disk.ts';

function entry(index: number, term: number): Entry {
  return { index, term, type: EntryType.Normal, data: Uint8Array.of(index) };
}

const confState = { voters: [1, 2, 3], learners: [], votersOutgoing: [], learnersNext: [], autoLeave: false };

test('synced writes survive a crash; the live view sees unsynced ones too', (t) => {
  const disk = new SimDisk();
  disk.bootstrap(confState);
  disk.writeReady({ term: 1, vote: 1, commit: 0 }, [entry(1, 1), entry(2, 1)], undefined, true);
  disk.writeReady({ term: 1, vote: 1, commit: 2 }, [], undefined, false);
  t.is(disk.storage.initialState().hardState.commit, 2);
  t.is(disk.unsyncedWrites, 1);
  disk.crash(new SeededRandom(1), true);
  const { hardState, confState: restored } = disk.storage.initialState();
  t.deepEqual(hardState, { term: 1, vote: 1, commit: 0 }, 'the unsynced commit index was lost');
  t.deepEqual(restored.voters, [1, 2, 3], 'the bootstrap membership is durable');
  t.is(disk.storage.lastIndex(), 2);
});

test('a crash keeps a prefix of the unsynced writes, never a gap', (t) => {
  const random = new SeededRandom(2);
  const kept = new Set<number>();
  for (let run = 0; run < 50; run++) {
    const disk = new SimDisk();
    disk.writeReady({ term: 1, vote: 0, commit: 0 }, [], undefined, true);
    for (let index = 1; index <= 5; index++) disk.writeReady(undefined, [entry(index, 1)], undefined, false);
    const outcome = disk.crash(random, false);
    t.is(outcome.unsyncedWrites, 5);
    t.is(disk.storage.lastIndex(), outcome.keptWrites, 'exactly the first keptWrites entries survived');
    kept.add(outcome.keptWrites);
  }
  t.true(kept.size >= 4, 'crashes keep prefixes of various lengths');
});

test('compaction syncs, and its Raft snapshot survives with the log after it', (t) => {
  const disk = new SimDisk();
  disk.writeReady({ term: 2, vote: 1, commit: 3 }, [entry(1, 1), entry(2, 2), entry(3, 2), entry(4, 2)], undefined, false);
  disk.compact(3, confState, Uint8Array.of(7), 2);
  t.is(disk.unsyncedWrites, 0);
  disk.crash(new SeededRandom(3), true);
  const storage = disk.storage;
  t.is(storage.snapshot().metadata.index, 3);
  t.deepEqual([...storage.snapshot().data], [7]);
  t.is(storage.firstIndex(), 3, 'compaction kept one entry before the snapshot index');
  t.is(storage.lastIndex(), 4);
  t.is(storage.initialState().hardState.commit, 3, 'the commit index covering the snapshot is durable');
});
