// Scenario tests for what the core adds to the paper's algorithm, each on an in-process
// cluster: pre-vote, check-quorum and the leader lease (thesis §9.6), Raft snapshots for a
// follower whose entries were compacted away, membership changes through joint consensus and
// learners (thesis §4.3), leadership transfer (§3.10), ReadIndex and lease reads (§6.4), and
// the flow-control limits (uncommitted bytes, inflight messages, message bytes). Each test
// states the behaviour it shows in its name and asserts the messages or state that prove it.
import test from 'ava';
import type { ConfChange, ConfChangeSingle, Message } from '../../consensus/index.ts';
import {
  AssertionError, decodeConfChange, entryBytes, EntryType, message, MessageType, NONE, RaftError, StateType,
} from '../../consensus/index.ts';
import { CAMPAIGN_TRANSFER_CONTEXT } from '../../consensus/raft.ts';
import { bytes, TestCluster } from './harness.ts';

const ELECTION_TICKS = 10;
const EMPTY = new Uint8Array(0);

const ofType = (messages: readonly Message[], type: MessageType): Message[] => messages.filter((m) => m.type === type);

const cc = (changes: ConfChangeSingle[], transition: ConfChange['transition'] = 'auto'): ConfChange =>
  ({ transition, changes, context: EMPTY });

function elected(ids: number[], options = {}, leader = 1): TestCluster {
  const c = new TestCluster(ids, options);
  c.elect(leader);
  if (c.leaderId() !== leader) throw new Error(`setup: ${leader} was not elected`);
  return c;
}

/** Ticks every node until `done()` or `ticksMax` ticks; returns the ticks taken. */
function tickUntil(c: TestCluster, done: () => boolean, ticksMax: number): number {
  let ticks = 0;
  while (!done() && ticks < ticksMax) {
    c.tickAll();
    ticks++;
  }
  return ticks;
}

const stateOf = (c: TestCluster, id: number) => c.get(id).node.raft;

// ================================================================ pre-vote

test('pre-vote: a partitioned node does not inflate its term, and when it rejoins the leader keeps leading', (t) => {
  const c = elected([1, 2, 3], { preVote: true });
  const term = stateOf(c, 1).term;
  c.isolate(3);
  c.propose(1, 'while 3 was away');
  for (let i = 0; i < 5 * ELECTION_TICKS; i++) c.tick(3);
  c.stabilize();
  t.is(stateOf(c, 3).state, StateType.PreCandidate, '3 keeps asking for pre-votes');
  t.is(stateOf(c, 3).term, term, 'but never moves to a new term without a quorum');
  c.heal();
  c.tickAll(2);
  t.is(c.leaderId(), 1);
  for (const id of [1, 2, 3]) t.is(stateOf(c, id).term, term, `node ${id} is still in term ${term}`);
  t.is(stateOf(c, 3).state, StateType.Follower);
  t.deepEqual(c.get(3).applied, ['while 3 was away'], 'and 3 catches up');
});

test('without pre-vote, the same partitioned node comes back with a higher term and deposes the leader', (t) => {
  const c = elected([1, 2, 3]);
  const term = stateOf(c, 1).term;
  c.isolate(3);
  c.propose(1, 'while 3 was away');
  for (let i = 0; i < 5 * ELECTION_TICKS; i++) c.tick(3);
  c.stabilize();
  t.true(stateOf(c, 3).term > term + 1, 'each timeout started a new term');
  c.heal();
  c.tickAll(2 * ELECTION_TICKS);
  t.true(stateOf(c, 1).term > term, 'the cluster had to move to 3’s term: the pre-vote test above is not vacuous');
});

test('pre-vote with check-quorum: a node that cannot hear the leader, with an up-to-date log, is refused pre-votes while the leader is live', (t) => {
  // Pre-vote alone would not help here: the others would grant a pre-vote to a log as up to
  // date as theirs. The leader lease is what makes them refuse.
  const c = elected([1, 2, 3], { preVote: true, checkQuorum: true });
  const term = stateOf(c, 1).term;
  c.drop((m) => m.from === 1 && m.to === 3);
  const before = c.sent.length;
  c.tickAll(5 * ELECTION_TICKS);
  const preVotes = ofType(c.sent.slice(before), MessageType.PreVote).filter((m) => m.from === 3);
  t.true(preVotes.length >= 2, '3 keeps asking');
  t.deepEqual(ofType(c.sent.slice(before), MessageType.PreVoteResp).filter((m) => m.to === 3 && !m.reject), [], 'no one grants');
  t.is(c.leaderId(), 1);
  for (const id of [1, 2, 3]) t.is(stateOf(c, id).term, term, `node ${id} is still in term ${term}`);
});

// ================================================================ check-quorum and the lease

