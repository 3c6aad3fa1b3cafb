// The Raft paper, claim by claim (Ongaro & Ousterhout, "In Search of an Understandable
// Consensus Algorithm", extended version). Each test quotes or paraphrases the sentence it
// checks, with its section, and drives our core just far enough to show that sentence holds:
// terms (§5.1), leader election (§5.2), log replication (§5.3), the election restriction
// (§5.4.1) and committing entries from previous terms (§5.4.2, Figure 8). Logs are drawn as
// lists of terms, index 1 first, the way the paper's figures draw them.
import test from 'ava';
import type { Entry, Message } from '../../consensus/index.ts';
import { message, MessageType, NONE, StateType } from '../../consensus/index.ts';
import type { PreloadedState } from './harness.ts';
import { bytes, entriesOfTerms, entry, TestCluster } from './harness.ts';

const ELECTION_TICKS = 10;

const ofType = (messages: readonly Message[], type: MessageType): Message[] => messages.filter((m) => m.type === type);

/** A cluster holding only node 1 (its peers are absent: what it sends is returned, not delivered). */
function alone(state: PreloadedState, options = {}): TestCluster {
  const c = new TestCluster([], options);
  c.addNodeWithState(1, state);
  c.drain(1);
  return c;
}

/** Node 1 campaigns and every other voter grants: it becomes leader. Returns its first appends. */
function winElection(c: TestCluster): Message[] {
  const raft = c.get(1).node.raft;
  c.get(1).node.campaign();
  c.drain(1);
  for (const id of raft.tracker.voterIds()) {
    if (id !== 1) c.get(1).node.step(message({ type: MessageType.VoteResp, from: id, to: 1, term: raft.term }));
  }
  return c.drain(1);
}

function leaderOf(size: number, state: Omit<PreloadedState, 'voters'> = {}): TestCluster {
  const c = alone({ voters: Array.from({ length: size }, (_, i) => i + 1), ...state });
  winElection(c);
  return c;
}

const appendFrom = (from: number, term: number, index: number, logTerm: number, entries: Entry[] = [], commit = 0): Message =>
  message({ type: MessageType.App, from, to: 1, term, index, logTerm, entries, commit });

// ================================================================ §5.1 terms

test('§5.1 "if one server\'s current term is smaller than the other\'s, then it updates its current term to the larger value; a candidate or leader that discovers its term is out of date reverts to follower"', (t) => {
  const roles: [StateType, (c: TestCluster) => void][] = [
    [StateType.Follower, () => {}],
    [StateType.Candidate, (c) => { c.get(1).node.campaign(); c.drain(1); }],
    [StateType.Leader, (c) => { winElection(c); }],
  ];
  for (const [role, become] of roles) {
    const c = alone({ voters: [1, 2, 3] });
    become(c);
    t.is(c.get(1).node.raft.state, role, `starts as ${role}`);
    const term = c.get(1).node.raft.term;
    c.get(1).node.step(appendFrom(2, term + 5, 0, 0));
    const raft = c.get(1).node.raft;
    t.is(raft.term, term + 5, `${role} took the newer term`);
    t.is(raft.state, StateType.Follower, `${role} reverted to follower`);
    t.is(raft.lead, 2, `${role} follows the sender of the append`);
  }
});

test('§5.1 a vote request with a newer term updates the term but names no leader', (t) => {
  const c = alone({ voters: [1, 2, 3], hardState: { term: 2, vote: NONE, commit: 0 } });
  c.get(1).node.step(message({ type: MessageType.Vote, from: 3, to: 1, term: 4 }));
  t.is(c.get(1).node.raft.term, 4);
  t.is(c.get(1).node.raft.lead, NONE);
  t.is(c.get(1).node.raft.vote, 3, 'and the vote is granted: an empty log is as up to date as ours');
});

test('§5.1 "If a server receives a request with a stale term number, it rejects the request"', (t) => {
  const c = alone({ voters: [1, 2, 3], entries: entriesOfTerms([1, 2]), hardState: { term: 3, vote: NONE, commit: 0 } });
  const n = c.get(1).node;
  n.step(appendFrom(2, 2, 2, 2, [entry(3, 2)], 3));
  n.step(message({ type: MessageType.Vote, from: 2, to: 1, term: 2, index: 9, logTerm: 2 }));
  n.step(message({ type: MessageType.Heartbeat, from: 2, to: 1, term: 2, commit: 2 }));
  t.deepEqual(c.drain(1), [], 'nothing is answered');
  t.deepEqual(c.logTerms(1), [1, 2], 'the stale append was not taken');
  t.is(n.raft.log.committed, 0, 'the stale commit index was not learned');
  t.is(n.raft.vote, NONE, 'the stale candidate got no vote');
  t.is(n.raft.term, 3);
});

