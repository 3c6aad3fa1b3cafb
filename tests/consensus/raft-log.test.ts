// RaftLog: stable entries in LogStorage followed by unstable ones in memory, as one log. These
// tests pin the follower side of AppendEntries (maybeAppend, findConflict), the rejection
// hint that lets a leader skip a divergent term at once (findConflictByTerm), reading across
// the storage/unstable boundary under byte limits (slice), and the assertions that guard the
// commit and applied indexes: a commit index past the log or an applied index going back is
// a broken replica, never an operating error.
import test from 'ava';
import { AssertionError, RaftError } from '../../consensus/errors.ts';
import { RaftLog } from '../../consensus/raft-log.ts';
import { MemoryStorage } from '../../consensus/storage.ts';
import type { Entry } from '../../consensus/types.ts';
import { entryBytes, EntryType } from '../../consensus/types.ts';

const entry = (index: number, term: number, data = ''): Entry =>
  ({ index, term, type: EntryType.Normal, data: new TextEncoder().encode(data) });

/** Entries 1..terms.length with the given terms. */
const entriesOfTerms = (terms: number[], data = ''): Entry[] => terms.map((term, i) => entry(i + 1, term, data));

/** A log whose storage holds `stable` and whose unstable part holds `unstable`, committed at `commit`. */
function makeLog(stable: Entry[], unstable: Entry[] = [], options: { commit?: number; compactTo?: number; readyBytesMax?: number } = {}): RaftLog {
  const storage = new MemoryStorage();
  storage.append(stable);
  if (options.compactTo !== undefined) storage.compact(options.compactTo);
  const log = new RaftLog(storage, options.readyBytesMax ?? 1 << 20);
  if (unstable.length > 0) log.append(unstable);
  if (options.commit !== undefined) log.commitTo(options.commit);
  return log;
}

const termsOf = (entries: Entry[]): number[] => entries.map((e) => e.term);
const indexesOf = (entries: Entry[]): number[] => entries.map((e) => e.index);

// ---------------------------------------------------------------- findConflict

const conflictCases: { given: Entry[]; conflict: number; why: string }[] = [
  { given: [], conflict: 0, why: 'nothing given' },
  { given: [entry(1, 1), entry(2, 2), entry(3, 3)], conflict: 0, why: 'all present' },
  { given: [entry(2, 2), entry(3, 3)], conflict: 0, why: 'a present suffix' },
  { given: [entry(3, 3)], conflict: 0, why: 'the last entry' },
  { given: [entry(2, 2), entry(3, 3), entry(4, 4), entry(5, 4)], conflict: 4, why: 'new entries after the last: the first new one' },
  { given: [entry(4, 4), entry(5, 4)], conflict: 4, why: 'only new entries' },
  { given: [entry(1, 4), entry(2, 4)], conflict: 1, why: 'a different term at the first index' },
  { given: [entry(2, 1), entry(3, 4), entry(4, 4)], conflict: 2, why: 'a different term in the middle' },
  { given: [entry(3, 1), entry(4, 2), entry(5, 4), entry(6, 4)], conflict: 3, why: 'a different term at the last index' },
];

for (const row of conflictCases) {
  test(`findConflict: ${row.why}`, (t) => {
    const log = makeLog(entriesOfTerms([1, 2, 3]));
    t.is(log.findConflict(row.given), row.conflict);
  });
}

// ---------------------------------------------------------------- findConflictByTerm

// Index:  1 2 3 4 5 6
// Term:   2 2 5 5 5 8
const byTermCases: { index: number; term: number; want: { index: number; term: number }; compactTo?: number; why: string }[] = [
  { index: 6, term: 8, want: { index: 6, term: 8 }, why: 'our term at the index is the leader’s: a match candidate' },
  { index: 6, term: 9, want: { index: 6, term: 8 }, why: 'our term is lower: this index may match' },
  { index: 6, term: 7, want: { index: 5, term: 5 }, why: 'skips all of term 8' },
  { index: 6, term: 4, want: { index: 2, term: 2 }, why: 'skips terms 8 and 5 in one step' },
  { index: 4, term: 5, want: { index: 4, term: 5 }, why: 'from the middle of a term' },
  { index: 6, term: 1, want: { index: 0, term: 0 }, why: 'nothing of ours is that old: start from the beginning' },
  { index: 10, term: 3, want: { index: 10, term: 0 }, why: 'past our last index: unknown term' },
  { index: 6, term: 4, compactTo: 2, want: { index: 2, term: 2 }, why: 'reaches the compacted boundary, whose term is known' },
  { index: 6, term: 4, compactTo: 3, want: { index: 2, term: 0 }, why: 'runs into compacted entries: unknown term there' },
];

