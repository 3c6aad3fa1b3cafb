// The Cluster service over real gRPC: Status is the answering member's own view (with its
// followers' progress when it leads); MemberList is linearizable unless serializable;
// membership changes are checked where they arrive and, on a follower, relayed once to
// the leader, carrying the client's (client id, sequence); a relayed call is never relayed
// again (NOT_LEADER with the leader hint); with no leader known the call is UNAVAILABLE and
// retryable; the client library follows a NOT_LEADER hint.
import test from 'ava';
import type { ExecutionContext } from 'ava';
import { derivedMemberId } from '../../rpc/cluster-service.ts';
import { errorMetadataKeys, fromServiceError, VstorError } from '../../rpc/errors.ts';
import { ClusterClient } from '../../rpc/proto.ts';
import type { MemberAddResponse__Output } from '../../proto/gen/vstor/v1/MemberAddResponse.ts';
import { FakeNode, member, SharedModel } from './fake-node.ts';
import type { Served } from './serving.ts';
import { connect, deadline, rawClient, serve, unary } from './serving.ts';

const newMember = { name: 'n4', grpcAddress: '127.0.0.1:9004', peerAddress: '127.0.0.1:9304', adminAddress: '127.0.0.1:9104', nbdAddress: '127.0.0.1:9204' };

/** A leader (member 1) and a follower (member 2) of one group, each behind its server. */
async function leaderAndFollower(t: ExecutionContext): Promise<{ leader: FakeNode; follower: FakeNode; leaderServed: Served; followerServed: Served }> {
  const shared = await SharedModel.open(t);
  const leader = new FakeNode(shared, 1);
  const follower = new FakeNode(shared, 2);
  const leaderServed = await serve(t, leader);
  const followerServed = await serve(t, follower);
  // The follower knows where the leader serves; the leader knows it leads.
  follower.role = 'follower';
  follower.leaderInfo = member(1, leaderServed.address);
  return { leader, follower, leaderServed, followerServed };
}

test('Status is the answering member\'s view, with its followers\' progress when it leads', async (t) => {
  const { leaderServed, followerServed } = await leaderAndFollower(t);
  const client = connect(t, [leaderServed.address]);

  const status = await client.status();
  t.like(status, {
    id: 1, name: 'n1', role: 'ROLE_LEADER', isLearner: false, raftTerm: 3, leaderId: 1,
    commitIndex: 40, appliedIndex: 39, firstIndex: 5, lastIndex: 42,
    header: { clusterId: 'test-cluster', memberId: 1, revision: 1, raftTerm: 3 },
  });
  t.deepEqual(status.members.map((entry) => [entry.member?.name, entry.progressKnown, entry.matchIndex, entry.lagEntries, entry.progressState]), [
    ['n1', true, 42, 0, 'PROGRESS_STATE_REPLICATE'],
    ['n2', true, 40, 2, 'PROGRESS_STATE_REPLICATE'],
    ['n3', true, 39, 3, 'PROGRESS_STATE_REPLICATE'],
  ]);

  const followerStatus = await client.status({ endpoint: followerServed.address });
  t.like(followerStatus, { id: 2, role: 'ROLE_FOLLOWER', leaderId: 1 });
  t.is(client.currentEndpoint, leaderServed.address, 'asking one member does not move the client');
  t.true(followerStatus.members.every((entry) => !entry.progressKnown && entry.matchIndex === 0));
});

test('MemberList goes through the read barrier unless serializable', async (t) => {
  const { leader, leaderServed } = await leaderAndFollower(t);
  const client = connect(t, [leaderServed.address]);

  const members = await client.members();
  t.deepEqual(members.map((entry) => [entry.id, entry.name, entry.isLearner]), [[1, 'n1', false], [2, 'n2', false], [3, 'n3', false]]);
  t.is(members[0]?.grpcAddress, '127.0.0.1:9001');
  t.is(leader.readBarrierCount, 1);
  await client.members({ serializable: true });
  t.is(leader.readBarrierCount, 1);
});

test('a membership change made through a follower is relayed to the leader, with the client\'s pair', async (t) => {
  const { leader, follower, followerServed, leaderServed } = await leaderAndFollower(t);
  const client = connect(t, [followerServed.address]);

  const added = await client.addMember(newMember);
  const id = derivedMemberId('test-cluster', { clientId: client.clientId, sequence: 1 });
  t.like(added.member, { id, name: 'n4', grpcAddress: '127.0.0.1:9004', peerAddress: '127.0.0.1:9304', isLearner: true });
  t.is(added.members.length, 4);
  t.is(added.header?.memberId, 1, 'the leader answered');
  t.deepEqual(leader.membershipCalls, [{
    method: 'addLearner', raftId: id, name: 'n4',
    addresses: { grpc: '127.0.0.1:9004', peer: '127.0.0.1:9304', admin: '127.0.0.1:9104', nbd: '127.0.0.1:9204' },
    identity: { clientId: client.clientId, sequence: 1 },
  }]);

  await client.promote(id);
  await client.removeMember(3);
  const transferred = await client.transferLeadership();
  t.is(transferred.leaderId, 2, 'the most up-to-date other voter');
  t.deepEqual(leader.membershipCalls.slice(1).map((call) => [call.method, call.raftId, call.identity?.sequence]), [
    ['promote', id, 2], ['remove', 3, 3], ['transferLeadership', 2, undefined],
  ]);
  t.deepEqual(follower.membershipCalls, [], 'the follower changed nothing itself');
  t.deepEqual(followerServed.observer.outcomes, ['MemberAdd', 'MemberPromote', 'MemberRemove', 'TransferLeadership'].map((method) => `vstor.v1.Cluster/${method} OK`));
  t.is(leaderServed.observer.calls.length, 4);
});

