// The admin endpoint over real HTTP on loopback: health and readiness follow the Raft state,
// /status reports role, term, leader and per-member lag, and /metrics is accepted by
// Prometheus's own checker (promtool), with the vstor_* metrics the operator guide names.
import test from 'ava';
import type { ExecutionContext } from 'ava';
import { spawnSync } from 'node:child_process';
import { SeededRandom } from '../../consensus/index.ts';
import { AdminServer } from '../../daemon/admin.ts';
import type { AdminSource, StatusDocument } from '../../daemon/admin.ts';
import { Metrics } from '../../daemon/metrics.ts';
import { RaftLoop } from '../../daemon/raft-loop.ts';
import { AsyncMemoryLog, LoopbackTransport, MapStateMachine } from './loop-fixtures.ts';

async function startCluster(t: ExecutionContext) {
  const network = new Map<number, LoopbackTransport>();
  const nodes = [1, 2, 3].map((id) => {
    const log = new AsyncMemoryLog();
    const transport = new LoopbackTransport(id, network);
    const loop = new RaftLoop({
      raft: { id, electionTicks: 10, heartbeatTicks: 1, random: new SeededRandom(id), preVote: true, checkQuorum: true },
      storage: log, stateMachine: new MapStateMachine(), transport, tickIntervalMs: 5, snapshotEntries: 1000,
      compactRetainEntries: 10, requestsPendingMax: 100, requestTimeoutMs: 2000, commitNoticeDelayMs: 2,
    });
    transport.loops.set(id, loop);
    loop.bootstrap([1, 2, 3]);
    return { id, loop, log };
  });
  t.teardown(() => Promise.all(nodes.map((n) => n.loop.stop())));
  return nodes;
}

function adminFor(node: { id: number; loop: RaftLoop; log: AsyncMemoryLog }, serving: () => boolean): { source: AdminSource; metrics: Metrics } {
  const source: AdminSource = {
    nodeId: `n${node.id}`, raftId: node.id, cluster: 'test',
    status: () => node.loop.status(),
    members: () => [1, 2, 3].map((id) => ({ id: `n${id}`, raftId: id, grpc: `127.0.0.1:${7100 + id}` })),
    serving,
  };
  const metrics = new Metrics({ status: () => node.loop.status(), logEntries: () => node.log.lastIndex() - node.log.firstIndex() + 1 }, { node: `n${node.id}`, cluster: 'test' });
  return { source, metrics };
}

async function until(what: string, probe: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

test('healthz, readyz, status and metrics follow the Raft state', async (t) => {
  const nodes = await startCluster(t);
  let serving = true;
  const { source, metrics } = adminFor(nodes[0]!, () => serving);
  const loopObserver = metrics.raftObserver();
  t.truthy(loopObserver.persisted);
  const admin = new AdminServer(source, metrics);
  const address = await admin.listen('127.0.0.1', 0);
  t.teardown(() => admin.close());
  const url = (path: string): string => `http://127.0.0.1:${address.port}${path}`;

  t.is((await fetch(url('/healthz'))).status, 200);
  const notReady = await fetch(url('/readyz'));
  t.is(notReady.status, 503, 'not ready before any node has started');
  // Bootstrapped but not started: no leader, and the bootstrap entries are not yet applied.
  t.deepEqual(((await notReady.json()) as { reasons: string[] }).reasons, ['no leader known', 'applied 0 < commit 3']);

  for (const n of nodes) n.loop.start();
  await until('ready', async () => (await fetch(url('/readyz'))).status === 200);

  const leader = nodes.find((n) => n.loop.status().softState.state === 'leader')!;
  await leader.loop.propose(new TextEncoder().encode('k=v'));
  const leaderAdmin = new AdminServer(...Object.values(adminFor(leader, () => true)) as [AdminSource, Metrics]);
  const leaderAddress = await leaderAdmin.listen('127.0.0.1', 0);
  t.teardown(() => leaderAdmin.close());
  const status = (await (await fetch(`http://127.0.0.1:${leaderAddress.port}/status`)).json()) as StatusDocument;
  t.is(status.role, 'leader');
  t.is(status.leader, `n${leader.id}`);
  t.true(status.term >= 2);
  t.true(status.commitIndex >= 5, `commit ${status.commitIndex}`);
  t.is(status.members.length, 3);
  for (const member of status.members) {
    t.true(member.voter);
    t.is(typeof member.matchIndex, 'number', 'the leader knows every match index');
    t.true(member.lag! >= 0);
  }

  serving = false;
  const draining = await fetch(url('/readyz'));
  t.is(draining.status, 503);
  t.regex(JSON.stringify(await draining.json()), /not serving/);

  t.is((await fetch(url('/nope'))).status, 404);
  t.is((await fetch(url('/status'), { method: 'POST' })).status, 405);

  const response = await fetch(url('/metrics'));
  t.regex(response.headers.get('content-type') ?? '', /text\/plain/);
  const text = await response.text();
  for (const name of ['vstor_raft_term', 'vstor_raft_commit_index', 'vstor_raft_applied_index', 'vstor_raft_is_leader',
    'vstor_raft_leader_changes_total', 'vstor_raft_proposals_total', 'vstor_raft_fsync_duration_seconds_bucket',
    'vstor_raft_log_entries', 'vstor_raft_snapshots_total', 'vstor_process_cpu_seconds_total', 'vstor_nodejs_active_resources']) {
    t.regex(text, new RegExp(`^${name}`, 'm'), name);
  }
  t.regex(text, /^vstor_raft_has_leader\{[^}]*node="n1"[^}]*\} 1$/m);

  // Prometheus's own checker must accept the exposition (naming, help, types, units).
  const check = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8', timeout: 20_000 });
  t.is(check.error, undefined, 'promtool must be installed (Debian package prometheus; .ci/run installs it)');
  t.is(check.status, 0, `promtool check metrics: ${check.stdout}${check.stderr}`);
});

test('vDisk I/O bytes are summed per operation and exported as vstor_vdisk_io_bytes_total', async (t) => {
  // The observer adds plain numbers on every I/O; the counter reads them when scraped.
  const nodes = await startCluster(t);
  const { metrics } = adminFor(nodes[0]!, () => true);
  const observer = metrics.vdiskObserver();
  observer.ioBytes('read', 4096);
  observer.ioBytes('read', 512);
  observer.ioBytes('write', 8192);
  const first = await metrics.text();
  t.regex(first, /^vstor_vdisk_io_bytes_total\{op="read"[^}]*\} 4608$/m);
  t.regex(first, /^vstor_vdisk_io_bytes_total\{op="write"[^}]*\} 8192$/m);
  t.notRegex(first, /^vstor_vdisk_io_bytes_total\{op="trim"/m, 'no series for an operation that never ran');
  observer.ioBytes('trim', 1 << 20);
  observer.ioBytes('read', 4096);
  const second = await metrics.text();
  t.regex(second, /^vstor_vdisk_io_bytes_total\{op="read"[^}]*\} 8704$/m, 'a counter, not reset by a scrape');
  t.regex(second, /^vstor_vdisk_io_bytes_total\{op="trim"[^}]*\} 1048576$/m);
});