for (const row of byTermCases) {
  test(`findConflictByTerm: ${row.why}`, (t) => {
    const log = makeLog(entriesOfTerms([2, 2, 5, 5, 5, 8]), [], row.compactTo === undefined ? {} : { compactTo: row.compactTo });
    t.deepEqual(log.findConflictByTerm(row.index, row.term), row.want);
  });
}

// ---------------------------------------------------------------- maybeAppend

// The follower's log is 1@1 2@2 3@3 committed at 1, as in the rows of etcd's TestLogMaybeAppend.
const appendCases: {
  index: number; logTerm: number; commit: number; entries: Entry[];
  lastNew: number | undefined; committed: number; terms: number[]; why: string;
}[] = [
  { index: 3, logTerm: 2, commit: 3, entries: [entry(4, 4)], lastNew: undefined, committed: 1, terms: [1, 2, 3], why: 'prevTerm mismatch: rejected, nothing changes' },
  { index: 4, logTerm: 4, commit: 3, entries: [entry(5, 4)], lastNew: undefined, committed: 1, terms: [1, 2, 3], why: 'prevIndex past our log: rejected' },
  { index: 3, logTerm: 3, commit: 3, entries: [], lastNew: 3, committed: 3, terms: [1, 2, 3], why: 'a heartbeat-like append moves commit' },
  { index: 3, logTerm: 3, commit: 10, entries: [], lastNew: 3, committed: 3, why: 'commit is capped at the last new index', terms: [1, 2, 3] },
  { index: 3, logTerm: 3, commit: 2, entries: [entry(4, 4)], lastNew: 4, committed: 2, terms: [1, 2, 3, 4], why: 'appends after the last entry' },
  { index: 3, logTerm: 3, commit: 10, entries: [entry(4, 4), entry(5, 4)], lastNew: 5, committed: 5, terms: [1, 2, 3, 4, 4], why: 'commit is capped at the last new entry' },
  { index: 2, logTerm: 2, commit: 3, entries: [entry(3, 4)], lastNew: 3, committed: 3, terms: [1, 2, 4], why: 'a conflicting entry replaces ours' },
  { index: 1, logTerm: 1, commit: 3, entries: [entry(2, 4), entry(3, 4)], lastNew: 3, committed: 3, terms: [1, 4, 4], why: 'a conflict truncates everything after it' },
  { index: 1, logTerm: 1, commit: 3, entries: [entry(2, 2)], lastNew: 2, committed: 2, terms: [1, 2, 3], why: 'a matching prefix keeps our longer log; commit stops at the last new index' },
];

for (const row of appendCases) {
  test(`maybeAppend: ${row.why}`, (t) => {
    const log = makeLog(entriesOfTerms([1, 2, 3]), [], { commit: 1 });
    t.is(log.maybeAppend(row.index, row.logTerm, row.commit, row.entries), row.lastNew);
    t.is(log.committed, row.committed);
    t.deepEqual(termsOf(log.slice(1, log.lastIndex() + 1, Infinity)), row.terms);
  });
}

test('maybeAppend: a conflict at or below the commit index is a broken invariant', (t) => {
  const log = makeLog(entriesOfTerms([1, 2, 3]), [], { commit: 2 });
  t.throws(() => log.maybeAppend(1, 1, 3, [entry(2, 4)]), { instanceOf: AssertionError });
  t.deepEqual(termsOf(log.slice(1, 4, Infinity)), [1, 2, 3], 'nothing was written');
});

