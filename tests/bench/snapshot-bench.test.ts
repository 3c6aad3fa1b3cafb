// `npm run bench -- --suite snapshot --quick --json` keeps working end to end: it starts a
// vstord cluster, times snapshot creates with the vDisks' owner leading and then following
// (leadership moved between the two), fetches diffs, prints the JSON headline last, and
// leaves no process behind. Behaviour only: the figures are whatever this machine gives.

import test from 'ava';
import { processesWith, runBench } from './run-bench.ts';

test('the snapshot suite times creates with the owner leading and following, prints its headline last and stops what it started', async (t) => {
  const result = await runBench(['--suite', 'snapshot', '--quick', '--json']);
  t.is(result.code, 0, result.stderr);
  const lines = result.stdout.trim().split('\n');
  const headline = JSON.parse(lines[lines.length - 1]!) as Record<string, unknown>;
  t.deepEqual(Object.keys(headline), ['suite', 'vstor', 'anchor', 'ratio']);
  t.is(headline['suite'], 'snapshot');
  t.is(headline['anchor'], null);
  t.is(headline['ratio'], null);
  const vstor = headline['vstor'] as Record<string, number>;
  t.true(vstor['opsPerSec']! > 0 && vstor['p50Ms']! > 0 && vstor['p99Ms']! >= vstor['p50Ms']!);
  for (const disk of ['snap-1g', 'snap-1t']) {
    for (const owner of ['leading', 'following']) t.regex(result.stderr, new RegExp(`snapshot: ${disk}: create with the owner ${owner}: p50 `));
    // The suite checks each diff's block count itself and fails the run on a wrong one.
    t.regex(result.stderr, new RegExp(`snapshot: ${disk}: diff of 1000 blocks p50 `));
  }
  t.deepEqual(processesWith(`bench-${result.pid}`), []);
});
