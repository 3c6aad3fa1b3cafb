// Quorum arithmetic: which index a majority (or both majorities of a joint configuration)
// has acknowledged, and who won an election. Table-driven, as etcd's quorum datadriven tests
// are; every row states the voters, what each acknowledged, and the one right answer,
// including the edge cases the rest of the core leans on (empty configurations, ids that
// are not voters, unknown acknowledgements counted as 0).
import test from 'ava';
import type { JointConfig, VoteResult } from '../../consensus/quorum.ts';
import {
  jointCommitted, jointVoteResult, jointVoterIds, majorityCommitted, majorityVoteResult,
} from '../../consensus/quorum.ts';

/** `acked` as a lookup; ids absent from the record are unknown. */
const lookup = (acked: Record<number, number>) => (id: number): number | undefined => acked[id];

const votesOf = (votes: Record<number, boolean>): Map<number, boolean> =>
  new Map(Object.entries(votes).map(([id, granted]) => [Number(id), granted]));

const joint = (incoming: number[], outgoing: number[]): JointConfig =>
  ({ incoming: new Set(incoming), outgoing: new Set(outgoing) });

const majorityCommittedCases: { voters: number[]; acked: Record<number, number>; committed: number; why: string }[] = [
  { voters: [], acked: {}, committed: Number.MAX_SAFE_INTEGER, why: 'an empty config commits everything (the absent half of a joint config)' },
  { voters: [1], acked: {}, committed: 0, why: 'an unknown acknowledgement counts as 0' },
  { voters: [1], acked: { 1: 12 }, committed: 12, why: 'a single voter is its own majority' },
  { voters: [1, 2], acked: { 1: 12, 2: 5 }, committed: 5, why: 'two voters need both' },
  { voters: [1, 2, 3], acked: { 1: 12, 2: 5, 3: 7 }, committed: 7, why: 'the median of three' },
  { voters: [1, 2, 3], acked: { 1: 12, 3: 7 }, committed: 7, why: 'one unknown of three still leaves a majority at 7' },
  { voters: [1, 2, 3], acked: { 1: 12 }, committed: 0, why: 'two unknowns of three: only 0 is known to a majority' },
  { voters: [1, 2, 3, 4], acked: { 1: 9, 2: 8, 3: 7, 4: 6 }, committed: 7, why: 'four voters need three' },
  { voters: [1, 2, 3, 4, 5], acked: { 1: 1, 2: 2, 3: 3, 4: 4, 5: 5 }, committed: 3, why: 'five voters need three' },
  { voters: [1, 2, 3, 4, 5], acked: { 1: 5, 2: 5, 3: 1, 4: 1, 5: 1 }, committed: 1, why: 'two of five are not a majority' },
  { voters: [1, 2, 3], acked: { 1: 4, 2: 4, 3: 4, 9: 100 }, committed: 4, why: 'acknowledgements of non-voters do not count' },
  { voters: [5, 1, 3], acked: { 5: 3, 1: 1, 3: 2 }, committed: 2, why: 'the order of ids does not matter' },
];

for (const row of majorityCommittedCases) {
  test(`majorityCommitted: ${row.why}`, (t) => {
    t.is(majorityCommitted(new Set(row.voters), lookup(row.acked)), row.committed);
  });
}

const majorityVoteCases: { voters: number[]; votes: Record<number, boolean>; result: VoteResult; why: string }[] = [
  { voters: [], votes: {}, result: 'won', why: 'an empty config wins, so a joint config with no outgoing half decides by the incoming one' },
  { voters: [1], votes: {}, result: 'pending', why: 'no vote yet' },
  { voters: [1], votes: { 1: true }, result: 'won', why: 'a single voter that grants' },
  { voters: [1], votes: { 1: false }, result: 'lost', why: 'a single voter that rejects' },
  { voters: [1, 2, 3], votes: { 1: true }, result: 'pending', why: 'one grant of three, two outstanding' },
  { voters: [1, 2, 3], votes: { 1: true, 2: true }, result: 'won', why: 'two grants of three' },
  { voters: [1, 2, 3], votes: { 1: true, 2: false }, result: 'pending', why: 'a tie with one outstanding' },
  { voters: [1, 2, 3], votes: { 1: false, 2: false }, result: 'lost', why: 'two rejections of three' },
  { voters: [1, 2, 3, 4], votes: { 1: true, 2: true, 3: false, 4: false }, result: 'lost', why: 'a split vote of four cannot be won' },
  { voters: [1, 2, 3, 4], votes: { 1: true, 2: true }, result: 'pending', why: 'two of four, two outstanding' },
  { voters: [1, 2, 3], votes: { 1: true, 7: true, 8: true }, result: 'pending', why: 'votes of non-voters do not count' },
];

