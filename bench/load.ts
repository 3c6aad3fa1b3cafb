// The closed-loop load generator every suite shares: `workers` loops, each with one
// operation in flight, for a fixed time; a worker starts its next operation when the last
// one answered, so concurrency is the number of workers. Latency is measured per operation
// from call to answer; the summary is throughput and the 50th and 99th percentiles.

export interface Measurement {
  opsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  /** CPU time the servers (every member) spent per operation, where measured. */
  serverCpuMsPerOp?: number;
  /** CPU time the benchmark's own process (the clients) spent per operation. */
  clientCpuMsPerOp?: number;
  /** Raft terms that began during the measurement (elections), where measured: a run
   * with an election has its p99 in seconds and says little about steady state. */
  termsStarted?: number;
}

export interface LoadResult extends Measurement {
  workers: number;
  operations: number;
  seconds: number;
}

/** The `fraction` percentile of ascending latencies (nearest rank); 0 for none. */
export function percentile(sortedMs: Float64Array, fraction: number): number {
  if (sortedMs.length === 0) return 0;
  return sortedMs[Math.min(sortedMs.length - 1, Math.floor(fraction * sortedMs.length))]!;
}

/** The latencies of one or more closed-loop runs, summarized together (summarize()). */
export interface LoadSamples {
  workers: number;
  latenciesMs: number[];
  seconds: number;
}

/**
 * Runs `operation(worker, iteration)` in `workers` closed loops for `seconds`. An operation
 * that fails fails the run: a benchmark that counts errors as answers measures nothing.
 */
export async function closedLoop(
  workers: number,
  seconds: number,
  operation: (worker: number, iteration: number) => Promise<unknown>,
): Promise<LoadResult> {
  return summarize(await closedLoopSamples(workers, seconds, operation));
}

/**
 * closedLoop() without the summary; with `into`, the run's latencies and time are added to
 * those of earlier runs (a measurement taken in slices).
 */
export async function closedLoopSamples(
  workers: number,
  seconds: number,
  operation: (worker: number, iteration: number) => Promise<unknown>,
  into: LoadSamples = { workers, latenciesMs: [], seconds: 0 },
): Promise<LoadSamples> {
  const latencies = into.latenciesMs;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  await Promise.all(Array.from({ length: workers }, async (_, worker) => {
    for (let iteration = 0; performance.now() < deadline; iteration++) {
      const t0 = performance.now();
      await operation(worker, iteration);
      latencies.push(performance.now() - t0);
    }
  }));
  into.seconds += (performance.now() - started) / 1000;
  return into;
}

export function summarize(samples: LoadSamples): LoadResult {
  const sorted = Float64Array.from(samples.latenciesMs).sort();
  return {
    workers: samples.workers,
    operations: sorted.length,
    seconds: samples.seconds,
    opsPerSec: sorted.length / samples.seconds,
    p50Ms: percentile(sorted, 0.5),
    p99Ms: percentile(sorted, 0.99),
  };
}
