// Every benchmark suite the bench command knows, in the order `npm run bench` runs them.
// kv and consensus are Suites of their own; vdisk and snapshot report per-system rows
// (bench/suite-types.ts: one row per workload and system, fio's and nbdkit's among them),
// which fromSystemRows pairs into the report's rows of vstor beside its anchor.

import { consensusSuite } from './consensus.ts';
import { kvSuite } from './kv.ts';
import { runSnapshotSuite } from './snapshot.ts';
import type { BenchStats, SuiteResult as SystemRowsResult } from './suite-types.ts';
import type { Measurement, Suite, SuiteResult, SuiteRow } from './suite.ts';
import { runVdiskSuite } from './vdisk.ts';

function measurement(stats: BenchStats): Measurement {
  return { opsPerSec: stats.opsPerSec, p50Ms: stats.p50Ms, p99Ms: stats.p99Ms };
}

/** Rows per system → rows of vstor beside the anchor, in the order the workloads ran. */
export function fromSystemRows(result: SystemRowsResult, text: { description: string; unit: string; label: string }): SuiteResult {
  const rows: SuiteRow[] = [];
  const anchorName = result.headline.anchor?.name;
  for (const row of result.rows) {
    if (row.system !== 'vstor') continue;
    const anchor = result.rows.find((other) => other.system !== 'vstor' && other.workload === row.workload && other.concurrency === row.concurrency);
    rows.push({ workload: row.workload, concurrency: row.concurrency, vstor: measurement(row.stats), ...(anchor === undefined ? {} : { anchor: measurement(anchor.stats) }) });
  }
  const { vstor, anchor, ratio } = result.headline;
  return {
    suite: result.suite,
    description: [text.description, ...result.notes.map((note) => `${note[0]!.toUpperCase()}${note.slice(1)}.`)].join(' '),
    ...(anchorName === undefined ? {} : { anchorName }),
    unit: text.unit,
    rows,
    headline: { label: text.label, vstor: measurement(vstor), anchor: anchor === null ? null : { name: anchor.name, ...measurement(anchor) }, ratio },
  };
}

const vdiskSuite: Suite = {
  name: 'vdisk',
  run: async (options) => fromSystemRows(await runVdiskSuite({ quick: options.quick, ...(options.seconds === undefined ? {} : { seconds: options.seconds }), log: options.log }), {
    description: "fio's nbd engine against a vDisk on a three-node vstord cluster (fsync on), and in the same run against a raw file of the same size served by nbdkit's file plugin: 4 KiB random read and write at queue depth 16, 1 MiB sequential read and write at queue depth 4. Concurrency is fio's queue depth.",
    unit: 'IOPS',
    label: '4 KiB random read at queue depth 16',
  }),
};

const snapshotSuite: Suite = {
  name: 'snapshot',
  run: async (options) => fromSystemRows(await runSnapshotSuite({ quick: options.quick, log: options.log }), {
    description: 'Snapshot create (client to reply, through the Raft model with fsync) and the diff of 1,000 changed blocks between two snapshots, on a 1 GiB and a 1 TiB thin vDisk with data written; both must be flat in the disk size. ops/s is 1000 / p50. No anchor: the target of issue 5 is snapshot create under 5 ms.',
    unit: 'ops/s',
    label: 'snapshot create on 1 TiB',
  }),
};

export const suites: readonly Suite[] = [consensusSuite, kvSuite, vdiskSuite, snapshotSuite];

export function suiteNamed(name: string): Suite | undefined {
  return suites.find((suite) => suite.name === name);
}
