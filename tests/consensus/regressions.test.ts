// Regressions: each test reproduces a defect found in the core and shows it fixed. The
// scenario is the one that exposed it, so that the failure it guards against is explicit.
import test from 'ava';
import { encodeConfChange, isRaftError, message, MessageType, MemoryStorage, RaftError, RawNode, SeededRandom } from '../../consensus/index.ts';
import { bytes, TestCluster } from './harness.ts';

test('a node restarted with its applied index keeps the membership its applied entries set up', (t) => {
  const cluster = new TestCluster([1, 2, 3], { preVote: true, checkQuorum: true });
  cluster.elect(1);
  cluster.propose(1, 'a');
  const restarted = cluster.restart(2); // applied = 6: the bootstrap entries are not handed out again
  t.deepEqual(restarted.node.status().confState.voters, [1, 2, 3]);
  t.true(restarted.node.raft.promotable(), 'a voter may campaign again');
  cluster.isolate(1);
  // Once node 3's lease on the old leader runs out, 2 and 3 elect one of themselves.
  cluster.tickAll(3 * restarted.node.raft.electionTicks);
  const leader = cluster.leaderId();
  t.true(leader === 2 || leader === 3, `leader ${leader}`);
  cluster.propose(leader!, 'b');
  t.deepEqual(cluster.get(2).applied, ['a', 'b']);
  t.deepEqual(cluster.get(3).applied, ['a', 'b']);
});

test('a restart replays a membership change applied after the last Raft snapshot', (t) => {
  const cluster = new TestCluster([1, 2, 3]);
  cluster.elect(1);
  cluster.compact(1);
  // Node 4 is never started: only node 1's view of the membership matters here.
  cluster.proposeConfChange(1, { transition: 'auto', changes: [{ type: 'add-learner', nodeId: 4 }], context: new Uint8Array(0) });
  t.deepEqual(cluster.get(1).node.status().confState.learners, [4]);
  const restarted = cluster.restart(1);
  t.deepEqual(restarted.node.status().confState.learners, [4], 'the learner added after the snapshot is still known');
  t.deepEqual(restarted.node.status().confState.voters, [1, 2, 3]);
});

function leaseCluster(): TestCluster {
  return new TestCluster([1, 2, 3], { checkQuorum: true, preVote: true, readOnlyOption: 'lease-based' });
}

test('after sending TimeoutNow a leader serves no lease reads: the target may already lead', (t) => {
  const cluster = leaseCluster();
  cluster.elect(1);
  cluster.propose(1, 'a');
  const one = cluster.get(1);
  cluster.get(1).node.transferLeadership(2);
  // Hold back everything but the TimeoutNow, and cut node 1 off right after it.
  const outbox = cluster.drain(1);
  t.true(outbox.some((m) => m.type === MessageType.TimeoutNow));
  cluster.deliverAll(outbox);
  cluster.isolate(1);
  cluster.stabilize();
  cluster.tickAll(3);
  t.is(cluster.get(2).node.raft.state, 'leader');
  cluster.propose(2, 'x');
  one.node.readIndex(bytes('stale?'));
  cluster.stabilize();
  t.deepEqual(one.readStates, [], 'the old leader must not answer from its lease');
});

test('a lease read needs a quorum heard from in the current check-quorum window', (t) => {
  const cluster = leaseCluster();
  cluster.elect(1);
  cluster.propose(1, 'a');
  const one = cluster.get(1);
  one.node.readIndex(bytes('fresh'));
  cluster.stabilize();
  t.is(one.readStates.length, 1, 'answered at once while followers are heard from');
  // Cut the leader off right after a check passed: it still believes it leads, but no
  // follower answers within the new window, so reads must take the safe path (and stall).
  cluster.tick(1, one.node.raft.electionTicks);
  cluster.isolate(1); // before the heartbeats of the new window get answered
  cluster.stabilize();
  one.node.readIndex(bytes('after-cut'));
  cluster.stabilize();
  t.is(one.readStates.length, 1, 'no lease answer without a quorum in this window');
});

test('two followers using the same ReadIndex context are both answered', (t) => {
  const cluster = new TestCluster([1, 2, 3]);
  cluster.elect(1);
  cluster.propose(1, 'a');
  cluster.get(2).node.readIndex(bytes('req-1'));
  cluster.get(3).node.readIndex(bytes('req-1'));
  cluster.stabilize();
  cluster.tickAll(2);
  t.is(cluster.get(2).readStates.length, 1);
  t.is(cluster.get(3).readStates.length, 1);
});

test('a message claiming to come from the node itself, from nobody, or for another node is refused', (t) => {
  const storage = new MemoryStorage();
  const node = new RawNode({ id: 1, electionTicks: 10, heartbeatTicks: 1, storage, random: new SeededRandom(1) });
  node.bootstrap([1, 2, 3]);
  for (const [from, to] of [[1, 1], [0, 1], [2, 3]] as const) {
    const error = t.throws(() => node.step(message({ type: MessageType.Heartbeat, from, to, term: 5 })));
    t.true(isRaftError(error, 'INVALID_MESSAGE'), `from ${from} to ${to}: ${String(error)}`);
  }
  t.is(node.raft.term, 1, 'nothing was stepped');
});

test('config fields passed as undefined keep their defaults; non-boolean flags are refused', (t) => {
  const base = { id: 1, electionTicks: 10, heartbeatTicks: 1, storage: new MemoryStorage(), random: new SeededRandom(1) };
  const node = new RawNode({ ...base, messageBytesMax: undefined, logger: undefined });
  t.is(node.raft.messageBytesMax, 1 << 20);
  const error = t.throws(() => new RawNode({ ...base, checkQuorum: 'no' as unknown as boolean }), { instanceOf: RaftError });
  t.regex(error!.message, /checkQuorum must be true or false/);
});

test('a ConfChange with too many changes is a coded error, not a crash', (t) => {
  const changes = Array.from({ length: 1025 }, (_, i) => ({ type: 'add-node' as const, nodeId: i + 1 }));
  const error = t.throws(() => encodeConfChange({ transition: 'auto', changes, context: new Uint8Array(0) }));
  t.true(isRaftError(error, 'INVALID_CONF_CHANGE'));
});