test('§5.1 (thesis §9.6) with check-quorum or pre-vote, a stale leader is answered with the newer term so that it steps down', (t) => {
  for (const options of [{ checkQuorum: true }, { preVote: true }]) {
    const c = alone({ voters: [1, 2, 3], hardState: { term: 3, vote: NONE, commit: 0 } }, options);
    c.get(1).node.step(message({ type: MessageType.Heartbeat, from: 2, to: 1, term: 2 }));
    const [answer, ...rest] = c.drain(1);
    t.deepEqual(rest, []);
    t.is(answer?.type, MessageType.AppResp, JSON.stringify(options));
    t.is(answer?.to, 2);
    t.is(answer?.term, 3);
  }
});

test('§5.1 a stale pre-vote is rejected with the current term', (t) => {
  const c = alone({ voters: [1, 2, 3], hardState: { term: 5, vote: NONE, commit: 0 } }, { preVote: true });
  c.get(1).node.step(message({ type: MessageType.PreVote, from: 2, to: 1, term: 4 }));
  const [answer] = c.drain(1);
  t.is(answer?.type, MessageType.PreVoteResp);
  t.true(answer?.reject);
  t.is(answer?.term, 5);
});

// ================================================================ §5.2 leader election

test('§5.2 "When servers start up, they begin as followers"', (t) => {
  const c = new TestCluster([1, 2, 3]);
  for (const id of [1, 2, 3]) {
    t.is(c.get(id).node.raft.state, StateType.Follower);
    t.is(c.get(id).node.raft.lead, NONE);
  }
  const fresh = alone({ voters: [1] });
  t.is(fresh.get(1).node.raft.state, StateType.Follower);
  t.is(fresh.get(1).node.raft.term, 0);
});

test('§5.2 "Leaders send periodic heartbeats (AppendEntries RPCs that carry no log entries) to all followers"', (t) => {
  const c = leaderOf(3);
  const raft = c.get(1).node.raft;
  for (let i = 0; i < raft.heartbeatTicks - 1; i++) c.tick(1);
  t.deepEqual(ofType(c.drain(1), MessageType.Heartbeat), [], 'nothing before the heartbeat interval');
  c.tick(1);
  const beats = ofType(c.drain(1), MessageType.Heartbeat);
  t.deepEqual(beats.map((m) => m.to).sort(), [2, 3]);
  for (const beat of beats) {
    t.is(beat.term, raft.term);
    t.deepEqual(beat.entries, []);
    t.is(beat.commit, 0, 'a follower is never told a commit index past what it is known to have');
  }
});

test('§5.2 "If a follower receives no communication over a period of time called the election timeout, then it ... begins an election": it increments its term, votes for itself and asks every other server for its vote', (t) => {
  const c = alone({ voters: [1, 2, 3], entries: entriesOfTerms([1, 1, 2]), hardState: { term: 2, vote: NONE, commit: 0 } });
  const raft = c.get(1).node.raft;
  let ticks = 0;
  while (raft.state === StateType.Follower && ticks < 3 * ELECTION_TICKS) {
    c.tick(1);
    ticks++;
  }
  t.true(ticks >= ELECTION_TICKS && ticks < 2 * ELECTION_TICKS, `campaigned after ${ticks} ticks, in [electionTicks, 2 × electionTicks)`);
  t.is(raft.state, StateType.Candidate);
  t.is(raft.term, 3);
  t.is(raft.vote, 1);
  const votes = ofType(c.drain(1), MessageType.Vote);
  t.deepEqual(votes.map((m) => m.to).sort(), [2, 3]);
  for (const vote of votes) {
    t.is(vote.term, 3);
    t.is(vote.index, 3, 'the candidate’s last index');
    t.is(vote.logTerm, 2, 'the candidate’s last term');
  }
});

test('§5.2 a follower that keeps hearing from its leader never starts an election', (t) => {
  const c = alone({ voters: [1, 2, 3], hardState: { term: 2, vote: NONE, commit: 0 } });
  for (let i = 0; i < 5 * ELECTION_TICKS; i++) {
    c.tick(1);
    c.get(1).node.step(message({ type: MessageType.Heartbeat, from: 2, to: 1, term: 2 }));
  }
  t.is(c.get(1).node.raft.state, StateType.Follower);
  t.is(c.get(1).node.raft.term, 2);
});

const electionCases: { size: number; votes: Record<number, boolean>; state: StateType }[] = [
  { size: 1, votes: {}, state: StateType.Leader },
  { size: 3, votes: { 2: true, 3: true }, state: StateType.Leader },
  { size: 3, votes: { 2: true }, state: StateType.Leader },
  { size: 3, votes: {}, state: StateType.Candidate },
  { size: 3, votes: { 2: false }, state: StateType.Candidate },
  { size: 3, votes: { 2: false, 3: false }, state: StateType.Follower },
  { size: 5, votes: { 2: true, 3: true }, state: StateType.Leader },
  { size: 5, votes: { 2: true, 3: true, 4: false, 5: false }, state: StateType.Leader },
  { size: 5, votes: { 2: true }, state: StateType.Candidate },
  { size: 5, votes: { 2: true, 3: false, 4: false }, state: StateType.Candidate },
  { size: 5, votes: { 2: false, 3: false, 4: false }, state: StateType.Follower },
];

