// bench/kv: writes against a real three-node vstord cluster on loopback (fsync on), through
// the client library, with 256-byte values at 1, 64 and 256 concurrent clients. Each client
// writes sequentially (one write in flight per client, as VstorClient does), so concurrency
// is the number of clients. Reports writes/s and latency percentiles per level.

import { VstorClient } from '../rpc/client.ts';
import { startBenchCluster } from './local-cluster.ts';

export interface LatencySummary {
  clients: number;
  operations: number;
  seconds: number;
  opsPerSec: number;
  p50Ms: number;
  p99Ms: number;
}

export function percentile(sortedMs: Float64Array, fraction: number): number {
  if (sortedMs.length === 0) return 0;
  return sortedMs[Math.min(sortedMs.length - 1, Math.floor(fraction * sortedMs.length))]!;
}

async function writeLoad(endpoints: string[], clients: number, seconds: number): Promise<LatencySummary> {
  const value = Buffer.alloc(256, 0x61);
  const pool = Array.from({ length: clients }, (_, i) => new VstorClient({ endpoints: [endpoints[i % endpoints.length]!, ...endpoints], timeoutMs: 30_000 }));
  // Warm every connection before measuring.
  await Promise.all(pool.map((client, i) => client.put(`warm/${i}`, value)));
  const latencies: number[] = [];
  const started = performance.now();
  const deadline = started + seconds * 1000;
  await Promise.all(pool.map(async (client, c) => {
    for (let i = 0; performance.now() < deadline; i++) {
      const t0 = performance.now();
      await client.put(`bench/${c}/${i % 1000}`, value);
      latencies.push(performance.now() - t0);
    }
  }));
  const elapsed = (performance.now() - started) / 1000;
  for (const client of pool) client.close();
  const sorted = Float64Array.from(latencies).sort();
  return { clients, operations: latencies.length, seconds: elapsed, opsPerSec: latencies.length / elapsed, p50Ms: percentile(sorted, 0.5), p99Ms: percentile(sorted, 0.99) };
}

export async function runKvBench(options: { seconds: number; levels: number[] }): Promise<LatencySummary[]> {
  const cluster = await startBenchCluster(3);
  try {
    const results: LatencySummary[] = [];
    for (const clients of options.levels) results.push(await writeLoad(cluster.grpcEndpoints, clients, options.seconds));
    return results;
  } finally {
    await cluster.stop();
  }
}