test('check-quorum: an isolated leader steps down at the first check that heard from no quorum, whatever the phase at which it was cut off', (t) => {
  // Checks run every election timeout and count who answered since the previous one, so a
  // leader cut off just after answers came in passes one more check: it steps down between
  // one and two election timeouts after losing its quorum, never earlier than one.
  for (let phase = 0; phase < ELECTION_TICKS; phase++) {
    const c = elected([1, 2, 3], { checkQuorum: true });
    tickUntil(c, () => stateOf(c, 1).electionElapsed === 0, 2 * ELECTION_TICKS);
    c.tickAll(phase);
    c.isolate(1);
    let ticks = 0;
    while (stateOf(c, 1).state === StateType.Leader && ticks <= 3 * ELECTION_TICKS) {
      c.tick(1);
      ticks++;
    }
    t.is(stateOf(c, 1).state, StateType.Follower, `phase ${phase}`);
    t.true(ticks >= ELECTION_TICKS && ticks <= 2 * ELECTION_TICKS, `phase ${phase}: stepped down ${ticks} ticks after being cut off`);
    t.is(stateOf(c, 1).lead, NONE);
  }
});

test('check-quorum: the majority elects a new leader and the old one follows it when it comes back', (t) => {
  const c = elected([1, 2, 3], { checkQuorum: true });
  c.isolate(1);
  const ticks = tickUntil(c, () => c.leaderId() !== undefined && c.leaderId() !== 1 && stateOf(c, 1).state === StateType.Follower, 5 * ELECTION_TICKS);
  t.true(ticks < 5 * ELECTION_TICKS);
  const leader = c.leaderId()!;
  c.heal();
  c.tickAll(2);
  t.is(stateOf(c, 1).lead, leader);
  t.is(stateOf(c, 1).term, stateOf(c, leader).term);
});

test('check-quorum: a leader that hears from a quorum keeps leading through many timeouts', (t) => {
  const c = elected([1, 2, 3], { checkQuorum: true });
  c.isolate(3);
  c.tickAll(5 * ELECTION_TICKS);
  t.is(stateOf(c, 1).state, StateType.Leader, '2 of 3 is a quorum');
});

test('leader lease: a follower that heard from its leader within the election timeout ignores a disruptive vote request', (t) => {
  const c = elected([1, 2, 3], { checkQuorum: true });
  const term = stateOf(c, 2).term;
  const lastIndex = stateOf(c, 2).log.lastIndex();
  const disruptive = message({ type: MessageType.Vote, from: 3, to: 2, term: term + 3, index: lastIndex + 5, logTerm: term });
  c.get(2).node.step(disruptive);
  t.is(stateOf(c, 2).term, term, 'the term did not move');
  t.is(stateOf(c, 2).lead, 1);
  t.deepEqual(ofType(c.drain(2), MessageType.VoteResp), [], 'no answer at all');
  c.get(1).node.step({ ...disruptive, to: 1 });
  t.is(stateOf(c, 1).state, StateType.Leader, 'the leader ignores it too');
});

test('leader lease: the same vote request is granted once the lease has run out, and always when it comes from a leadership transfer', (t) => {
  const c = elected([1, 2, 3], { checkQuorum: true });
  const term = stateOf(c, 2).term;
  const lastIndex = stateOf(c, 2).log.lastIndex();
  const vote = (extraTerm: number, context = EMPTY): Message =>
    message({ type: MessageType.Vote, from: 3, to: 2, term: term + extraTerm, index: lastIndex, logTerm: term, context });
  c.get(2).node.step(vote(1, CAMPAIGN_TRANSFER_CONTEXT));
  t.is(stateOf(c, 2).term, term + 1, 'a transfer campaign is not disruptive');
  t.is(stateOf(c, 2).vote, 3);
  const c2 = elected([1, 2, 3], { checkQuorum: true });
  c2.isolate(1);
  for (let i = 0; i < ELECTION_TICKS; i++) c2.get(2).node.raft.electionElapsed++;
  c2.get(2).node.step(vote(1));
  t.is(stateOf(c2, 2).term, term + 1, 'no leader heard from for an election timeout: the lease is over');
  t.is(stateOf(c2, 2).vote, 3);
});

// ================================================================ Raft snapshots

test('a follower whose entries were compacted on the leader receives a Raft snapshot, restores it, then replicates normally', (t) => {
  const c = elected([1, 2, 3]);
  c.isolate(3);
  for (const text of ['a', 'b', 'c', 'd']) c.propose(1, text);
  c.compact(1);
  const snapshotIndex = c.get(1).storage.snapshot().metadata.index;
  t.true(stateOf(c, 3).log.lastIndex() < snapshotIndex, '3 lacks entries the leader no longer has');
  c.heal();
  const before = c.delivered.length;
  c.tickAll();
  const snaps = ofType(c.delivered.slice(before), MessageType.Snap);
  t.is(snaps.length, 1, 'exactly one snapshot is sent');
  t.is(snaps[0]!.to, 3);
  t.is(snaps[0]!.snapshot?.metadata.index, snapshotIndex);
  t.deepEqual(snaps[0]!.snapshot?.metadata.confState.voters, [1, 2, 3]);
  const follower = c.get(3);
  t.is(follower.storage.snapshot().metadata.index, snapshotIndex, 'the follower stored the snapshot');
  t.is(follower.node.raft.log.committed, snapshotIndex);
  t.is(follower.node.raft.log.applied, snapshotIndex);
  t.deepEqual(follower.applied, ['a', 'b', 'c', 'd'], 'its state machine is the snapshot’s image');
  t.deepEqual(follower.node.status().confState.voters, [1, 2, 3], 'and its membership the snapshot’s');
  t.is(c.get(1).node.status().progress?.get(3)?.state, 'replicate', 'the leader replicates to it again');
  const afterSnapshot = c.delivered.length;
  c.propose(1, 'e');
  const appends = ofType(c.delivered.slice(afterSnapshot), MessageType.App).filter((m) => m.to === 3 && m.entries.length > 0);
  t.is(appends.length, 1);
  t.is(appends[0]!.index, snapshotIndex, 'the next append follows the snapshot');
  t.deepEqual(follower.applied, ['a', 'b', 'c', 'd', 'e']);
});