for (const row of electionCases) {
  test(`§5.2 "A candidate wins an election if it receives votes from a majority of the servers in the full cluster": ${row.size} servers, votes ${JSON.stringify(row.votes)} → ${row.state}`, (t) => {
    const c = alone({ voters: Array.from({ length: row.size }, (_, i) => i + 1) });
    c.get(1).node.campaign();
    c.drain(1);
    const term = c.get(1).node.raft.term;
    for (const [id, granted] of Object.entries(row.votes)) {
      c.get(1).node.step(message({ type: MessageType.VoteResp, from: Number(id), to: 1, term, reject: !granted }));
    }
    c.drain(1);
    t.is(c.get(1).node.raft.state, row.state);
    t.is(c.get(1).node.raft.term, term, 'the term does not change with the outcome');
  });
}

test('§5.2 "Each server will vote for at most one candidate in a given term, on a first-come-first-served basis"', (t) => {
  const cases: { votedFor: number; candidate: number; granted: boolean }[] = [
    { votedFor: NONE, candidate: 2, granted: true },
    { votedFor: NONE, candidate: 3, granted: true },
    { votedFor: 2, candidate: 2, granted: true },
    { votedFor: 3, candidate: 3, granted: true },
    { votedFor: 2, candidate: 3, granted: false },
    { votedFor: 3, candidate: 2, granted: false },
  ];
  for (const row of cases) {
    const c = alone({ voters: [1, 2, 3], hardState: { term: 1, vote: row.votedFor, commit: 0 } });
    c.get(1).node.step(message({ type: MessageType.Vote, from: row.candidate, to: 1, term: 1 }));
    const [answer] = c.drain(1);
    t.is(answer?.type, MessageType.VoteResp);
    t.is(answer?.to, row.candidate);
    t.is(answer?.reject, !row.granted, JSON.stringify(row));
    t.is(c.get(1).node.raft.vote, row.votedFor === NONE ? row.candidate : row.votedFor, 'the recorded vote never changes within a term');
  }
});

test('§5.2 the vote is on stable storage before the candidate hears of it', (t) => {
  const c = alone({ voters: [1, 2, 3], hardState: { term: 1, vote: NONE, commit: 0 } });
  c.get(1).node.step(message({ type: MessageType.Vote, from: 2, to: 1, term: 2 }));
  const rd = c.get(1).node.ready();
  t.deepEqual(rd.hardState, { term: 2, vote: 2, commit: 0 });
  t.true(rd.mustSync, 'a new vote must be synced before the grant is sent');
  t.is(ofType(rd.messages, MessageType.VoteResp).length, 1, 'the grant leaves in the same Ready, after the sync');
  c.get(1).node.advance();
});

test('§5.2 "If the leader\'s term is at least as large as the candidate\'s current term, then the candidate recognizes the leader as legitimate and returns to follower state"', (t) => {
  for (const delta of [0, 1]) {
    const c = alone({ voters: [1, 2, 3] });
    c.get(1).node.campaign();
    c.drain(1);
    const term = c.get(1).node.raft.term;
    c.get(1).node.step(appendFrom(2, term + delta, 0, 0));
    t.is(c.get(1).node.raft.state, StateType.Follower);
    t.is(c.get(1).node.raft.lead, 2);
    t.is(c.get(1).node.raft.term, term + delta);
  }
});

test('§5.2 "If the term in the RPC is smaller than the candidate\'s current term, then the candidate rejects the RPC and continues in candidate state"', (t) => {
  const c = alone({ voters: [1, 2, 3], hardState: { term: 4, vote: NONE, commit: 0 } });
  c.get(1).node.campaign();
  c.drain(1);
  c.get(1).node.step(appendFrom(2, 4, 0, 0));
  t.is(c.get(1).node.raft.state, StateType.Candidate);
  t.is(c.get(1).node.raft.term, 5);
});

test('§5.2 "each candidate will time out and start a new election by incrementing its term"', (t) => {
  const c = alone({ voters: [1, 2, 3] });
  c.get(1).node.campaign();
  c.drain(1);
  const raft = c.get(1).node.raft;
  t.is(raft.term, 1);
  let ticks = 0;
  while (raft.term === 1 && ticks < 3 * ELECTION_TICKS) {
    c.tick(1);
    ticks++;
  }
  t.true(ticks >= ELECTION_TICKS && ticks < 2 * ELECTION_TICKS, `re-campaigned after ${ticks} ticks`);
  t.is(raft.state, StateType.Candidate);
  t.is(raft.term, 2);
  t.deepEqual(ofType(c.drain(1), MessageType.Vote).map((m) => [m.to, m.term]), [[2, 2], [3, 2]]);
});

test('§5.2 "Raft uses randomized election timeouts ... chosen randomly from a fixed interval": every draw is in [electionTicks, 2 × electionTicks) and the interval is covered', (t) => {
  const seen = new Set<number>();
  for (let seed = 1; seed <= 200; seed++) {
    const c = new TestCluster([], {}, seed);
    c.addNodeWithState(1, { voters: [1, 2, 3] });
    const timeout = c.get(1).node.raft.randomizedElectionTimeout;
    t.true(timeout >= ELECTION_TICKS && timeout < 2 * ELECTION_TICKS, `drew ${timeout}`);
    seen.add(timeout);
  }
  t.is(seen.size, ELECTION_TICKS, 'every value in the interval is drawn for some node');
});