test('maybeAppend: a conflict in the stable log is held in unstable until persisted', (t) => {
  const log = makeLog(entriesOfTerms([1, 1, 1, 1]), [entry(5, 1)], { commit: 1 });
  t.is(log.unstable.offset, 5);
  t.is(log.maybeAppend(2, 1, 1, [entry(3, 2), entry(4, 2)]), 4);
  t.is(log.unstable.offset, 3, 'the unstable part now starts at the conflict');
  t.deepEqual(indexesOf(log.unstableEntries()), [3, 4]);
  t.is(log.lastIndex(), 4, 'entry 5 of the old term is gone');
  t.is(log.maybeTerm(5), undefined);
  t.deepEqual(termsOf(log.slice(1, 5, Infinity)), [1, 1, 2, 2]);
});

test('append refuses to overwrite committed entries', (t) => {
  const log = makeLog(entriesOfTerms([1, 1, 1]), [], { commit: 3 });
  t.throws(() => log.append([entry(3, 2)]), { instanceOf: AssertionError });
  t.is(log.append([entry(4, 2)]), 4);
});

// ---------------------------------------------------------------- slice and byte limits

// Storage holds 1..5, unstable 6..8; every entry is 10 bytes of payload.
const PAYLOAD = 'x'.repeat(10);
const SIZE = entryBytes(entry(1, 1, PAYLOAD));

function boundaryLog(): RaftLog {
  return makeLog(entriesOfTerms([1, 1, 1, 1, 1], PAYLOAD), [6, 7, 8].map((i) => entry(i, 2, PAYLOAD)));
}

test('slice reads across the storage/unstable boundary', (t) => {
  const log = boundaryLog();
  t.is(log.unstable.offset, 6);
  t.deepEqual(indexesOf(log.slice(3, 9, Infinity)), [3, 4, 5, 6, 7, 8]);
  t.deepEqual(indexesOf(log.slice(6, 9, Infinity)), [6, 7, 8], 'unstable only');
  t.deepEqual(indexesOf(log.slice(1, 6, Infinity)), [1, 2, 3, 4, 5], 'stable only');
  t.deepEqual(log.slice(4, 4, Infinity), [], 'an empty range');
});

test('slice stops in storage when the byte limit is reached there', (t) => {
  t.deepEqual(indexesOf(boundaryLog().slice(3, 9, 2 * SIZE)), [3, 4]);
});

test('slice stops in unstable when storage fits the limit and unstable does not', (t) => {
  t.deepEqual(indexesOf(boundaryLog().slice(4, 9, 3 * SIZE)), [4, 5, 6]);
  t.deepEqual(indexesOf(boundaryLog().slice(4, 9, 3 * SIZE - 1)), [4, 5], 'one byte less leaves 6 out');
});

test('slice returns at least one entry whatever the limit', (t) => {
  t.deepEqual(indexesOf(boundaryLog().slice(2, 9, 0)), [2]);
  t.deepEqual(indexesOf(boundaryLog().slice(7, 9, 0)), [7]);
});

test('slice below the first index throws COMPACTED; past the end asserts', (t) => {
  const log = makeLog(entriesOfTerms([1, 1, 1, 1, 1]), [], { compactTo: 3 });
  t.is(log.firstIndex(), 4);
  t.throws(() => log.slice(3, 5, Infinity), { instanceOf: RaftError, code: 'COMPACTED' });
  t.deepEqual(indexesOf(log.slice(4, 6, Infinity)), [4, 5]);
  t.throws(() => log.slice(4, 7, Infinity), { instanceOf: AssertionError });
});

test('maybeTerm is known from the entry before the first (the snapshot) to the last', (t) => {
  const log = makeLog(entriesOfTerms([1, 2, 3, 4, 5]), [], { compactTo: 3 });
  t.is(log.maybeTerm(3), 3, 'the compacted boundary keeps its term');
  t.is(log.maybeTerm(2), undefined);
  t.is(log.maybeTerm(5), 5);
  t.is(log.maybeTerm(6), undefined);
});

test('nextCommittedEntries starts after applied and honours committedBytesPerReadyMax', (t) => {
  const log = makeLog(entriesOfTerms([1, 1, 1, 1, 1], PAYLOAD), [], { readyBytesMax: 2 * SIZE });
  t.deepEqual(log.nextCommittedEntries(), [], 'nothing committed');
  log.commitTo(5);
  t.deepEqual(indexesOf(log.nextCommittedEntries()), [1, 2]);
  log.appliedTo(2);
  t.deepEqual(indexesOf(log.nextCommittedEntries()), [3, 4]);
  log.appliedTo(5);
  t.false(log.hasNextCommittedEntries());
});