test('a snapshot older than the follower\'s commit index is ignored, and answered with the commit index', (t) => {
  const c = elected([1, 2, 3]);
  c.propose(1, 'a');
  c.compact(1);
  const snapshot = c.get(1).storage.snapshot();
  c.propose(1, 'b');
  const committed = stateOf(c, 2).log.committed;
  t.true(committed > snapshot.metadata.index);
  c.get(2).node.step(message({ type: MessageType.Snap, from: 1, to: 2, term: stateOf(c, 1).term, snapshot }));
  const [answer] = ofType(c.drain(2), MessageType.AppResp);
  t.is(answer?.index, committed);
  t.false(answer?.reject);
  t.deepEqual(c.get(2).applied, ['a', 'b'], 'nothing was rolled back');
});

test('the leader leaves the snapshot state on the follower\'s acknowledgement, even before the snapshot is reported sent', (t) => {
  const c = elected([1, 2, 3]);
  c.reportSnapshots = false;
  c.isolate(3);
  c.propose(1, 'a');
  c.compact(1);
  c.heal();
  c.tickAll();
  t.deepEqual(c.get(3).applied, ['a']);
  t.is(c.get(1).node.status().progress?.get(3)?.state, 'replicate');
  c.propose(1, 'b');
  t.deepEqual(c.get(3).applied, ['a', 'b']);
});

test('a failed snapshot is reported, the leader probes again and sends the snapshot anew', (t) => {
  const c = elected([1, 2, 3]);
  c.reportSnapshots = false;
  c.isolate(3);
  c.propose(1, 'a');
  c.compact(1);
  c.heal();
  const lost = c.drop((m) => m.type === MessageType.Snap);
  c.tickAll();
  t.is(c.get(1).node.status().progress?.get(3)?.state, 'snapshot');
  c.tickAll(3);
  t.is(ofType(c.sent, MessageType.Snap).length, 1, 'nothing more is sent while the snapshot is in flight');
  lost();
  c.get(1).node.reportSnapshot(3, 'failure');
  t.is(c.get(1).node.status().progress?.get(3)?.state, 'probe');
  c.tickAll(2);
  t.is(ofType(c.sent, MessageType.Snap).length, 2, 'sent again after the next heartbeat answer');
  t.deepEqual(c.get(3).applied, ['a']);
});

// ================================================================ membership

test('joint consensus replacing the leader: {1,2,3} → {2,3,4} enters joint, leaves it automatically, 1 steps down and {2,3,4} elect a leader that commits', (t) => {
  const c = elected([1, 2, 3]);
  c.propose(1, 'before');
  c.addNode(4);
  c.get(1).node.proposeConfChange(cc([{ type: 'add-node', nodeId: 4 }, { type: 'remove-node', nodeId: 1 }]));
  const seen: string[] = [];
  const record = (): void => {
    const confState = c.get(1).node.status().confState;
    const text = `${confState.voters.join(',')}|${confState.votersOutgoing.join(',')}|${confState.autoLeave}`;
    if (seen[seen.length - 1] !== text) seen.push(text);
  };
  for (let round = 0; round < 100 && c.round(); round++) record();
  t.deepEqual(seen, ['1,2,3||false', '2,3,4|1,2,3|true', '2,3,4||false'],
    'the old config, the joint config (auto-leave), the new config');
  t.is(stateOf(c, 1).state, StateType.Follower, '1 is not a voter any more: it stepped down');
  const log = c.get(2).storage;
  const changes = log.entries(log.firstIndex(), log.lastIndex() + 1, Infinity).filter((e) => e.type === EntryType.ConfChange).slice(-2);
  t.is(decodeConfChange(changes[0]!.data).changes.length, 2, 'the change that entered the joint config');
  t.is(changes[1]!.data.length, 0, 'the empty change the leader proposed to leave it');
  c.isolate(1);
  tickUntil(c, () => c.leaderId() !== undefined && c.leaderId() !== 1, 5 * ELECTION_TICKS);
  const leader = c.leaderId()!;
  t.true([2, 3, 4].includes(leader), `new leader ${leader}`);
  c.propose(leader, 'after');
  for (const id of [2, 3, 4]) {
    t.deepEqual(c.get(id).applied, ['before', 'after'], `node ${id}`);
    t.deepEqual(c.get(id).node.status().confState.voters, [2, 3, 4]);
  }
});

