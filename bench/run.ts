// `npm run bench -- [--suite consensus] [--quick] [--json]`: runs the benchmark suites and
// prints their results. Suites that need the daemon (kv, vdisk, snapshot) join as they land.

import { parseArgs } from 'node:util';
import { runConsensusBench } from './consensus.ts';
import { runKvBench } from './kv.ts';

const { values } = parseArgs({
  options: {
    suite: { type: 'string', default: 'consensus' },
    quick: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
    seconds: { type: 'string' },
    batch: { type: 'string', default: '64' },
  },
  strict: true,
});

const suites = ['consensus', 'kv'];
if (!suites.includes(values.suite!)) {
  console.error(`bench: unknown suite '${values.suite}'; available: ${suites.join(', ')}`);
  process.exit(2);
}
const seconds = values.seconds !== undefined ? Number(values.seconds) : values.quick ? 2 : 10;
const batchEntries = Number(values.batch);
if (!(seconds > 0) || !Number.isInteger(batchEntries) || batchEntries <= 0) {
  console.error('bench: --seconds must be positive and --batch a positive integer');
  process.exit(2);
}

if (values.suite === 'kv') {
  const results = await runKvBench({ seconds: values.seconds !== undefined ? seconds : values.quick ? 3 : 10, levels: [1, 64, 256] });
  if (!values.json) {
    console.log('kv: 3-node vstord cluster on loopback, fsync on, 256-byte values, sequential writes per client');
    for (const r of results) {
      console.log(`  ${String(r.clients).padStart(3)} clients: ${Math.round(r.opsPerSec)} writes/s  p50 ${r.p50Ms.toFixed(2)} ms  p99 ${r.p99Ms.toFixed(2)} ms`);
    }
  }
  const top = results[results.length - 1]!;
  console.log(JSON.stringify({ suite: 'kv', vstor: { opsPerSec: Math.round(top.opsPerSec), p50Ms: top.p50Ms, p99Ms: top.p99Ms }, levels: results }));
} else {
  // Warm up the JIT on a short run first, so that the measured run is steady state.
  runConsensusBench({ seconds: Math.min(1, seconds / 4), entryBytes: 256, batchEntries, nodes: 3 });
  const result = runConsensusBench({ seconds, entryBytes: 256, batchEntries, nodes: 3 });
  if (!values.json) {
    console.log(`consensus: ${result.nodes} nodes in memory, ${result.entryBytes}-byte entries, batches of ${result.batchEntries}`);
    console.log(`  committed ${result.committedEntries} entries in ${result.seconds.toFixed(2)} s: ${Math.round(result.entriesPerSecond)} entries/s`);
  }
  console.log(JSON.stringify({ suite: 'consensus', vstor: { opsPerSec: Math.round(result.entriesPerSecond) }, ...result }));
}
