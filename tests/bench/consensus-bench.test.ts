// The consensus benchmark keeps working: a short run commits entries on every node. This
// checks behaviour only; the speed is reported by `npm run bench`, never asserted here.
import test from 'ava';
import { runConsensusBench } from '../../bench/consensus.ts';

test('a short consensus benchmark run commits entries on all three nodes', (t) => {
  const result = runConsensusBench({ seconds: 0.2, entryBytes: 256, batchEntries: 16, nodes: 3 });
  t.true(result.committedEntries > 0);
  t.is(result.committedEntries % 16, 0, 'whole batches commit');
  t.true(Number.isFinite(result.entriesPerSecond));
});