test('§5.2 a split vote: neither candidate of four servers wins; the randomized timeouts make one retry first, in a new term, and win', (t) => {
  const c = new TestCluster([1, 2, 3, 4]);
  c.stabilize();
  // 3 hears only from 1 and 4 only from 2: each candidate gets two of the three votes it needs.
  c.cut(1, 2);
  c.cut(1, 4);
  c.cut(2, 3);
  c.get(1).node.campaign();
  c.get(2).node.campaign();
  c.stabilize();
  t.is(c.get(1).node.raft.state, StateType.Candidate);
  t.is(c.get(2).node.raft.state, StateType.Candidate);
  t.is(c.get(3).node.raft.vote, 1);
  t.is(c.get(4).node.raft.vote, 2);
  t.is(c.leaderId(), undefined);
  c.heal();
  let ticks = 0;
  while (c.leaderId() === undefined && ticks < 2 * ELECTION_TICKS) {
    c.tickAll();
    ticks++;
  }
  const leader = c.leaderId();
  t.not(leader, undefined, `a leader within ${ticks} ticks`);
  const term = c.get(leader!).node.raft.term;
  t.true(term >= 3, 'elected in a later term than the split one');
  t.is([...c.nodes.values()].filter((n) => n.node.raft.state === StateType.Leader).length, 1);
  for (const n of c.nodes.values()) t.is(n.node.raft.term, term, `node ${n.id} is in the leader's term`);
});

// ================================================================ §5.3 log replication

test('§5.3 "The leader appends the command to its log as a new entry, then issues AppendEntries RPCs in parallel to each of the other servers"', (t) => {
  const c = leaderOf(3);
  const raft = c.get(1).node.raft;
  // Both followers have acknowledged the empty entry of the new term: they replicate.
  for (const id of [2, 3]) c.get(1).node.step(message({ type: MessageType.AppResp, from: id, to: 1, term: raft.term, index: 1 }));
  c.drain(1);
  c.get(1).node.propose(bytes('x'));
  const rd = c.get(1).node.ready();
  t.deepEqual(rd.entries.map((e) => [e.index, e.term]), [[2, raft.term]], 'appended to the leader’s log');
  const appends = ofType(rd.messages, MessageType.App);
  t.deepEqual(appends.map((m) => m.to).sort(), [2, 3]);
  for (const m of appends) {
    t.is(m.index, 1, 'the index of the entry preceding the new one');
    t.is(m.logTerm, raft.term, 'and its term');
    t.deepEqual(m.entries.map((e) => new TextDecoder().decode(e.data)), ['x']);
    t.is(m.commit, 1);
  }
  c.get(1).node.advance();
});

const commitCases: { size: number; acceptors: number[]; committed: boolean }[] = [
  { size: 1, acceptors: [], committed: true },
  { size: 3, acceptors: [], committed: false },
  { size: 3, acceptors: [2], committed: true },
  { size: 3, acceptors: [2, 3], committed: true },
  { size: 5, acceptors: [], committed: false },
  { size: 5, acceptors: [2], committed: false },
  { size: 5, acceptors: [2, 3], committed: true },
  { size: 5, acceptors: [2, 3, 4, 5], committed: true },
];

for (const row of commitCases) {
  test(`§5.3 "A log entry is committed once the leader that created the entry has replicated it on a majority of the servers": ${row.size} servers, stored by the leader and ${JSON.stringify(row.acceptors)}`, (t) => {
    const c = leaderOf(row.size);
    c.get(1).node.propose(bytes('x'));
    c.drain(1);
    const raft = c.get(1).node.raft;
    const index = raft.log.lastIndex();
    for (const id of row.acceptors) c.get(1).node.step(message({ type: MessageType.AppResp, from: id, to: 1, term: raft.term, index }));
    c.drain(1);
    t.is(raft.log.committed === index, row.committed);
    t.deepEqual(c.get(1).applied, row.committed ? ['x'] : []);
  });
}

test('§5.3 "This also commits all preceding entries in the leader\'s log, including entries created by previous leaders"', (t) => {
  const c = leaderOf(3, { entries: entriesOfTerms([1, 1, 2]), hardState: { term: 2, vote: NONE, commit: 0 } });
  const raft = c.get(1).node.raft;
  t.is(raft.term, 3);
  t.is(raft.log.committed, 0);
  c.get(1).node.step(message({ type: MessageType.AppResp, from: 2, to: 1, term: 3, index: 4 }));
  c.drain(1);
  t.is(raft.log.committed, 4, 'the empty entry of term 3 at index 4 commits 1..3 with it');
  t.is(c.get(1).appliedIndex, 4);
});