test('a change in the joint configuration needs both majorities: the outgoing half alone cannot commit it', (t) => {
  const c = elected([1, 2, 3]);
  c.addNode(4);
  c.addNode(5);
  c.proposeConfChange(1, cc([{ type: 'add-node', nodeId: 4 }, { type: 'add-node', nodeId: 5 }], 'explicit'));
  t.deepEqual(c.get(1).node.status().confState.votersOutgoing, [1, 2, 3], 'explicit: stays joint');
  c.isolate(4);
  c.isolate(5);
  c.isolate(3);
  const committed = stateOf(c, 1).log.committed;
  c.get(1).node.propose(bytes('x'));
  c.stabilize();
  t.is(stateOf(c, 1).log.committed, committed, '1 and 2 are a majority of {1,2,3} but not of {1,2,3,4,5}');
  c.heal();
  c.isolate(3);
  c.tickAll();
  t.true(stateOf(c, 1).log.committed > committed, '1, 2, 4 and 5: a majority of both halves');
});

test('a leader demoted to learner through a joint configuration steps down when it is left, and keeps receiving the log', (t) => {
  const c = elected([1, 2, 3]);
  c.addNode(4);
  c.proposeConfChange(1, cc([{ type: 'add-learner', nodeId: 1 }, { type: 'add-node', nodeId: 4 }]));
  t.deepEqual(c.get(2).node.status().confState, { voters: [2, 3, 4], votersOutgoing: [], learners: [1], learnersNext: [], autoLeave: false },
    '1 was staged in learnersNext while joint, and is a learner now');
  t.is(stateOf(c, 1).state, StateType.Follower);
  tickUntil(c, () => c.leaderId() !== undefined && c.leaderId() !== 1, 5 * ELECTION_TICKS);
  const leader = c.leaderId()!;
  t.true([2, 3, 4].includes(leader));
  c.propose(leader, 'after');
  t.deepEqual(c.get(1).applied, ['after'], 'the learner still applies the log');
});

test('a new leader elected in a joint configuration with auto-leave leaves it', (t) => {
  const c = elected([1, 2, 3]);
  c.addNode(4);
  c.addNode(5);
  // 1 enters the joint configuration, but its proposal to leave it never gets out.
  c.drop((m) => m.from === 1 && m.type === MessageType.App && m.entries.some((e) => e.type === EntryType.ConfChange && e.data.length === 0));
  c.proposeConfChange(1, cc([{ type: 'add-node', nodeId: 4 }, { type: 'add-node', nodeId: 5 }]));
  t.deepEqual(c.get(2).node.status().confState.votersOutgoing, [1, 2, 3], '2 is in the joint configuration');
  c.isolate(1);
  c.elect(2);
  t.is(c.leaderId(), 2);
  for (const id of [2, 3, 4, 5]) {
    t.deepEqual(c.get(id).node.status().confState, { voters: [1, 2, 3, 4, 5], votersOutgoing: [], learners: [], learnersNext: [], autoLeave: false }, `node ${id}`);
  }
});

test('with stepDownOnRemoval off, a removed leader stays leader but refuses proposals until it hands leadership over', (t) => {
  const c = elected([1, 2, 3], { stepDownOnRemoval: false });
  c.proposeConfChange(1, cc([{ type: 'remove-node', nodeId: 1 }]));
  t.deepEqual(c.get(2).node.status().confState.voters, [2, 3]);
  t.is(stateOf(c, 1).state, StateType.Leader);
  t.throws(() => c.get(1).node.propose(bytes('x')), { instanceOf: RaftError, code: 'PROPOSAL_DROPPED', message: /removed/ });
  c.tickAll(3 * ELECTION_TICKS);
  t.is(c.leaderId(), 1, 'its heartbeats keep the others from electing');
  c.get(1).node.transferLeadership(2);
  c.stabilize();
  t.is(c.leaderId(), 2);
  c.propose(2, 'y');
  t.deepEqual(c.get(3).applied, ['y']);
});

test('a learner is added, caught up, and promoted to voter', (t) => {
  const c = elected([1, 2, 3]);
  c.propose(1, 'a');
  c.addNode(4);
  c.proposeConfChange(1, cc([{ type: 'add-learner', nodeId: 4 }]));
  t.deepEqual(c.get(1).node.status().confState.learners, [4]);
  t.deepEqual(c.get(4).applied, ['a'], 'the learner receives the whole log');
  t.true(c.get(1).node.status().progress?.get(4)?.isLearner);
  t.is(c.get(1).node.status().progress?.get(4)?.match, stateOf(c, 1).log.lastIndex());
  c.proposeConfChange(1, cc([{ type: 'add-node', nodeId: 4 }]));
  t.deepEqual(c.get(4).node.status().confState.voters, [1, 2, 3, 4]);
  t.deepEqual(c.get(4).node.status().confState.learners, []);
  c.isolate(1);
  c.elect(4);
  t.is(c.leaderId(), 4, 'a promoted learner can lead');
});