test('a relayed call is not relayed again: NOT_LEADER with the leader hint', async (t) => {
  const { leader, follower, followerServed, leaderServed } = await leaderAndFollower(t);
  // Stale views: each believes the other leads.
  leader.role = 'follower';
  leader.leaderInfo = member(2, followerServed.address);
  const cluster = rawClient(t, ClusterClient, followerServed.address);

  const error = await t.throwsAsync(unary<MemberAddResponse__Output>((callback) =>
    cluster.MemberAdd({ ...newMember, clientId: 'raw', sequence: 1 }, { deadline: deadline() }, callback)));
  const coded = fromServiceError(error);
  t.is(coded.code, 'NOT_LEADER');
  t.deepEqual(coded.leader, { leaderId: 2, leaderAddress: followerServed.address });
  t.regex(coded.message, /n1 does not lead and does not relay a call that n2 relayed/);
  t.deepEqual(leaderServed.observer.outcomes, ['vstor.v1.Cluster/MemberAdd UNAVAILABLE'], 'one hop, no loop');
  t.deepEqual(followerServed.observer.outcomes, ['vstor.v1.Cluster/MemberAdd UNAVAILABLE']);
  t.deepEqual([leader.membershipCalls, follower.membershipCalls], [[], []]);
});

test('with no leader known, a membership change is UNAVAILABLE and retryable', async (t) => {
  const { follower, followerServed } = await leaderAndFollower(t);
  follower.leaderInfo = undefined;
  const cluster = rawClient(t, ClusterClient, followerServed.address);

  const error = await t.throwsAsync(unary((callback) => cluster.MemberRemove({ id: 3, clientId: 'raw', sequence: 1 }, { deadline: deadline() }, callback)));
  const serviceError = error as unknown as { metadata: { get(key: string): unknown[] } };
  t.deepEqual(serviceError.metadata.get(errorMetadataKeys.retryable), ['true']);
  t.is(fromServiceError(error).code, 'UNAVAILABLE');
  t.regex(fromServiceError(error).message, /no leader is known/);
});

test('bad membership input is refused where it arrives, naming the field', async (t) => {
  const { leader, followerServed, leaderServed } = await leaderAndFollower(t);
  const client = connect(t, [followerServed.address]);
  const refusal = async (call: Promise<unknown>): Promise<string | undefined> => {
    const error = await t.throwsAsync(call, { instanceOf: VstorError });
    t.is(error?.code, 'INVALID_ARGUMENT');
    return error?.message;
  };

  t.is(await refusal(client.addMember({ ...newMember, grpcAddress: 'nowhere' })), 'MemberAdd: grpc_address: must be host:port with a port from 1 to 65535, got "nowhere"');
  t.is(await refusal(client.addMember({ ...newMember, name: '' })), 'MemberAdd: name: must be set');
  t.is(await refusal(client.addMember({ ...newMember, peerAddress: '' })), 'MemberAdd: peer_address: must be host:port with a port from 1 to 65535, got ""');
  t.is(await refusal(client.addMember({ ...newMember, nbdAddress: 'host:70000' })), 'MemberAdd: nbd_address: must be host:port with a port from 1 to 65535, got "host:70000"');
  t.is(await refusal(client.promote(0)), 'MemberPromote: id: must be an integer from 1 to 2^53-1, got 0');
  t.deepEqual(leader.membershipCalls, []);
  t.deepEqual(leaderServed.observer.calls, [], 'nothing was relayed');
});

test('the client follows a NOT_LEADER hint to the leader', async (t) => {
  const { leader, follower, leaderServed, followerServed } = await leaderAndFollower(t);
  // The member the client talks to has just lost leadership and says who leads now.
  leader.membershipError = new VstorError('NOT_LEADER', 'n1 stepped down', { leader: { leaderId: 2, leaderAddress: followerServed.address } });
  follower.role = 'leader';
  follower.leaderInfo = member(2, followerServed.address);
  const client = connect(t, [leaderServed.address]);

  const members = await client.promote(3);
  t.is(members.length, 3);
  t.deepEqual(follower.membershipCalls.map((call) => [call.method, call.raftId, call.identity?.sequence]), [['promote', 3, 1]]);
  t.deepEqual(leader.membershipCalls.map((call) => [call.method, call.identity?.sequence]), [['promote', 1]], 'the retry reused the pair');
});

test('a transfer to a learner or an unknown member is refused', async (t) => {
  const { leader, leaderServed } = await leaderAndFollower(t);
  leader.memberList.push(member(5, '127.0.0.1:9005', false));
  const client = connect(t, [leaderServed.address]);

  t.is((await t.throwsAsync(client.transferLeadership(5), { instanceOf: VstorError }))?.code, 'FAILED_PRECONDITION');
  t.is((await t.throwsAsync(client.transferLeadership(9), { instanceOf: VstorError }))?.code, 'NOT_FOUND');
  t.deepEqual(leader.membershipCalls, []);
});

test('a node that does not tell its log indexes or revision gets zeros, and lag from the commit index', async (t) => {
  const { leader, leaderServed } = await leaderAndFollower(t);
  Object.assign(leader, { raftLogIndexes: undefined, modelRevision: undefined });
  const status = await connect(t, [leaderServed.address]).status();
  t.like(status, { firstIndex: 0, lastIndex: 0, header: { revision: 0 } });
  t.deepEqual(status.members.map((entry) => entry.lagEntries), [0, 0, 1], 'commit 40 minus match 42, 40, 39');
});
