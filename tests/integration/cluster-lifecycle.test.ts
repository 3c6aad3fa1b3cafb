// Real vstord processes on loopback: three nodes elect one leader; kill -9 of the leader
// makes the others elect a new one; restarting every node finds the data (term and log);
// SIGTERM of a leader hands leadership over and exits 0; bad config and arguments exit 2
// with one line naming what is wrong. A new node keeps its Raft log in WAL segments; a node
// directory made before the WAL keeps its raft/ database across restarts.
import test from 'ava';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openDatabase } from '../../storage-engine/engine.ts';
import { DurableLogStorage } from '../../storage-engine/raft-log-storage.ts';
import { eventually, ProcessCluster, runVstord } from './cluster-harness.ts';

test.serial('three nodes elect a leader; kill -9 of the leader elects another; a full restart keeps the log', async (t) => {
  const cluster = await ProcessCluster.create('lifecycle');
  t.teardown(() => cluster.destroy());
  cluster.startAll();
  const leader = await eventually('a leader all agree on', () => cluster.agreedLeader()).catch((error: Error) => {
    t.log(cluster.logs());
    throw error;
  });
  t.true(['n1', 'n2', 'n3'].includes(leader));
  const before = (await cluster.status(leader))!;
  t.is(before.members.length, 3);

  await cluster.kill(leader);
  const survivors = cluster.nodes.map((n) => n.id).filter((id) => id !== leader);
  const next = await eventually('a new leader', async () => {
    const agreed = await cluster.agreedLeader(survivors);
    return agreed !== undefined && agreed !== leader ? agreed : undefined;
  });
  t.not(next, leader);
  const after = (await cluster.status(next))!;
  t.true(after.term > before.term);

  // Everything down, then up again: the log and term are found on disk.
  for (const id of survivors) await cluster.kill(id);
  cluster.startAll();
  await eventually('a leader after the restart', () => cluster.agreedLeader());
  // A member learns the commit index from the new leader's first round, which may come
  // after the election is agreed: wait (bounded) for n1 to be back where the group was.
  const restarted = await eventually(`n1 to reach commit index ${after.commitIndex} again`, async () => {
    const status = await cluster.status('n1');
    return status !== undefined && status.commitIndex >= after.commitIndex ? status : undefined;
  });
  t.true(restarted.term > after.term, `term ${restarted.term} after ${after.term}`);
  for (const node of cluster.nodes) {
    t.true(existsSync(join(cluster.directory, 'data', node.id, 'wal')), `${node.id} keeps its Raft log in wal/`);
    t.false(existsSync(join(cluster.directory, 'data', node.id, 'raft')), `${node.id} has no raft/ database`);
  }
});

test.serial('a node directory made before the WAL keeps its raft database, across kill -9 and restart', async (t) => {
  const cluster = await ProcessCluster.create('legacy-log');
  t.teardown(() => cluster.destroy());
  // What an older vstord left: the Raft log in a raft/ database (here a new, empty one).
  for (const node of cluster.nodes) {
    const db = await openDatabase({ path: join(cluster.directory, 'data', node.id, 'raft'), engine: 'classic-level' });
    await (await DurableLogStorage.open(db)).close();
    await db.close();
  }
  cluster.startAll();
  await eventually('a leader on the old databases', () => cluster.agreedLeader());
  const before = (await cluster.status('n1'))!;
  for (const node of cluster.nodes) await cluster.kill(node.id);
  cluster.startAll();
  await eventually('a leader after the restart', () => cluster.agreedLeader());
  const after = (await cluster.status('n1'))!;
  t.true(after.term > before.term, `term ${after.term} after ${before.term}: the log was found again`);
  for (const node of cluster.nodes) {
    t.regex(node.output.join(''), /the Raft log is the database of this older data directory/);
    t.false(existsSync(join(cluster.directory, 'data', node.id, 'wal')), `${node.id} made no wal/`);
  }
});

test.serial('SIGTERM on the leader hands leadership over and exits 0', async (t) => {
  const cluster = await ProcessCluster.create('sigterm');
  t.teardown(() => cluster.destroy());
  cluster.startAll();
  const leader = await eventually('a leader', () => cluster.agreedLeader());
  t.is(await cluster.stop(leader), 0);
  const log = cluster.node(leader).output.join('');
  t.regex(log, /handing leadership over before shutdown/);
  t.notRegex(log, /did not complete/);
  const survivors = cluster.nodes.map((n) => n.id).filter((id) => id !== leader);
  const next = await eventually('the successor', () => cluster.agreedLeader(survivors));
  t.not(next, leader);
  // Every log line is JSON with the node and the component.
  for (const line of log.trim().split('\n')) {
    const record = JSON.parse(line) as { node?: string; component?: string };
    t.is(record.node, leader);
    t.truthy(record.component, line);
  }
});

test('bad config and arguments exit with status 2 and one line naming the problem', async (t) => {
  const cluster = await ProcessCluster.create('badconfig');
  t.teardown(() => cluster.destroy());
  const cases: [string, string[], string | null, RegExp][] = [
    ['unknown node', ['--node', 'n9'], null, /^vstord: --node: no node "n9" in the config \(nodes: n1, n2, n3\)\n$/],
    ['missing --node', [], null, /^vstord: --node: is required/],
    ['unknown flag', ['--node', 'n1', '--frobnicate'], null, /^vstord: arguments: Unknown option '--frobnicate'/],
    ['negative duration', ['--node', 'n1'], 'cluster: x\ndataDir: d\nnodes:\n  - { id: n1, grpc: "127.0.0.1:1", peer: "127.0.0.1:4", admin: "127.0.0.1:2", nbd: "127.0.0.1:3" }\nraft:\n  tickIntervalMs: -1\n', /^vstord: raft\.tickIntervalMs: must be at least 1 ms, got -1\n$/],
    ['unknown key', ['--node', 'n1'], 'cluster: x\ndataDir: d\nnodes: []\nextra: 1\n', /^vstord: extra: unknown key/],
    ['a node without peer (written before the peer port)', ['--node', 'n1'], 'cluster: x\ndataDir: d\nnodes:\n  - { id: n1, grpc: "127.0.0.1:1", admin: "127.0.0.1:2", nbd: "127.0.0.1:3" }\n',
      /^vstord: nodes\[0\]\.peer: is required: the host:port the other members send Raft messages to, apart from grpc \(see docs\/operations\.md on upgrading\)\n$/],
    ['duplicate address', ['--node', 'n1'], 'cluster: x\ndataDir: d\nnodes:\n  - { id: n1, grpc: "127.0.0.1:1", peer: "127.0.0.1:4", admin: "127.0.0.1:1", nbd: "127.0.0.1:3" }\n', /^vstord: nodes\[0\]\.admin: duplicate address 127\.0\.0\.1:1/],
  ];
  for (const [name, args, text, expected] of cases) {
    let config = cluster.configPath;
    if (text !== null) {
      config = join(cluster.directory, `${name.replace(/ /g, '-')}.yaml`);
      writeFileSync(config, text);
    }
    const result = runVstord(['--config', config, ...args], cluster.directory);
    t.is(result.status, 2, `${name}: ${result.stderr}`);
    t.regex(result.stderr, expected, name);
    t.is(result.stderr.trim().split('\n').length, 1, `${name}: one line`);
  }
});
