// The consensus benchmark keeps working: a short run commits entries on every node, and the
// suite reports a row per batch size. This checks behaviour only; the speed is reported by
// `npm run bench`, never asserted here.
import test from 'ava';
import { runConsensusBench, runConsensusSuite } from '../../bench/consensus.ts';

test('a short consensus benchmark run commits entries on all three nodes', (t) => {
  const result = runConsensusBench({ seconds: 0.2, entryBytes: 256, batchEntries: 16, nodes: 3 });
  t.true(result.committedEntries > 0);
  t.is(result.committedEntries % 16, 0, 'whole batches commit');
  t.true(Number.isFinite(result.entriesPerSecond));
});

test('the consensus suite reports a row per batch size and a headline without an anchor', async (t) => {
  const lines: string[] = [];
  const result = await runConsensusSuite({ quick: true, seconds: 0.1, batches: [1, 64], log: (line) => lines.push(line) });
  t.is(result.suite, 'consensus');
  t.deepEqual(result.rows.map((row) => [row.workload, row.concurrency]), [['commit', 1], ['commit', 64]]);
  t.true(result.rows.every((row) => row.vstor.opsPerSec > 0 && row.vstor.p99Ms >= row.vstor.p50Ms));
  t.is(result.headline.anchor, null);
  t.is(result.headline.ratio, null);
  t.is(result.headline.vstor, result.rows[1]!.vstor, 'the headline is the default batch of 64');
  t.is(lines.length, 2);
});
