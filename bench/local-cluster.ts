// A throwaway vstord cluster for benchmarks: the integration tests' ProcessCluster (own temp
// directory, free ports, processes stopped by pid), with the shipped default Raft timing so
// that what is measured is what a user runs.

import { defaultRaftTiming } from '../daemon/config.ts';
import { VstorClient } from '../rpc/client.ts';
import { eventually, ProcessCluster } from '../tests/integration/cluster-harness.ts';

/** How long a leadership transfer may take to be seen by every member. */
const LEAD_TIMEOUT_MS = 15_000;
const LEAD_POLL_MS = 100;
const STATUS_TIMEOUT_MS = 2000;

export interface BenchCluster {
  grpcEndpoints: string[];
  adminEndpoints: string[];
  /** The members' process ids, for measuring their CPU time. */
  pids: number[];
  /** Makes member `index` the leader; resolves once every member says so. */
  lead(index: number): Promise<void>;
  stop(): Promise<void>;
}

/** Polls `check` until it answers true; throws naming `what` after `timeoutMs`. */
export async function waitUntil(what: string, check: () => Promise<boolean>, timeoutMs = LEAD_TIMEOUT_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      if (await check()) return;
    } catch (error) {
      last = error;
    }
    if (Date.now() >= deadline) throw new Error(`bench: ${what} within ${timeoutMs} ms${last === undefined ? '' : ` (${String(last)})`}`);
    await new Promise((resolve) => setTimeout(resolve, LEAD_POLL_MS));
  }
}

/** What the member at `admin` says of the Raft group: its term, and the leader it knows. */
export async function memberStatus(admin: string): Promise<{ term: number; leaderRaftId: number }> {
  const response = await fetch(`http://${admin}/status`, { signal: AbortSignal.timeout(STATUS_TIMEOUT_MS) });
  return (await response.json()) as { term: number; leaderRaftId: number };
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
    lead: async (index) => {
      const node = cluster.nodes[index];
      if (node === undefined) throw new Error(`bench: the cluster has no member ${index}`);
      const client = new VstorClient({ endpoints: [node.grpc], timeoutMs: LEAD_TIMEOUT_MS });
      try {
        await client.transferLeadership(node.raftId);
      } finally {
        client.close();
      }
      await waitUntil(`member ${node.id} did not become the leader every member sees`, async () =>
        (await Promise.all(cluster.nodes.map((n) => memberStatus(n.admin)))).every((status) => status.leaderRaftId === node.raftId));
    },
    // Graceful first (SIGTERM, bounded), so that a daemon run with --cpu-prof writes its
    // profile; destroy() then kills whatever is left and removes the directory.
    stop: async () => {
      await Promise.allSettled(cluster.nodes.map((node) => cluster.stop(node.id)));
      await cluster.destroy();
    },
  };
}