test('§5.3 the leader tells followers the commit index in later AppendEntries, and "once a follower learns that a log entry is committed, it applies the entry to its local state machine (in log order)"', (t) => {
  const c = alone({ voters: [1, 2, 3], hardState: { term: 1, vote: NONE, commit: 0 } });
  const entries = [entry(1, 1, 'a'), entry(2, 1, 'b'), entry(3, 1, 'c')];
  c.get(1).node.step(appendFrom(2, 1, 0, 0, entries, 0));
  c.drain(1);
  t.deepEqual(c.get(1).applied, [], 'stored, not committed');
  c.get(1).node.step(appendFrom(2, 1, 3, 1, [], 2));
  c.drain(1);
  t.deepEqual(c.get(1).applied, ['a', 'b']);
  c.get(1).node.step(message({ type: MessageType.Heartbeat, from: 2, to: 1, term: 1, commit: 3 }));
  c.drain(1);
  t.deepEqual(c.get(1).applied, ['a', 'b', 'c']);
  t.is(c.get(1).node.raft.log.applied, 3);
});

test('§5.3 a follower applies committed entries in order even when they arrive in separate Readies under a byte limit', (t) => {
  const c = alone({ voters: [1, 2, 3], hardState: { term: 1, vote: NONE, commit: 0 } }, { committedBytesPerReadyMax: 1 });
  const entries = ['a', 'b', 'c', 'd'].map((data, i) => entry(i + 1, 1, data));
  c.get(1).node.step(appendFrom(2, 1, 0, 0, entries, 4));
  let readies = 0;
  while (c.get(1).node.hasReady()) {
    const rd = c.get(1).node.ready();
    c.get(1).storage.append(rd.entries);
    if (rd.hardState) c.get(1).storage.setHardState(rd.hardState);
    t.true(rd.committedEntries.length <= 1, 'one entry per Ready under a 1-byte limit');
    for (const e of rd.committedEntries) c.get(1).applied.push(new TextDecoder().decode(e.data));
    c.get(1).node.advance();
    readies++;
  }
  t.deepEqual(c.get(1).applied, ['a', 'b', 'c', 'd']);
  t.true(readies >= 4);
});

// The follower holds 1@1 2@2, committed at 1, in term 2.
const consistencyCases: { prevIndex: number; prevTerm: number; reject: boolean; index: number; hint?: { index: number; term: number }; why: string }[] = [
  { prevIndex: 0, prevTerm: 0, reject: false, index: 1, why: 'before the log: accepted, answered with the commit index' },
  { prevIndex: 1, prevTerm: 1, reject: false, index: 1, why: 'matches a committed entry' },
  { prevIndex: 2, prevTerm: 2, reject: false, index: 2, why: 'matches an uncommitted entry' },
  { prevIndex: 2, prevTerm: 1, reject: true, index: 2, hint: { index: 1, term: 1 }, why: 'same index, different term' },
  { prevIndex: 3, prevTerm: 3, reject: true, index: 3, hint: { index: 2, term: 2 }, why: 'an index we do not have' },
];

for (const row of consistencyCases) {
  test(`§5.3 "If the follower does not find an entry in its log with the same index and term, then it refuses the new entries": ${row.why}`, (t) => {
    const c = alone({ voters: [1, 2, 3], entries: entriesOfTerms([1, 2]), hardState: { term: 2, vote: NONE, commit: 1 } });
    c.get(1).node.step(appendFrom(2, 2, row.prevIndex, row.prevTerm));
    const [answer] = c.drain(1);
    t.is(answer?.type, MessageType.AppResp);
    t.is(answer?.reject, row.reject);
    t.is(answer?.index, row.index);
    if (row.hint !== undefined) t.deepEqual({ index: answer?.rejectHint, term: answer?.logTerm }, row.hint);
    t.deepEqual(c.logTerms(1), [1, 2], 'the log is unchanged');
  });
}

// The follower holds 1@1 2@2, nothing committed.
const overwriteCases: { prevIndex: number; prevTerm: number; entries: Entry[]; terms: number[]; unstable: number[]; why: string }[] = [
  { prevIndex: 2, prevTerm: 2, entries: [entry(3, 3)], terms: [1, 2, 3], unstable: [3], why: 'new entries are appended' },
  { prevIndex: 1, prevTerm: 1, entries: [entry(2, 3), entry(3, 4)], terms: [1, 3, 4], unstable: [2, 3], why: 'a conflicting entry and all that follow it are replaced' },
  { prevIndex: 0, prevTerm: 0, entries: [entry(1, 1)], terms: [1, 2], unstable: [], why: 'entries already present are kept, and nothing after them is cut' },
  { prevIndex: 0, prevTerm: 0, entries: [entry(1, 3)], terms: [3], unstable: [1], why: 'a conflict at the first index replaces the whole log' },
];

