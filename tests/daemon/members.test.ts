// Where members take Raft messages (their `peer` address), as a real one-node VstorNode
// resolves it: a member added with `member add` carries it in its record; a record written
// before members had one (no `peer` in its JSON) falls back to cluster.yaml's entry for its
// raftId, and without one the address is unknown (shown as ''); adding the member again with
// the same name and addresses gives the old record its peer address, while a different
// address for a known id is still ALREADY_EXISTS. Also: the term response headers carry
// (raftTerm(), read without building a status) is the status's term.
import test from 'ava';
import { parseClusterConfig } from '../../daemon/config.ts';
import { memberKey, MemberTable } from '../../daemon/members.ts';
import type { VstorNode } from '../../daemon/node.ts';
import { isVstorError } from '../../storage-engine/errors.ts';
import { oneNode } from './one-node.ts';

const encoder = new TextEncoder();
const n4 = { grpc: '127.0.0.1:9004', peer: '127.0.0.1:9304', admin: '127.0.0.1:9104', nbd: '127.0.0.1:9204' };

/** A member record as releases before the peer port wrote it: no `peer`. */
async function writeOldRecord(node: VstorNode, raftId: number): Promise<void> {
  const { peer: _peer, ...addresses } = n4;
  await node.writeSystem({ type: 'put', key: memberKey(raftId), value: encoder.encode(JSON.stringify({ name: `n${raftId}`, raftId, ...addresses })) });
  await node.memberTable.refresh(node['modelMachine']!);
}

const identity = (sequence: number) => ({ clientId: 'members-test', sequence });

test('an added member carries its peer address; the founders take theirs from cluster.yaml', async (t) => {
  const node = await oneNode(t);
  t.is(node.memberTable.peerAddress(1), '127.0.0.1:9301');
  await node.addLearner('n4', 4, n4, identity(1));
  t.is(node.memberTable.peerAddress(4), n4.peer);
  t.deepEqual(node.members().map((member) => [member.name, member.peer, member.voter]), [['n1', '127.0.0.1:9301', true], ['n4', n4.peer, false]]);
});

test('a record from before the peer port: unknown, then given its address by adding the member again', async (t) => {
  const node = await oneNode(t);
  await node.addLearner('n4', 4, n4, identity(1));
  await writeOldRecord(node, 4);
  t.is(node.memberTable.peerAddress(4), undefined);
  t.is(node.members().find((member) => member.raftId === 4)?.peer, '');

  const moved = await t.throwsAsync(node.addLearner('n4', 4, { ...n4, grpc: '127.0.0.1:9999' }, identity(2)));
  t.true(isVstorError(moved, 'ALREADY_EXISTS'), String(moved));
  await node.addLearner('n4', 4, n4, identity(3));
  t.is(node.memberTable.peerAddress(4), n4.peer);
  // Once it has one, the same add is a retry, and another peer address is refused.
  await node.addLearner('n4', 4, n4, identity(4));
  const other = await t.throwsAsync(node.addLearner('n4', 4, { ...n4, peer: '127.0.0.1:9999' }, identity(5)));
  t.true(isVstorError(other, 'ALREADY_EXISTS'), String(other));
});

test('a record from before the peer port falls back to the member\'s entry in cluster.yaml', async (t) => {
  const node = await oneNode(t);
  await node.addLearner('n4', 4, n4, identity(1));
  await writeOldRecord(node, 4);
  const withEntry = new MemberTable(parseClusterConfig(`
cluster: members
dataDir: /tmp
nodes:
  - { id: n1, grpc: "127.0.0.1:9001", peer: "127.0.0.1:9301", admin: "127.0.0.1:9101", nbd: "127.0.0.1:9201" }
  - { id: n4, grpc: "127.0.0.1:9004", peer: "127.0.0.1:9404", admin: "127.0.0.1:9104", nbd: "127.0.0.1:9204" }
`, '/tmp').nodes);
  await withEntry.refresh(node['modelMachine']!);
  t.is(withEntry.peerAddress(4), '127.0.0.1:9404');
  t.is(withEntry.record(4)?.grpc, n4.grpc, 'the record still gives the other addresses');
});

test('raftTerm() is the term of the Raft status, which response headers carry', async (t) => {
  const node = await oneNode(t);
  const term = node.raftTerm();
  t.true(term >= 1);
  t.is(term, node.raftStatus().hardState.term);
});