test('a learner never campaigns, and its vote does not count', (t) => {
  const c = elected([1, 2, 3]);
  c.addNode(4);
  c.proposeConfChange(1, cc([{ type: 'add-learner', nodeId: 4 }]));
  c.isolate(1);
  c.isolate(4);
  for (let i = 0; i < 5 * ELECTION_TICKS; i++) c.tick(4);
  c.get(4).node.campaign();
  c.stabilize();
  t.is(stateOf(c, 4).state, StateType.Follower, 'ticks and campaign() alike leave a learner a follower');
  t.is(ofType(c.sent.filter((m) => m.from === 4), MessageType.Vote).length, 0);
  c.heal();
  c.isolate(1);
  c.cut(2, 3);
  c.get(2).node.campaign();
  const votes = ofType(c.drain(2), MessageType.Vote);
  t.deepEqual(votes.map((m) => m.to).sort(), [1, 3], 'a candidate asks only voters');
  c.get(2).node.step(message({ type: MessageType.VoteResp, from: 4, to: 2, term: stateOf(c, 2).term }));
  c.drain(2);
  t.is(stateOf(c, 2).state, StateType.Candidate, 'the learner’s grant plus its own vote is not a majority of three voters');
  t.is(stateOf(c, 2).tracker.tallyVotes().granted, 1, 'the tally counts voters only');
});

test('a learner\'s acknowledgement does not count towards commitment', (t) => {
  const c = elected([1, 2, 3]);
  c.addNode(4);
  c.proposeConfChange(1, cc([{ type: 'add-learner', nodeId: 4 }]));
  c.isolate(2);
  c.isolate(3);
  const committed = stateOf(c, 1).log.committed;
  c.propose(1, 'x');
  t.is(stateOf(c, 4).log.lastIndex(), stateOf(c, 1).log.lastIndex(), 'the learner stored it');
  t.is(stateOf(c, 1).log.committed, committed, 'leader + learner is not a majority');
});

test('a second configuration change while one is pending is refused, and accepted once it is applied', (t) => {
  const c = elected([1, 2, 3]);
  c.addNode(4);
  c.addNode(5);
  c.isolate(2);
  c.isolate(3);
  c.proposeConfChange(1, cc([{ type: 'add-learner', nodeId: 4 }]));
  const error = t.throws(() => c.get(1).node.proposeConfChange(cc([{ type: 'add-learner', nodeId: 5 }])),
    { instanceOf: RaftError, code: 'PROPOSAL_DROPPED' });
  t.true(error.retryable);
  t.notThrows(() => c.get(1).node.propose(bytes('normal')), 'ordinary proposals still go through');
  c.heal();
  c.tickAll();
  t.notThrows(() => c.proposeConfChange(1, cc([{ type: 'add-learner', nodeId: 5 }])));
  t.deepEqual(c.get(1).node.status().confState.learners, [4, 5]);
});

test('conf change proposals the configuration cannot take are refused with INVALID_CONF_CHANGE before anything is appended', (t) => {
  const c = elected([1, 2, 3]);
  c.addNode(4);
  c.addNode(5);
  const lastIndex = (): number => stateOf(c, 1).log.lastIndex();
  const before = lastIndex();
  t.throws(() => c.get(1).node.proposeConfChange(cc([])), { instanceOf: RaftError, code: 'INVALID_CONF_CHANGE', message: /not in a joint/ });
  t.throws(() => c.get(1).node.proposeConfChange(cc([1, 2, 3].map((nodeId) => ({ type: 'remove-node', nodeId })))),
    { instanceOf: RaftError, code: 'INVALID_CONF_CHANGE', message: /removes all voters/ });
  t.is(lastIndex(), before, 'nothing was appended');
  c.proposeConfChange(1, cc([{ type: 'add-node', nodeId: 4 }], 'explicit'));
  t.deepEqual(c.get(1).node.status().confState.votersOutgoing, [1, 2, 3]);
  const joint = lastIndex();
  t.throws(() => c.get(1).node.proposeConfChange(cc([{ type: 'add-node', nodeId: 5 }])),
    { instanceOf: RaftError, code: 'INVALID_CONF_CHANGE', message: /leave the joint configuration first/ });
  t.is(lastIndex(), joint);
  c.proposeConfChange(1, cc([]));
  t.deepEqual(c.get(1).node.status().confState, { voters: [1, 2, 3, 4], votersOutgoing: [], learners: [], learnersNext: [], autoLeave: false },
    'an empty change leaves an explicit joint configuration');
});

// ================================================================ leadership transfer

test('leadership transfer to an up-to-date follower: TimeoutNow at once, and it wins the next term even under check-quorum', (t) => {
  const c = elected([1, 2, 3], { checkQuorum: true });
  const term = stateOf(c, 1).term;
  c.get(1).node.transferLeadership(2);
  const sent = c.drain(1);
  t.deepEqual(sent.map((m) => [m.type, m.to]), [[MessageType.TimeoutNow, 2]], 'nothing but TimeoutNow');
  c.deliverAll(sent);
  c.stabilize();
  t.is(c.leaderId(), 2);
  t.is(stateOf(c, 2).term, term + 1);
  t.is(stateOf(c, 1).lead, 2);
});

