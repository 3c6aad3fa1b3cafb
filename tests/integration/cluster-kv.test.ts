// The key-value API on a real three-node cluster of vstord processes, through the client
// library: writes through a follower land on every member; kill -9 of the leader loses no
// acknowledged write and the client carries on with the new leader; watch sees every change
// once and in order; a member added as a learner catches up (through a Raft snapshot once
// the log is compacted) and is promoted; bad input gets INVALID_ARGUMENT and nothing applied.
import test from 'ava';
import { VstorClient } from '../../rpc/client.ts';
import { isVstorError } from '../../storage-engine/errors.ts';
import { eventually, harnessNode, ProcessCluster } from './cluster-harness.ts';

const text = (bytes: Uint8Array | undefined): string | undefined => (bytes === undefined ? undefined : Buffer.from(bytes).toString('utf8'));

function clientFor(cluster: ProcessCluster, ids = cluster.nodes.map((n) => n.id)): VstorClient {
  return new VstorClient({ endpoints: ids.map((id) => cluster.node(id).grpc), timeoutMs: 30_000 });
}

test.serial('writes through a follower land everywhere; kill -9 of the leader loses no acknowledged write', async (t) => {
  const cluster = await ProcessCluster.create('kv');
  t.teardown(() => cluster.destroy());
  cluster.startAll();
  const leader = await eventually('a leader', () => cluster.agreedLeader());
  const follower = cluster.nodes.find((n) => n.id !== leader)!.id;

  const viaFollower = clientFor(cluster, [follower]);
  t.teardown(() => viaFollower.close());
  await viaFollower.put('greeting', 'hello');
  for (const node of cluster.nodes) {
    const direct = clientFor(cluster, [node.id]);
    t.is(text((await direct.get('greeting'))?.value), 'hello', `read on ${node.id}`);
    direct.close();
  }

  // Acknowledged writes, then the leader dies mid-stream: every acknowledged one survives.
  // The default 6 retries (backoff with full jitter from 50 ms) can all be spent before a
  // new leader is elected on a loaded machine, with most of the 30 s deadline left (seen
  // once in a full run); the deadline is what this test means to bound the failover by.
  const client = new VstorClient({ endpoints: cluster.nodes.map((n) => n.grpc), timeoutMs: 30_000, retries: 40 });
  t.teardown(() => client.close());
  const acknowledged: string[] = [];
  for (let i = 0; i < 50; i++) {
    await client.put(`k/${String(i).padStart(3, '0')}`, `v${i}`);
    acknowledged.push(`k/${String(i).padStart(3, '0')}`);
  }
  await cluster.kill(leader);
  // The client keeps writing: it fails over to the new leader's side of the cluster.
  for (let i = 50; i < 60; i++) {
    await client.put(`k/${String(i).padStart(3, '0')}`, `v${i}`);
    acknowledged.push(`k/${String(i).padStart(3, '0')}`);
  }
  const listed = await client.list('k/');
  t.deepEqual(listed.kvs.map((kv) => text(kv.key)), acknowledged);

  // The killed leader comes back and catches up with what it missed.
  cluster.start(leader);
  const back = clientFor(cluster, [leader]);
  t.teardown(() => back.close());
  await eventually('the old leader to catch up', async () => {
    try {
      const response = await back.list('k/', { serializable: true });
      return response.kvs.length === acknowledged.length ? true : undefined;
    } catch {
      return undefined;
    }
  });
  t.pass();
});

test.serial('watch reports every change once, in order; bad input is refused with nothing applied', async (t) => {
  const cluster = await ProcessCluster.create('watch');
  t.teardown(() => cluster.destroy());
  cluster.startAll();
  await eventually('a leader', () => cluster.agreedLeader());
  const client = clientFor(cluster);
  t.teardown(() => client.close());
  const watch = await client.watch({ key: 'w/', prefix: true });
  const seen: string[] = [];
  const done = (async () => {
    for await (const batch of watch) {
      for (const event of batch.events) seen.push(`${event.type}:${text(event.kv?.key)}=${text(event.kv?.value) ?? ""}`);
      if (seen.length >= 30) break;
    }
  })();
  const expected: string[] = [];
  for (let i = 0; i < 20; i++) {
    await client.put(`w/${i % 5}`, `${i}`);
    expected.push(`PUT:w/${i % 5}=${i}`);
  }
  for (let i = 0; i < 5; i++) {
    await client.delete(`w/${i}`);
    expected.push(`DELETE:w/${i}=`);
  }
  for (let i = 0; i < 5; i++) {
    await client.put(`w/x${i}`, 'y');
    expected.push(`PUT:w/x${i}=y`);
  }
  await Promise.race([done, new Promise((_, reject) => setTimeout(() => reject(new Error('watch did not deliver 30 events')), 30_000))]);
  t.deepEqual(seen, expected);

  const before = await client.list('');
  const empty = await t.throwsAsync(client.put('', 'x'));
  t.true(isVstorError(empty, 'INVALID_ARGUMENT'), String(empty));
  t.regex(String(empty), /key/);
  const huge = await t.throwsAsync(client.put('big', Buffer.alloc(2 * 1024 * 1024)));
  t.true(isVstorError(huge, 'INVALID_ARGUMENT') || isVstorError(huge, 'RESOURCE_EXHAUSTED'), String(huge));
  const reserved = await t.throwsAsync(client.put('\u0000vstor/members/x', 'y'));
  t.true(isVstorError(reserved, 'INVALID_ARGUMENT'), String(reserved));
  t.is((await client.list('')).kvs.length, before.kvs.length, 'nothing was applied');
});

test.serial('a new node joins as a learner, catches up through a Raft snapshot, and is promoted', async (t) => {
  const cluster = await ProcessCluster.create('join', { raft: { snapshotEntries: 50 } });
  t.teardown(() => cluster.destroy());
  cluster.startAll();
  await eventually('a leader', () => cluster.agreedLeader());
  const client = clientFor(cluster, ['n1', 'n2', 'n3']);
  t.teardown(() => client.close());
  // Enough writes that the leader's log is compacted past its start: n4 needs a snapshot.
  for (let i = 0; i < 150; i++) await client.put(`j/${i}`, `${i}`);

  const n4 = await harnessNode('n4', 4);
  const n4Member = { id: 4, name: 'n4', grpcAddress: n4.grpc, peerAddress: n4.peer, adminAddress: n4.admin, nbdAddress: n4.nbd };
  await client.addMember(n4Member);
  // Adding the same member again (a retry whose answer was lost) is answered, not refused.
  await client.addMember(n4Member);
  // The member record lives in the model under the reserved prefix, invisible to user ranges.
  const everything = await client.list('');
  t.false(everything.kvs.some((kv) => kv.key[0] === 0), 'no reserved key in a full range');
  t.is(Number(everything.count), everything.kvs.length);
  cluster.nodes.push(n4);
  cluster.writeConfig({ raft: { snapshotEntries: 50 } });
  cluster.start('n4', ['--join']);
  const learner = new VstorClient({ endpoints: [n4.grpc], timeoutMs: 30_000 });
  t.teardown(() => learner.close());
  await eventually('n4 to catch up', async () => {
    try {
      return (await learner.list('j/', { serializable: true })).kvs.length === 150 ? true : undefined;
    } catch {
      return undefined;
    }
  });
  t.regex(cluster.node('n4').output.join(''), /restored raft snapshot/);
  const members = await client.promote(4);
  t.true(members.some((m) => m.id === 4 && !m.isLearner), JSON.stringify(members));
  await client.put('after-promotion', 'ok');
  t.is(text((await learner.get('after-promotion'))?.value), 'ok');
});
