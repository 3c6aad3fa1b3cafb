// Proves, by seeded simulation of three-node clusters (TigerBeetle's VOPR style: one PRNG
// drives the network, crashes and the disk), that the Raft core keeps election safety, one
// vote per term, log matching, leader completeness, state machine safety and linearizable
// ReadIndex through crashes (also inside the Raft loop), lost unsynced writes, partitions,
// message loss, duplication and reordering, compaction, membership changes and leadership
// transfers; that a healed cluster commits again within twenty election timeouts; that the
// checkers catch a deliberately broken disk; and that a seed replays exactly.
// Five-node clusters are in sim-five-nodes.test.ts, so that ava runs both on two cores.

import test from 'ava';
import { runSimulation } from './cluster.ts';
import { sweepSeeds } from './sweep.ts';

test('3 nodes: seeds 1-100 keep every property', (t) => sweepSeeds(t, 1, 100, 3));
test('3 nodes: seeds 101-200 keep every property', (t) => sweepSeeds(t, 101, 100, 3));
test('3 nodes: seeds 201-300 keep every property', (t) => sweepSeeds(t, 201, 100, 3));

test('a disk whose fsync lies is caught by the checkers', (t) => {
  // Lost votes and lost acknowledged entries must surface as violations: the core's own
  // assertions catch some ("was the log lost?"), the simulator's checkers the rest.
  const kinds = new Map<string, number>();
  for (let seed = 1; seed <= 100; seed++) {
    for (const nodeCount of [3, 5]) {
      const kind = runSimulation({ seed, nodeCount, steps: 3000, fsyncLies: true }).failure?.kind ?? 'none';
      kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
    }
  }
  t.log(Object.fromEntries(kinds));
  const caughtByCheckers = ['election-safety', 'double-vote', 'log-matching', 'leader-completeness', 'state-machine-safety', 'read-index']
    .reduce((sum, kind) => sum + (kinds.get(kind) ?? 0), 0);
  t.true(caughtByCheckers > 0, 'at least one seed is caught by a safety checker, not only by the core');
  t.true((kinds.get('none') ?? 0) < 150, 'the broken disk does not go unnoticed');
});

test('a seed replays exactly: same trace, same result', (t) => {
  const run = (seed: number) => {
    const lines: string[] = [];
    const result = runSimulation({ seed, nodeCount: 5, steps: 1500, onTrace: (line) => lines.push(line) });
    return { lines, result };
  };
  const first = run(4242);
  const second = run(4242);
  t.true(first.lines.length > 1000);
  t.deepEqual(second.lines, first.lines);
  t.deepEqual(second.result, first.result);
  t.notDeepEqual(run(4243).result.traceDigest, first.result.traceDigest, 'another seed takes another path');
});

for (const stateMachineMode of ['durable-applied', 'durable-replay'] as const) {
  test(`3 and 5 nodes: a durable state machine restarted ${stateMachineMode} stays safe`, (t) => {
    // The daemon keeps its model durable with its applied index and restarts with `applied`
    // there ('durable-applied'); etcd restarts at the snapshot and replays membership only
    // ('durable-replay'). Either must be as safe as the default, even without a snapshot
    // after each membership change to hide a mistake. (Without those snapshots some seeds
    // lose liveness to the known limitation tested below, so this test asserts safety.)
    const failures: string[] = [];
    for (let seed = 1; seed <= 30; seed++) {
      for (const nodeCount of [3, 5]) {
        const result = runSimulation({ seed, nodeCount, steps: 3000, stateMachineMode, snapshotAfterConfChange: false });
        if (result.failure !== undefined && result.failure.kind !== 'liveness') {
          failures.push(`seed ${seed}: ${result.failure.message}\n  replay: npm run sim -- --seed ${seed} --nodes ${nodeCount} --state-machine ${stateMachineMode} --no-conf-snapshots --trace`);
        }
      }
    }
    t.deepEqual(failures, []);
  });
}

// Seeds that once exposed core defects, kept as regressions.

test('a member added after the leader\'s last Raft snapshot catches up when a snapshot follows each membership change', (t) => {
  // A member refuses a snapshot whose ConfState predates it (raft.ts restore()), so the
  // application takes a snapshot after every membership change, as the daemon's Raft loop
  // does. Seed 59 is the run where, without that, the new member never caught up.
  const result = runSimulation({ seed: 59, nodeCount: 3, steps: 3000, snapshotAfterConfChange: true });
  t.is(result.failure?.message, undefined);
});

test('a proposal forwarded back to the node it started on is accepted there', (t) => {
  // n3 proposes and forwards to its leader n1; n1 has lost the leadership to n3 meanwhile
  // and forwards the proposal on, unchanged, to n3. A forwarded proposal names its origin,
  // so step() must accept from === its own id for it.
  const result = runSimulation({ seed: 679, nodeCount: 3, steps: 3000, dropForwardedToOrigin: false });
  t.is(result.failure?.message, undefined);
});

test('the core never writes to a message it was given to step', (t) => {
  // stepFollower once forwarded a proposal (or a ReadIndex or TransferLeader) by setting
  // m.to on the caller's object; the simulator delivers frozen objects to catch that.
  const result = runSimulation({ seed: 16, nodeCount: 5, steps: 3000, freezeDeliveredMessages: true });
  t.is(result.failure?.message, undefined);
});