for (const row of overwriteCases) {
  test(`§5.3 "If an existing entry conflicts with a new one (same index but different terms), delete the existing entry and all that follow it; append any new entries not already in the log": ${row.why}`, (t) => {
    const c = alone({ voters: [1, 2, 3], entries: entriesOfTerms([1, 2]), hardState: { term: 2, vote: NONE, commit: 0 } });
    c.get(1).node.step(appendFrom(2, 2, row.prevIndex, row.prevTerm, row.entries));
    t.deepEqual(c.get(1).node.raft.log.unstableEntries().map((e) => e.index), row.unstable, 'what must be written to disk');
    c.drain(1);
    t.deepEqual(c.logTerms(1), row.terms);
    t.deepEqual(c.get(1).storage.entries(1, c.get(1).storage.lastIndex() + 1, Infinity).map((e) => e.term), row.terms, 'storage holds the same log');
  });
}

// Figure 7: the leader of term 8 and six followers' possible logs.
const FIGURE_7_LEADER = [1, 1, 1, 4, 4, 5, 5, 6, 6, 6];
const FIGURE_7_FOLLOWERS: [string, number[]][] = [
  ['(a) missing one entry', [1, 1, 1, 4, 4, 5, 5, 6, 6]],
  ['(b) missing many entries', [1, 1, 1, 4]],
  ['(c) an extra uncommitted entry of the leader’s previous term', [1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 6]],
  ['(d) extra entries of a term the leader never saw', [1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 7, 7]],
  ['(e) missing entries and extra ones', [1, 1, 1, 4, 4, 4, 4]],
  ['(f) a leader of terms 2 and 3 that never committed', [1, 1, 1, 2, 2, 2, 3, 3, 3, 3, 3]],
];

/** Elects node 1 with the Figure 7 leader log in term 8 (node 3 grants its vote) and syncs node 2. */
function figure7(followerLog: number[]): TestCluster {
  const c = new TestCluster([]);
  c.addNodeWithState(1, { voters: [1, 2, 3], entries: entriesOfTerms(FIGURE_7_LEADER), hardState: { term: 7, vote: NONE, commit: 3 } });
  c.addNodeWithState(2, { voters: [1, 2, 3], entries: entriesOfTerms(followerLog), hardState: { term: 7, vote: NONE, commit: 3 } });
  c.stabilize();
  c.get(1).node.campaign();
  c.stabilize();
  c.get(1).node.step(message({ type: MessageType.VoteResp, from: 3, to: 1, term: 8 }));
  c.stabilize();
  return c;
}

for (const [name, followerLog] of FIGURE_7_FOLLOWERS) {
  test(`§5.3 Figure 7 ${name}: "the leader handles inconsistencies by forcing the followers' logs to duplicate its own", and never changes its own`, (t) => {
    const c = figure7(followerLog);
    t.is(c.leaderId(), 1);
    const expected = [...FIGURE_7_LEADER, 8];
    t.deepEqual(c.logTerms(1), expected, 'Leader Append-Only: the leader’s log only grew, by its empty entry of term 8');
    t.deepEqual(c.logTerms(2), expected);
    t.is(c.get(2).node.raft.log.committed, expected.length, 'and the whole log commits once the follower matches');
  });
}

test('§5.3 "the leader decrements nextIndex and retries" — fast, by term: follower (f) of Figure 7 costs one rejection, not one per divergent entry', (t) => {
  const c = figure7(FIGURE_7_FOLLOWERS[5]![1]);
  const toFollower = c.delivered.filter((m) => m.type === MessageType.App && m.to === 2);
  const rejections = c.delivered.filter((m) => m.type === MessageType.AppResp && m.from === 2 && m.reject);
  t.is(rejections.length, 1, 'eight divergent entries, one rejection');
  t.deepEqual({ index: rejections[0]!.rejectHint, term: rejections[0]!.logTerm }, { index: 10, term: 3 },
    'the follower points at its last entry of a term ≤ 6');
  t.deepEqual(toFollower.map((m) => m.index).slice(0, 2), [10, 3],
    'the leader skips its terms 6, 5 and 4 at once and probes right after the common prefix');
});

test('§5.3 a follower whose log is behind is caught up one rejection at a time at most per term', (t) => {
  for (const [name, followerLog] of FIGURE_7_FOLLOWERS) {
    const c = figure7(followerLog);
    const rejections = c.delivered.filter((m) => m.type === MessageType.AppResp && m.from === 2 && m.reject).length;
    const divergentTerms = new Set(followerLog.slice(3)).size;
    t.true(rejections <= Math.max(1, divergentTerms), `${name}: ${rejections} rejections`);
  }
});

test('§5.3 (§10.2.1 of the thesis) the leader counts its own copy of an entry only once it is persisted: after advance()', (t) => {
  const c = new TestCluster([1, 2, 3]);
  c.elect(1);
  const leader = c.get(1);
  const index = leader.node.raft.log.lastIndex() + 1;
  leader.node.propose(bytes('x'));
  const rd = leader.node.ready();
  t.deepEqual(rd.entries.map((e) => e.index), [index]);
  // Follower 2 stores the entry and acknowledges while the leader is still writing its own copy.
  c.deliverAll(rd.messages.filter((m) => m.to === 2));
  const acks = c.drain(2).filter((m) => m.type === MessageType.AppResp);
  t.is(acks.length, 1);
  leader.node.step(acks[0]!);
  t.true(leader.node.raft.log.committed < index, 'one follower alone is not a majority of three: the leader’s copy is not durable yet');
  leader.storage.append(rd.entries);
  if (rd.hardState) leader.storage.setHardState(rd.hardState);
  leader.node.advance();
  t.is(leader.node.raft.log.committed, index, 'persisted: the leader’s own acknowledgement makes the majority');
  c.stabilize();
  t.deepEqual(c.get(3).applied, ['x']);
});

