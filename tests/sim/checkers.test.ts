// Proves that each safety checker catches the violation it exists for, fed with a
// deliberately corrupted history (two leaders in a term, a double vote, diverging logs, a
// leader missing an applied entry, a divergent apply, a bad snapshot restore, a stale read),
// and stays silent on a correct history. A checker that never fires proves nothing.

import test from 'ava';
import type { ExecutionContext } from 'ava';
import { MemoryStorage } from '../../consensus/storage.ts';
import { EntryType } from '../../consensus/types.ts';
import type { Entry } from '../../consensus/types.ts';
import { checkLogsMatch, SafetyChecker, Violation } from './checkers.ts';
import type { ViolationKind } from './checkers.ts';
import { HashChainStateMachine } from './state-machine.ts';

function entry(index: number, term: number, payload = index): Entry {
  return { index, term, type: EntryType.Normal, data: Uint8Array.of(payload) };
}

function throwsKind(t: ExecutionContext, kind: ViolationKind, run: () => void): void {
  const error = t.throws(run, { instanceOf: Violation });
  t.is(error?.kind, kind, error?.message);
}

function logOf(entries: Entry[]): MemoryStorage {
  const storage = new MemoryStorage();
  storage.append(entries);
  return storage;
}

test('election safety: a second leader in one term', (t) => {
  const checker = new SafetyChecker();
  checker.leader(1, 2);
  checker.leader(1, 2);
  checker.leader(2, 3);
  throwsKind(t, 'election-safety', () => checker.leader(3, 2));
});

test('one vote per term', (t) => {
  const checker = new SafetyChecker();
  checker.voteGranted(1, 5, 2);
  checker.voteGranted(1, 5, 2);
  checker.voteGranted(1, 6, 3);
  throwsKind(t, 'double-vote', () => checker.voteGranted(1, 5, 3));
});

test('log matching: same index and term, different payload or predecessor', (t) => {
  const checker = new SafetyChecker();
  checker.persistedEntry(1, entry(1, 1), 0);
  checker.persistedEntry(1, entry(2, 1), 1);
  checker.persistedEntry(2, entry(2, 1), 1);
  checker.persistedEntry(3, entry(2, 2, 9), 1);
  throwsKind(t, 'log-matching', () => checker.persistedEntry(2, entry(2, 2, 8), 1));
  checker.persistedEntry(2, entry(4, 2), 2);
  throwsKind(t, 'log-matching', () => checker.persistedEntry(3, entry(4, 2), 1));
  throwsKind(t, 'log-matching', () => checker.persistedEntry(3, entry(5, 1), 2));
});

test('log matching over whole logs', (t) => {
  const a = logOf([entry(1, 1), entry(2, 1), entry(3, 2)]);
  const b = logOf([entry(1, 1), entry(2, 1), entry(3, 3)]);
  t.notThrows(() => checkLogsMatch(new Map([[1, a], [2, b]])));
  const c = logOf([entry(1, 1), entry(2, 1, 7), entry(3, 2)]);
  throwsKind(t, 'log-matching', () => checkLogsMatch(new Map([[1, a], [3, c]])));
});

test('state machine safety: a divergent or skipped apply', (t) => {
  const checker = new SafetyChecker();
  checker.appliedEntry(1, 0, entry(1, 1));
  checker.appliedEntry(1, 1, entry(2, 1));
  checker.appliedEntry(2, 0, entry(1, 1));
  throwsKind(t, 'state-machine-safety', () => checker.appliedEntry(2, 1, entry(2, 1, 42)));
  throwsKind(t, 'state-machine-safety', () => checker.appliedEntry(2, 1, entry(3, 1)));
  throwsKind(t, 'state-machine-safety', () => checker.appliedEntry(3, 0, entry(1, 2)));
});

test('state machine safety: a snapshot restore must land on the applied state', (t) => {
  const checker = new SafetyChecker();
  const machine = new HashChainStateMachine();
  for (let index = 1; index <= 3; index++) {
    const applied = entry(index, 1);
    checker.appliedEntry(1, index - 1, applied);
    machine.apply(applied);
  }
  const image = machine.encode();
  const restored = new HashChainStateMachine();
  restored.restore(image);
  t.notThrows(() => checker.restored(2, restored.appliedIndex, restored.hash, 3));
  throwsKind(t, 'state-machine-safety', () => checker.restored(2, 3, restored.hash ^ 1, 3));
  throwsKind(t, 'state-machine-safety', () => checker.restored(2, 3, restored.hash, 4));
  throwsKind(t, 'state-machine-safety', () => checker.restored(2, 5, restored.hash, 5));
});

test('leader completeness: a new leader must hold every entry committed in an earlier term', (t) => {
  const checker = new SafetyChecker();
  checker.termObserved(1);
  checker.appliedEntry(1, 0, entry(1, 1));
  checker.appliedEntry(1, 1, entry(2, 1));
  t.notThrows(() => checker.leaderLog(2, 2, logOf([entry(1, 1), entry(2, 1), entry(3, 2)])));
  throwsKind(t, 'leader-completeness', () => checker.leaderLog(3, 3, logOf([entry(1, 1)])));
  throwsKind(t, 'leader-completeness', () => checker.leaderLog(3, 3, logOf([entry(1, 1), entry(2, 2)])));
  // Index 3 was applied while term 5 existed: it may have been committed in term 5, so a
  // leader of term 4 elected late (vote responses delayed) need not have it; one of 6 must.
  checker.termObserved(5);
  checker.appliedEntry(1, 2, entry(3, 5));
  t.notThrows(() => checker.leaderLog(4, 4, logOf([entry(1, 1), entry(2, 1)])));
  throwsKind(t, 'leader-completeness', () => checker.leaderLog(4, 6, logOf([entry(1, 1), entry(2, 1)])));
});

test('ReadIndex: an answer below the commit index at issue is a stale read', (t) => {
  const checker = new SafetyChecker();
  checker.commitObserved(5);
  checker.readIssued(1, 2);
  checker.readIssued(2, 3);
  checker.commitObserved(4);
  t.is(checker.clusterCommitIndex, 5, 'the cluster commit index never goes back');
  t.notThrows(() => checker.readAnswered(2, 1, 5));
  throwsKind(t, 'read-index', () => checker.readAnswered(3, 2, 4));
});
