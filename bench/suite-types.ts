// What every benchmark suite returns to the runner (bench/run.ts): every measurement as a
// row, one headline pair (vstor and its anchor, measured in the same run) and one-line
// notes. Latencies are in milliseconds; opsPerSec is what the suite counts as one operation
// (an fio I/O, a snapshot create, a KV write).

export interface BenchStats {
  opsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  mibPerSec?: number;
}

export interface BenchRow {
  workload: string;
  concurrency: number;
  /** 'vstor' or the anchor's name. */
  system: string;
  stats: BenchStats;
}

export interface SuiteResult {
  suite: string;
  /** Every measurement, vstor and anchor. */
  rows: BenchRow[];
  headline: { vstor: BenchStats; anchor: (BenchStats & { name: string }) | null; ratio: number | null };
  /** One-line facts worth printing (a target met or not, what was measured how). */
  notes: string[];
}

/** The value at `fraction` (0..1) of an ascending array; 0 for an empty one. */
export function percentile(sorted: ArrayLike<number>, fraction: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))]!;
}

/** Latencies in ms → p50/p99, with opsPerSec the inverse of the median (one at a time). */
export function latencyStats(samplesMs: readonly number[]): BenchStats {
  const sorted = Float64Array.from(samplesMs).sort();
  const p50Ms = percentile(sorted, 0.5);
  return { opsPerSec: p50Ms > 0 ? 1000 / p50Ms : 0, p50Ms, p99Ms: percentile(sorted, 0.99) };
}

/** Rounds for printing: 3 significant decimals on latencies, whole ops. */
export function rounded(stats: BenchStats): BenchStats {
  const ms = (value: number): number => Math.round(value * 1000) / 1000;
  return {
    opsPerSec: Math.round(stats.opsPerSec),
    p50Ms: ms(stats.p50Ms),
    p99Ms: ms(stats.p99Ms),
    ...(stats.mibPerSec === undefined ? {} : { mibPerSec: Math.round(stats.mibPerSec * 10) / 10 }),
  };
}
