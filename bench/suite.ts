// What a benchmark suite is to the bench command (bench/run.ts): a name, a run() that starts
// and stops everything it needs, and a result the command can print as JSON, tabulate in
// docs/BENCHMARKS.md and draw as an SVG chart. A suite measures vstor and, where there is
// one, an anchor (another system doing the same work on the same machine in the same run:
// etcd for kv, nbdkit for vdisk); the headline is the one figure the suite's target is about
// and the ratio vstor / anchor in throughput.
//
// Adding a suite is: implement Suite in bench/<name>.ts and list it in bench/suites.ts.

import type { Measurement } from './load.ts';

export type { Measurement } from './load.ts';

export interface SuiteOptions {
  /** A brief run (seconds per measurement shorter, fewer repeats). */
  quick: boolean;
  /** Seconds per measurement, overriding the suite's default for quick or full. */
  seconds?: number;
  /** false: measure vstor alone, without starting the anchor. Default true. */
  anchor?: boolean;
  /** Progress lines for a person watching; suites never print on their own. */
  log(line: string): void;
}

/** One measured configuration: a workload at one concurrency, on vstor and the anchor. */
export interface SuiteRow {
  workload: string;
  concurrency: number;
  vstor: Measurement;
  /** Undefined when the suite has no anchor or the anchor cannot run this workload. */
  anchor?: Measurement;
}

export interface Headline {
  /** What the headline measures, e.g. "writes at 256 clients". */
  label: string;
  vstor: Measurement;
  /** null: the suite has no anchor in this run. A fixed target (not measured) is an anchor
   * whose name says so. */
  anchor: (Measurement & { name: string }) | null;
  /** vstor opsPerSec / anchor opsPerSec, or null without an anchor. */
  ratio: number | null;
}

export interface SuiteResult {
  suite: string;
  /** One paragraph on what was run, for the report. */
  description: string;
  /** The anchor's name and version as run ("etcd 3.4.23"), or undefined. */
  anchorName?: string;
  /** The unit of opsPerSec in this suite ("writes/s", "entries/s"). */
  unit: string;
  rows: SuiteRow[];
  headline: Headline;
}

export interface Suite {
  name: string;
  run(options: SuiteOptions): Promise<SuiteResult>;
}

/** The JSON line `--json` ends with (issue 5's shape). */
export function headlineJson(result: SuiteResult): string {
  const round = (m: Measurement): Measurement => ({
    opsPerSec: Math.round(m.opsPerSec),
    p50Ms: Number(m.p50Ms.toFixed(3)),
    p99Ms: Number(m.p99Ms.toFixed(3)),
  });
  const { anchor } = result.headline;
  return JSON.stringify({
    suite: result.suite,
    vstor: round(result.headline.vstor),
    anchor: anchor === null ? null : { name: anchor.name, ...round(anchor) },
    ratio: result.headline.ratio === null ? null : Number(result.headline.ratio.toFixed(3)),
  });
}
