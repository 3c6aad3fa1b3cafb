// A throwaway vstord cluster for benchmarks: the integration tests' ProcessCluster (own temp
// directory, free ports, processes stopped by pid), with the shipped default Raft timing so
// that what is measured is what a user runs.

import { defaultRaftTiming } from '../daemon/config.ts';
import { eventually, ProcessCluster } from '../tests/integration/cluster-harness.ts';

export interface BenchCluster {
  grpcEndpoints: string[];
  adminEndpoints: string[];
  /** The members' process ids, for measuring their CPU time. */
  pids: number[];
  stop(): Promise<void>;
}

export async function startBenchCluster(nodes = 3): Promise<BenchCluster> {
  // The bench process's pid in the directory name lets a check for leftovers tell this
  // run's members from another run's (tests/bench/kv-bench.test.ts).
  const cluster = await ProcessCluster.create(`bench-${process.pid}`, {
    nodes,
    raft: { tickIntervalMs: defaultRaftTiming.tickIntervalMs, electionTimeoutTicks: defaultRaftTiming.electionTimeoutTicks },
    logLevel: 'warn',
  });
  try {
    cluster.startAll();
    await eventually('every node of the benchmark cluster to be ready',
      async () => ((await Promise.all(cluster.nodes.map((n) => cluster.ready(n.id)))).every(Boolean) ? true : undefined));
  } catch (error) {
    await cluster.destroy();
    throw error;
  }
  return {
    grpcEndpoints: cluster.nodes.map((n) => n.grpc),
    adminEndpoints: cluster.nodes.map((n) => n.admin),
    pids: cluster.nodes.map((n) => n.process!.pid!),
    // Graceful first (SIGTERM, bounded), so that a daemon run with --cpu-prof writes its
    // profile; destroy() then kills whatever is left and removes the directory.
    stop: async () => {
      await Promise.allSettled(cluster.nodes.map((node) => cluster.stop(node.id)));
      await cluster.destroy();
    },
  };
}