test('§5.3 a single-voter leader commits its entry only after advance()', (t) => {
  const c = new TestCluster([1]);
  c.elect(1);
  const leader = c.get(1);
  leader.node.propose(bytes('x'));
  const rd = leader.node.ready();
  t.is(rd.entries.length, 1);
  t.deepEqual(rd.committedEntries, []);
  t.true(leader.node.raft.log.committed < rd.entries[0]!.index);
  leader.storage.append(rd.entries);
  leader.node.advance();
  t.is(leader.node.raft.log.committed, rd.entries[0]!.index);
  const next = leader.node.ready();
  t.deepEqual(next.committedEntries.map((e) => e.index), [rd.entries[0]!.index]);
  leader.node.advance();
});

// ================================================================ §5.4.1 election restriction

// The voter's log is compared with the candidate's last entry.
const voterCases: { voterLog: number[]; lastTerm: number; lastIndex: number; granted: boolean; why: string }[] = [
  { voterLog: [1], lastTerm: 1, lastIndex: 1, granted: true, why: 'same last term, same length' },
  { voterLog: [1], lastTerm: 1, lastIndex: 2, granted: true, why: 'same last term, candidate longer' },
  { voterLog: [1, 1], lastTerm: 1, lastIndex: 1, granted: false, why: 'same last term, voter longer' },
  { voterLog: [1], lastTerm: 2, lastIndex: 1, granted: true, why: 'candidate has the later last term' },
  { voterLog: [1, 1], lastTerm: 2, lastIndex: 1, granted: true, why: 'candidate has the later last term, though shorter' },
  { voterLog: [2], lastTerm: 1, lastIndex: 1, granted: false, why: 'voter has the later last term' },
  { voterLog: [2], lastTerm: 1, lastIndex: 5, granted: false, why: 'voter has the later last term, though shorter' },
  { voterLog: [1, 2], lastTerm: 1, lastIndex: 3, granted: false, why: 'voter’s last term is later' },
];

for (const row of voterCases) {
  test(`§5.4.1 "the voter denies its vote if its own log is more up-to-date than that of the candidate": ${row.why}`, (t) => {
    const c = alone({ voters: [1, 2, 3], entries: entriesOfTerms(row.voterLog), hardState: { term: 2, vote: NONE, commit: 0 } });
    c.get(1).node.step(message({ type: MessageType.Vote, from: 2, to: 1, term: 3, index: row.lastIndex, logTerm: row.lastTerm }));
    const [answer] = c.drain(1);
    t.is(answer?.type, MessageType.VoteResp);
    t.is(answer?.reject, !row.granted);
    t.is(c.get(1).node.raft.vote, row.granted ? 2 : NONE);
    t.is(c.get(1).node.raft.term, 3, 'the term moves either way');
  });
}

test('§5.4.1 a server missing a committed entry cannot be elected: "the candidate must contact a majority ... and every committed entry is present in at least one of those servers"', (t) => {
  const c = new TestCluster([1, 2, 3]);
  c.elect(1);
  c.isolate(3);
  c.propose(1, 'committed');
  t.deepEqual(c.get(2).applied, ['committed']);
  c.heal();
  c.isolate(1);
  c.elect(3);
  t.not(c.get(3).node.raft.state, StateType.Leader, '2 refuses: its log holds an entry 3 lacks');
  c.elect(2);
  t.is(c.leaderId(), 2);
  c.stabilize();
  t.deepEqual(c.get(3).applied, ['committed'], 'the new leader brings 3 the committed entry');
});

// ================================================================ §5.4.2 committing entries from previous terms

const previousTermCases: { acked: number; committed: number; why: string }[] = [
  { acked: 1, committed: 0, why: 'entry 1 of term 1 is on a majority but not committed by counting' },
  { acked: 2, committed: 0, why: 'entry 2 of term 2 likewise' },
  { acked: 3, committed: 3, why: 'entry 3 of the current term commits, and everything before it' },
];

for (const row of previousTermCases) {
  test(`§5.4.2 "Raft never commits log entries from previous terms by counting replicas. Only log entries from the leader's current term are committed by counting replicas": ${row.why}`, (t) => {
    const c = leaderOf(3, { entries: entriesOfTerms([1, 2]), hardState: { term: 2, vote: NONE, commit: 0 } });
    const raft = c.get(1).node.raft;
    t.is(raft.term, 3);
    c.get(1).node.step(message({ type: MessageType.AppResp, from: 2, to: 1, term: 3, index: row.acked }));
    c.drain(1);
    t.is(raft.log.committed, row.committed);
  });
}