test('leadership transfer to a lagging follower: it is caught up first, then sent TimeoutNow', (t) => {
  const c = elected([1, 2, 3]);
  c.isolate(3);
  c.propose(1, 'a');
  c.propose(1, 'b');
  c.heal();
  const before = c.sent.length;
  c.get(1).node.transferLeadership(3);
  const first = c.drain(1);
  t.deepEqual(ofType(first, MessageType.TimeoutNow), [], 'not yet: 3 lacks entries');
  t.true(ofType(first, MessageType.App).some((m) => m.to === 3), 'an append goes to 3 instead');
  c.deliverAll(first);
  c.stabilize();
  const sent = c.sent.slice(before).filter((m) => m.from === 1 && m.to === 3);
  const timeoutAt = sent.findIndex((m) => m.type === MessageType.TimeoutNow);
  t.true(timeoutAt > 0);
  t.true(sent.slice(0, timeoutAt).some((m) => m.type === MessageType.App && m.entries.length > 0), 'entries first');
  t.is(c.leaderId(), 3);
  t.deepEqual(c.get(3).applied, ['a', 'b']);
});

test('proposals are refused while a leadership transfer is in progress', (t) => {
  const c = elected([1, 2, 3]);
  c.isolate(3);
  c.propose(1, 'a');
  c.get(1).node.transferLeadership(3);
  t.is(stateOf(c, 1).leadTransferee, 3);
  const error = t.throws(() => c.get(1).node.propose(bytes('during')), { instanceOf: RaftError, code: 'PROPOSAL_DROPPED' });
  t.true(error.retryable);
  t.regex(error.message, /transferred/);
});

test('a transfer to a node that is cut off is abandoned after an election timeout, and the leader takes proposals again', (t) => {
  const c = elected([1, 2, 3]);
  c.isolate(3);
  c.propose(1, 'a');
  c.get(1).node.transferLeadership(3);
  c.stabilize();
  for (let i = 0; i < ELECTION_TICKS - 1; i++) c.tickAll();
  t.is(stateOf(c, 1).leadTransferee, 3, 'still trying within the timeout');
  c.tickAll();
  t.is(stateOf(c, 1).leadTransferee, NONE);
  t.is(c.leaderId(), 1);
  t.notThrows(() => c.propose(1, 'after'));
  t.deepEqual(c.get(2).applied, ['a', 'after']);
});

test('a transfer request on a follower is forwarded to the leader; a transfer to a learner is ignored', (t) => {
  const c = elected([1, 2, 3]);
  c.get(2).node.transferLeadership(3);
  c.stabilize();
  t.is(c.leaderId(), 3, 'forwarded by 2 to 1, which sent TimeoutNow to 3');
  c.addNode(4);
  c.proposeConfChange(3, cc([{ type: 'add-learner', nodeId: 4 }]));
  c.get(3).node.transferLeadership(4);
  t.is(stateOf(c, 3).leadTransferee, NONE);
  c.stabilize();
  t.is(c.leaderId(), 3);
});

// ================================================================ reads

const context = (text: string): Uint8Array => bytes(text);
const readOf = (c: TestCluster, id: number) => c.get(id).readStates.map((r) => [new TextDecoder().decode(r.requestContext), r.index]);

test('ReadIndex (safe): the leader answers only once a quorum has acknowledged a heartbeat carrying the request', (t) => {
  const c = elected([1, 2, 3]);
  c.propose(1, 'a');
  const committed = stateOf(c, 1).log.committed;
  c.get(1).node.readIndex(context('r1'));
  const rd = c.get(1).node.ready();
  t.deepEqual(rd.readStates, [], 'not answered at once');
  const beats = ofType(rd.messages, MessageType.Heartbeat);
  t.deepEqual(beats.map((m) => m.to).sort(), [2, 3]);
  for (const beat of beats) t.deepEqual(new TextDecoder().decode(beat.context), 'r1');
  c.get(1).node.advance();
  c.deliverAll(beats.filter((m) => m.to === 2));
  const acks = ofType(c.drain(2), MessageType.HeartbeatResp);
  t.is(acks.length, 1);
  c.get(1).node.step(acks[0]!);
  t.deepEqual(c.get(1).node.ready().readStates.map((r) => r.index), [committed], 'the leader and 2 make a quorum');
  c.get(1).node.advance();
});

test('ReadIndex (safe): an isolated leader never answers', (t) => {
  const c = elected([1, 2, 3]);
  c.isolate(1);
  c.get(1).node.readIndex(context('r1'));
  c.stabilize();
  for (let i = 0; i < 3; i++) c.tick(1);
  c.stabilize();
  t.deepEqual(c.get(1).readStates, []);
});