// ---------------------------------------------------------------- commit and applied

test('commitTo never decreases and asserts past the last index', (t) => {
  const log = makeLog(entriesOfTerms([1, 1, 1]));
  log.commitTo(2);
  log.commitTo(1);
  t.is(log.committed, 2, 'a lower commit index is ignored');
  const error = t.throws(() => log.commitTo(4), { instanceOf: AssertionError });
  t.regex(error.message, /past the last index/);
  t.is(log.committed, 2);
});

test('appliedTo asserts outside [applied, committed]', (t) => {
  const log = makeLog(entriesOfTerms([1, 1, 1]), [], { commit: 2 });
  t.throws(() => log.appliedTo(3), { instanceOf: AssertionError }, 'past the commit index');
  log.appliedTo(2);
  t.throws(() => log.appliedTo(1), { instanceOf: AssertionError }, 'going back');
  t.is(log.applied, 2);
});

test('maybeCommit commits only an entry of the given term (Raft §5.4.2)', (t) => {
  const log = makeLog(entriesOfTerms([1, 2, 2]));
  t.false(log.maybeCommit(1, 2), 'entry 1 is of term 1');
  t.is(log.committed, 0);
  t.true(log.maybeCommit(3, 2));
  t.is(log.committed, 3);
  t.false(log.maybeCommit(2, 2), 'never backwards');
});

// ---------------------------------------------------------------- up to date, stable, restore

const upToDateCases: { lastIndex: number; lastTerm: number; upToDate: boolean; why: string }[] = [
  { lastIndex: 2, lastTerm: 4, upToDate: true, why: 'a higher last term wins even with a shorter log' },
  { lastIndex: 3, lastTerm: 3, upToDate: true, why: 'same last term and index' },
  { lastIndex: 4, lastTerm: 3, upToDate: true, why: 'same last term, longer log' },
  { lastIndex: 2, lastTerm: 3, upToDate: false, why: 'same last term, shorter log' },
  { lastIndex: 9, lastTerm: 2, upToDate: false, why: 'a lower last term loses even with a longer log' },
];

for (const row of upToDateCases) {
  test(`isUpToDate (Raft §5.4.1): ${row.why}`, (t) => {
    t.is(makeLog(entriesOfTerms([1, 2, 3])).isUpToDate(row.lastIndex, row.lastTerm), row.upToDate);
  });
}

test('stableTo ignores an acknowledgement for an entry that was replaced since', (t) => {
  const log = makeLog([], entriesOfTerms([1, 1, 1]));
  log.stableTo(2, 2);
  t.is(log.unstable.offset, 1, 'term 2 at index 2 was never in this log');
  log.stableTo(2, 1);
  t.is(log.unstable.offset, 3);
  t.deepEqual(indexesOf(log.unstableEntries()), [3]);
});

test('restore replaces the log with a snapshot and commits its index', (t) => {
  const log = makeLog(entriesOfTerms([1, 1, 1]), [], { commit: 1 });
  log.restore({ metadata: { index: 10, term: 4, confState: { voters: [1], learners: [], votersOutgoing: [], learnersNext: [], autoLeave: false } }, data: new Uint8Array(0) });
  t.true(log.hasPendingSnapshot());
  t.is(log.committed, 10);
  t.is(log.firstIndex(), 11);
  t.is(log.lastIndex(), 10);
  t.is(log.lastTerm(), 4);
  t.deepEqual(log.nextCommittedEntries(), [], 'the snapshot, not entries, brings the state machine to 10');
});

test('hasUnappliedConfChanges sees a committed, unapplied configuration change', (t) => {
  const cc: Entry = { index: 2, term: 1, type: EntryType.ConfChange, data: new Uint8Array(0) };
  const log = makeLog([entry(1, 1), cc, entry(3, 1)]);
  log.commitTo(1);
  t.false(log.hasUnappliedConfChanges(), 'the change is not committed yet');
  log.commitTo(3);
  t.true(log.hasUnappliedConfChanges());
  log.appliedTo(2);
  t.false(log.hasUnappliedConfChanges());
});