/**
 * Figure 8, steps (a) to (c), on five servers after the five bootstrap entries (index 1..5,
 * term 1) and the first leader's empty entry (6): the paper's index 2 is our `index`, 7.
 * Appends carry one entry each (messageBytesMax 1) so that a filter can tell them apart.
 * A crashed server is isolated; S1 crashes and restarts with a state machine kept in memory.
 */
function figure8(): { c: TestCluster; index: number } {
  const c = new TestCluster([1, 2, 3, 4, 5], { messageBytesMax: 1 });
  c.elect(1);
  const index = c.get(1).node.raft.log.lastIndex() + 1;
  // (a) S1 is leader in term 2 and replicates the entry at `index` to S2 only.
  const onlyToS2 = c.drop((m) => m.from === 1 && m.to > 2);
  c.propose(1, 'from term 2');
  onlyToS2();
  // (b) S1 crashes; S5 is elected in term 3 by S3, S4 and itself, and accepts a different
  // entry at `index` (its empty entry of term 3) that reaches no one before it crashes.
  const s1Down = c.drop((m) => m.from === 1 || m.to === 1);
  const s5Silent = c.drop((m) => m.from === 5 && m.type === MessageType.App);
  c.elect(5);
  s5Silent();
  c.isolate(5);
  // (c) S1 restarts and is elected in term 4 (its first try, in term 3, fails: S3 and S4
  // voted for S5 there). It replicates the entry of term 2 to S3, but not its own of term 4:
  // an append carrying that is dropped once S3 holds the entry of term 2 (before, S3 rejects
  // it, which makes S1 back up and send the entry of term 2). S2 acknowledges both, so that
  // S1 knows three servers store the entry of term 2; S4 hears no appends.
  s1Down();
  c.restart(1, 0);
  c.drop((m) => m.from === 1 && m.type === MessageType.App &&
    (m.to === 4 || (m.to === 3 && m.entries.some((e) => e.term === 4) && c.get(3).node.raft.log.maybeTerm(index) === 2)));
  c.elect(1);
  if (c.get(1).node.raft.state !== StateType.Leader) c.elect(1);
  return { c, index };
}

test('§5.4.2 Figure 8 (c): an entry of term 2 stored on a majority by the leader of term 4 is not committed', (t) => {
  const { c, index } = figure8();
  const leader = c.get(1).node.raft;
  t.is(leader.state, StateType.Leader);
  t.is(leader.term, 4);
  t.deepEqual([1, 2, 3].map((id) => c.get(id).node.raft.log.maybeTerm(index)), [2, 2, 2], 'S1, S2 and S3 store it: a majority of five');
  const progress = c.get(1).node.status().progress!;
  t.true([1, 2, 3].every((id) => progress.get(id)!.match >= index), 'and the leader knows it');
  t.true(progress.get(3)!.match < index + 1, 'S3 lacks the entry of term 4');
  t.is(c.get(5).node.raft.log.maybeTerm(index), 3, 'S5 holds a different entry there, of term 3');
  t.true(leader.log.committed < index, `not committed (commit index ${leader.log.committed})`);
  for (const n of c.nodes.values()) t.deepEqual(n.applied, [], `node ${n.id} applied nothing of it`);
});

test('§5.4.2 Figure 8 (d): because it was not committed, S5 may legitimately be elected and overwrite it', (t) => {
  const { c, index } = figure8();
  // S1 crashes again; S5 restarts and is elected by S2, S3 and S4: its last term, 3, is
  // later than theirs. (Its first try, in term 4, fails: they voted for S1 there.)
  c.heal();
  c.isolate(1);
  c.restart(5, 0);
  c.elect(5);
  if (c.get(5).node.raft.state !== StateType.Leader) c.elect(5);
  t.is(c.get(5).node.raft.state, StateType.Leader);
  t.is(c.get(5).node.raft.term, 5);
  c.stabilize();
  for (const id of [2, 3, 4, 5]) t.is(c.get(id).node.raft.log.maybeTerm(index), 3, `node ${id} now holds term 3 at the index`);
  for (const n of c.nodes.values()) t.false(n.applied.includes('from term 2'), `node ${n.id} never applied the overwritten entry`);
});

test('§5.4.2 Figure 8 (e): once the leader of term 4 replicates an entry of its own term to a majority, both commit and S5 can no longer win', (t) => {
  const { c, index } = figure8();
  c.heal();
  c.isolate(5); // S5 stays crashed; S1's entry of term 4 may now go out
  c.tickAll(); // a heartbeat round: the followers get the entry of term 4
  const leader = c.get(1).node.raft;
  t.true(leader.log.committed > index, 'the entry of term 4 committed, and the one of term 2 before it');
  t.deepEqual(c.get(1).applied, ['from term 2']);
  c.heal();
  c.isolate(1);
  c.restart(5, 0);
  c.elect(5);
  c.elect(5);
  t.not(c.get(5).node.raft.state, StateType.Leader, 'S5’s last term, 3, is older than the majority’s, 4');
  for (const id of [2, 3]) t.is(c.get(id).node.raft.log.maybeTerm(index), 2);
});