test('ReadIndex (safe): a follower’s request is forwarded to the leader and answered to the follower', (t) => {
  const c = elected([1, 2, 3]);
  c.propose(1, 'a');
  c.get(2).node.readIndex(context('from 2'));
  c.stabilize();
  t.deepEqual(readOf(c, 2), [['from 2', stateOf(c, 1).log.committed]]);
  t.deepEqual(c.get(1).readStates, [], 'the leader keeps no read state for it');
});

test('ReadIndex (safe): several pending requests are all released by the quorum that acknowledges the latest', (t) => {
  const c = elected([1, 2, 3]);
  c.isolate(2);
  c.isolate(3);
  c.get(1).node.readIndex(context('r1'));
  c.get(1).node.readIndex(context('r2'));
  c.stabilize();
  t.deepEqual(c.get(1).readStates, []);
  c.heal();
  c.tickAll();
  t.deepEqual(readOf(c, 1).map(([ctx]) => ctx), ['r1', 'r2']);
});

test('ReadIndex (safe): a new leader defers reads until an entry of its own term is committed', (t) => {
  const c = elected([1, 2, 3]);
  c.propose(1, 'a');
  const blockAppends = c.drop((m) => m.from === 2 && m.type === MessageType.App);
  c.elect(2);
  t.is(c.leaderId(), 2);
  t.true(stateOf(c, 2).log.committed < stateOf(c, 2).log.lastIndex(), 'its empty entry is not committed');
  c.get(2).node.readIndex(context('early'));
  c.stabilize();
  c.tickAll();
  t.deepEqual(c.get(2).readStates, [], 'held back: its commit index may lag the previous leader’s');
  t.is(ofType(c.sent.filter((m) => m.from === 2), MessageType.Heartbeat).filter((m) => m.context.length > 0).length, 0,
    'not even a heartbeat round is started for it');
  blockAppends();
  c.tickAll();
  const lastIndex = stateOf(c, 2).log.lastIndex();
  t.is(stateOf(c, 2).log.committed, lastIndex);
  t.deepEqual(readOf(c, 2), [['early', lastIndex]], 'answered at the commit index that includes its own entry');
});

test('ReadIndex (lease-based): the leader answers at once, without a heartbeat round', (t) => {
  const c = elected([1, 2, 3], { checkQuorum: true, readOnlyOption: 'lease-based' });
  c.propose(1, 'a');
  c.get(1).node.readIndex(context('lease'));
  const rd = c.get(1).node.ready();
  t.deepEqual(rd.readStates.map((r) => r.index), [stateOf(c, 1).log.committed]);
  t.deepEqual(ofType(rd.messages, MessageType.Heartbeat), []);
  c.get(1).node.advance();
});

test('ReadIndex (lease-based) is refused by config validation without check-quorum', (t) => {
  t.throws(() => new TestCluster([1], { readOnlyOption: 'lease-based' }), { instanceOf: RaftError, code: 'INVALID_CONFIG', message: /checkQuorum/ });
});

test('ReadIndex needs a non-empty request context, and is dropped without a leader', (t) => {
  const c = new TestCluster([1, 2, 3]);
  c.stabilize();
  t.throws(() => c.get(1).node.readIndex(EMPTY), { instanceOf: AssertionError });
  t.throws(() => c.get(1).node.readIndex(context('x')), { instanceOf: RaftError, code: 'PROPOSAL_DROPPED' });
});

// ================================================================ proposals and limits

test('a proposal on a node without a leader throws RaftError PROPOSAL_DROPPED, retryable', (t) => {
  const c = new TestCluster([1, 2, 3]);
  c.stabilize();
  const error = t.throws(() => c.get(1).node.propose(bytes('x')), { instanceOf: RaftError, code: 'PROPOSAL_DROPPED' });
  t.true(error.retryable);
  c.isolate(1);
  c.get(1).node.campaign();
  c.stabilize();
  t.is(stateOf(c, 1).state, StateType.Candidate);
  t.throws(() => c.get(1).node.propose(bytes('x')), { instanceOf: RaftError, code: 'PROPOSAL_DROPPED' }, 'a candidate has no leader either');
});

test('a follower forwards proposals to its leader, unless forwarding is disabled', (t) => {
  const c = elected([1, 2, 3]);
  c.propose(2, 'via 2');
  t.deepEqual(c.get(3).applied, ['via 2']);
  const strict = elected([1, 2, 3], { disableProposalForwarding: true });
  t.throws(() => strict.get(2).node.propose(bytes('x')), { instanceOf: RaftError, code: 'PROPOSAL_DROPPED', message: /forwarding/ });
});

test('uncommittedBytesMax: proposals past it are dropped, and admitted again once the log commits', (t) => {
  const c = elected([1, 2, 3], { uncommittedBytesMax: 100 });
  c.isolate(2);
  c.isolate(3);
  const payload = (text: string): string => text.padEnd(40, '.');
  c.propose(1, payload('a'));
  c.propose(1, payload('b'));
  const error = t.throws(() => c.get(1).node.propose(bytes(payload('c'))), { instanceOf: RaftError, code: 'PROPOSAL_DROPPED' });
  t.true(error.retryable);
  t.is(stateOf(c, 1).uncommittedBytes, 80);
  c.heal();
  c.tickAll();
  t.is(stateOf(c, 1).uncommittedBytes, 0, 'committed and applied: nothing uncommitted');
  t.notThrows(() => c.propose(1, payload('c')));
  t.deepEqual(c.get(2).applied, [payload('a'), payload('b'), payload('c')]);
});

