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
  for (let seed = 1; seed <= 40; seed++) {
    const kind = runSimulation({ seed, nodeCount: 3, steps: 3000, fsyncLies: true }).failure?.kind ?? 'none';
    kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
  }
  t.log(Object.fromEntries(kinds));
  const caughtByCheckers = ['election-safety', 'double-vote', 'log-matching', 'leader-completeness', 'state-machine-safety', 'read-index']
    .reduce((sum, kind) => sum + (kinds.get(kind) ?? 0), 0);
  t.true(caughtByCheckers > 0, 'at least one seed is caught by a safety checker, not only by the core');
  t.true((kinds.get('none') ?? 0) < 40, 'the broken disk does not go unnoticed');
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

test("3 nodes: a durable state machine restarted etcd's way (replaying membership) keeps every property", (t) => {
  // The daemon keeps its model durable with its applied index. Restarting with `applied` at
  // the Raft snapshot and re-applying only the membership changes up to the model's index
  // (no snapshot after each change to hide a mistake) must be as safe as the default.
  const failures: string[] = [];
  for (let seed = 1; seed <= 60; seed++) {
    const result = runSimulation({ seed, nodeCount: 3, steps: 3000, stateMachineMode: 'durable-replay', snapshotAfterConfChange: false });
    if (result.failure !== undefined) {
      failures.push(`seed ${seed}: ${result.failure.message}\n  replay: npm run sim -- --seed ${seed} --state-machine durable-replay --no-conf-snapshots --trace`);
    }
  }
  t.deepEqual(failures, []);
});
