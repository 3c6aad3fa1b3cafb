// Shared by the simulation tests: runs a range of seeds and describes every failure with
// the command that replays it.

import type { ExecutionContext } from 'ava';
import { runSimulation } from './cluster.ts';

/** Chaos steps per seed in the test suite (the CLI's default is the same). */
export const TEST_STEPS = 3000;

export function sweepSeeds(t: ExecutionContext, first: number, count: number, nodeCount: number): void {
  const failures: string[] = [];
  let committed = 0;
  for (let seed = first; seed < first + count; seed++) {
    const result = runSimulation({ seed, nodeCount, steps: TEST_STEPS });
    committed += result.committed;
    if (result.failure === undefined) continue;
    failures.push(`seed ${seed}: ${result.failure.message}\n  replay: npm run sim -- --seed ${seed} --nodes ${nodeCount} --steps ${TEST_STEPS} --trace`);
    if (failures.length === 1) t.log(result.failure.trace.slice(-60).join('\n'));
  }
  t.deepEqual(failures, [], `${failures.length} of ${count} seeds failed`);
  t.true(committed > count * 10, `the cluster made progress: ${committed} entries committed over ${count} seeds`);
}