test('uncommittedBytesMax: one proposal larger than the limit is admitted when nothing is uncommitted', (t) => {
  const c = elected([1, 2, 3], { uncommittedBytesMax: 10 });
  c.isolate(2);
  c.isolate(3);
  t.notThrows(() => c.propose(1, 'x'.repeat(50)));
  t.throws(() => c.get(1).node.propose(bytes('y')), { instanceOf: RaftError, code: 'PROPOSAL_DROPPED' });
});

test('inflightMessagesMax: with a follower that never answers, appends with entries in flight stop at the limit', (t) => {
  const c = elected([1, 2, 3], { inflightMessagesMax: 3 });
  c.propose(1, 'warm-up');
  t.is(c.get(1).node.status().progress?.get(3)?.state, 'replicate');
  c.drop((m) => m.from === 3);
  const before = c.sent.length;
  for (let i = 0; i < 10; i++) c.propose(1, `e${i}`);
  c.tickAll(3);
  const appendsWithEntries = (to: number): number =>
    c.sent.slice(before).filter((m) => m.type === MessageType.App && m.to === to && m.entries.length > 0).length;
  t.is(appendsWithEntries(3), 3, 'three in flight, then the leader waits');
  t.is(c.get(1).node.status().progress?.get(3)?.inflightMessages, 3);
  t.is(appendsWithEntries(2), 10, 'an answering follower is not held back');
  c.heal();
  c.tickAll(2);
  t.is(c.get(3).applied.length, 11, 'the window drains once it answers');
});

test('messageBytesMax: a large backlog reaches a lagging follower in several appends, each within the limit', (t) => {
  const c = elected([1, 2, 3], { messageBytesMax: 100 });
  c.isolate(3);
  const texts = Array.from({ length: 10 }, (_, i) => `entry-${i}`.padEnd(20, '.'));
  for (const text of texts) c.propose(1, text);
  const before = c.sent.length;
  c.heal();
  c.tickAll(2);
  const appends = c.sent.slice(before).filter((m) => m.type === MessageType.App && m.to === 3 && m.entries.length > 0);
  t.true(appends.length >= 5, `${appends.length} appends`);
  for (const m of appends) {
    const size = m.entries.reduce((sum, e) => sum + entryBytes(e), 0);
    t.true(m.entries.length === 1 || size <= 100, `an append of ${m.entries.length} entries, ${size} bytes`);
  }
  t.deepEqual(c.get(3).applied, texts);
});

// ================================================================ restart

test('restart from storage keeps term, vote, log and commit; with `applied` given nothing is applied twice', (t) => {
  const c = elected([1, 2, 3]);
  c.propose(1, 'a');
  c.propose(1, 'b');
  const old = stateOf(c, 2);
  const before = { hardState: old.hardState(), lastIndex: old.log.lastIndex(), lastTerm: old.log.lastTerm(), terms: c.logTerms(2) };
  const restarted = c.restart(2);
  const raft = restarted.node.raft;
  t.deepEqual(raft.hardState(), before.hardState);
  t.is(raft.vote, 1);
  t.deepEqual(c.logTerms(2), before.terms);
  t.is(raft.log.applied, before.hardState.commit);
  t.false(raft.log.hasNextCommittedEntries(), 'nothing is handed out to apply again');
  c.stabilize();
  c.propose(1, 'c');
  t.deepEqual(c.get(2).applied, ['a', 'b', 'c']);
});

test('restart without `applied` hands out every committed entry again, once, to rebuild the state machine', (t) => {
  const c = elected([1, 2, 3]);
  c.propose(1, 'a');
  c.propose(1, 'b');
  const commit = stateOf(c, 3).log.committed;
  const restarted = c.restart(3, 0);
  t.is(restarted.node.raft.log.committed, commit);
  t.is(restarted.node.raft.log.applied, 0);
  c.stabilize();
  t.deepEqual(c.get(3).applied, ['a', 'b']);
  t.deepEqual(c.get(3).node.status().confState.voters, [1, 2, 3], 'membership rebuilt from the bootstrap entries');
});

test('restart after a Raft snapshot: membership comes from the snapshot and the node can lead again', (t) => {
  const c = elected([1, 2, 3]);
  c.propose(1, 'a');
  c.compact(1);
  c.restart(1);
  t.deepEqual(c.get(1).node.status().confState.voters, [1, 2, 3]);
  t.deepEqual(c.get(1).applied, ['a']);
  c.isolate(2);
  c.stabilize();
  c.heal();
  c.elect(1);
  t.is(c.leaderId(), 1);
  c.propose(1, 'b');
  t.deepEqual(c.get(3).applied, ['a', 'b']);
});