for (const row of majorityVoteCases) {
  test(`majorityVoteResult: ${row.why}`, (t) => {
    t.is(majorityVoteResult(new Set(row.voters), votesOf(row.votes)), row.result);
  });
}

const jointCommittedCases: { incoming: number[]; outgoing: number[]; acked: Record<number, number>; committed: number; why: string }[] = [
  { incoming: [1, 2, 3], outgoing: [], acked: { 1: 5, 2: 6, 3: 7 }, committed: 6, why: 'no outgoing half: the incoming majority alone' },
  { incoming: [], outgoing: [], acked: {}, committed: Number.MAX_SAFE_INTEGER, why: 'both halves empty' },
  { incoming: [2, 3, 4], outgoing: [1, 2, 3], acked: { 1: 9, 2: 9, 3: 2, 4: 2 }, committed: 2, why: 'the new majority has only 2; the old one has 9' },
  { incoming: [2, 3, 4], outgoing: [1, 2, 3], acked: { 1: 2, 2: 9, 3: 2, 4: 9 }, committed: 2, why: 'the old majority has only 2; the new one has 9' },
  { incoming: [2, 3, 4], outgoing: [1, 2, 3], acked: { 1: 9, 2: 9, 3: 5, 4: 7 }, committed: 7, why: 'the smaller of the two majorities' },
  { incoming: [1], outgoing: [2], acked: { 1: 3, 2: 8 }, committed: 3, why: 'disjoint singletons: both must have it' },
];

for (const row of jointCommittedCases) {
  test(`jointCommitted: ${row.why}`, (t) => {
    t.is(jointCommitted(joint(row.incoming, row.outgoing), lookup(row.acked)), row.committed);
  });
}

const jointVoteCases: { incoming: number[]; outgoing: number[]; votes: Record<number, boolean>; result: VoteResult; why: string }[] = [
  { incoming: [1, 2, 3], outgoing: [], votes: { 1: true, 2: true }, result: 'won', why: 'no outgoing half: the incoming majority decides' },
  { incoming: [], outgoing: [], votes: {}, result: 'won', why: 'both halves empty' },
  { incoming: [2, 3, 4], outgoing: [1, 2, 3], votes: { 2: true, 3: true }, result: 'won', why: 'voters in both halves give both majorities' },
  { incoming: [2, 3, 4], outgoing: [1, 2, 3], votes: { 1: true, 2: true, 4: false, 3: false }, result: 'lost', why: 'the old half wins but the new half loses: lost' },
  { incoming: [2, 3, 4], outgoing: [1, 2, 3], votes: { 2: true, 4: true }, result: 'pending', why: 'the new half won, the old half is still pending' },
  { incoming: [2, 3, 4], outgoing: [1, 2, 3], votes: { 1: true, 2: true }, result: 'pending', why: 'the old half won, the new half is still pending' },
  { incoming: [2, 3, 4], outgoing: [1, 2, 3], votes: { 1: false, 3: false }, result: 'lost', why: 'one half lost outright' },
];

for (const row of jointVoteCases) {
  test(`jointVoteResult: ${row.why}`, (t) => {
    t.is(jointVoteResult(joint(row.incoming, row.outgoing), votesOf(row.votes)), row.result);
  });
}

test('jointVoterIds is the union of both halves', (t) => {
  t.deepEqual([...jointVoterIds(joint([2, 3, 4], [1, 2, 3]))].sort(), [1, 2, 3, 4]);
  t.deepEqual([...jointVoterIds(joint([], []))], []);
});
