// bench/kv: a three-node vstor cluster and a three-node etcd cluster (the anchor), both on
// loopback with fsync on, started by the suite and driven by the same closed-loop load
// generator: 256-byte values, 1, 64 and 256 concurrent clients, writes (put) and
// linearizable reads (get). vstor is driven through its client library (one VstorClient per
// client, which has one write in flight at a time), etcd through the etcd3 npm client (one
// Etcd3 per client). Client i starts at member i mod 3 on both, so followers take their
// share and forward to the leader.
//
// Where the leader is decides what a lone client measures: through a follower a write
// crosses two more one-way hops (the forwarded proposal, the commit notice back) than at
// the leader, on either system. Left to elections, the leader was the lone client's member
// in about one run in three, on each system independently, so a 1-client comparison could
// set vstor at a follower against etcd at its leader. Before every measurement both
// clusters are therefore given the same leader, member 0 (the lone client's member), and
// the 1-client workloads are measured once more with member 1 leading ("via follower"
// rows), so that both placements are compared like with like.
//
// Noise: the machine may be busy with other work, and how busy drifts within seconds, so
// each measurement is cut into slices taken in turn on vstor and on etcd, and the ratio is
// what to compare across runs.

import { Etcd3 } from 'etcd3';
import { VstorClient } from '../rpc/client.ts';
import type { EtcdCluster } from './etcd-cluster.ts';
import { etcdVersion, startEtcdCluster } from './etcd-cluster.ts';
import type { LoadResult, LoadSamples } from './load.ts';
import { closedLoop, closedLoopSamples, summarize } from './load.ts';
import { measureCpu } from './cpu-time.ts';
import type { BenchCluster } from './local-cluster.ts';
import { memberStatus, startBenchCluster, waitUntil } from './local-cluster.ts';
import type { Suite, SuiteOptions, SuiteResult, SuiteRow } from './suite.ts';

export const KV_LEVELS: readonly number[] = [1, 64, 256];
const VALUE_BYTES = 256;
/** Keys each client cycles through, so the key space stays bounded however long the run. */
const KEYS_PER_CLIENT = 1000;
/** Keys the read workload reads, written before it starts. */
const READ_KEYS = 256;

export type KvWorkload = 'write' | 'read';

/** How long a member may take to say its Raft term. */
const STATUS_TIMEOUT_MS = 2000;

/** How long etcd's MoveLeader may take to answer. */
const ETCD_MOVE_LEADER_TIMEOUT_MS = 15_000;

/** The highest of the terms the members answer with; members that fail are left out. */
async function highestTerm(terms: Promise<number>[]): Promise<number | undefined> {
  const answered = (await Promise.allSettled(terms)).flatMap((outcome) => (outcome.status === 'fulfilled' && Number.isSafeInteger(outcome.value) ? [outcome.value] : []));
  return answered.length === 0 ? undefined : Math.max(...answered);
}

/** One system under load: a set of clients, each used by one worker of the load loop. */
interface KvClients {
  put(client: number, key: string, value: Buffer): Promise<unknown>;
  get(client: number, key: string): Promise<unknown>;
  close(): void;
}

interface KvSystem {
  name: string;
  /** The server processes, whose CPU time is measured. */
  pids: readonly number[];
  /** The highest Raft term any member reports, or undefined if none answers. */
  term(): Promise<number | undefined>;
  /** Makes member `index` (the member client `index` starts at) the leader, as every member sees it. */
  lead(index: number): Promise<void>;
  clients(count: number): KvClients;
  stop(): Promise<void>;
}

function vstorSystem(cluster: BenchCluster): KvSystem {
  const endpoints = cluster.grpcEndpoints;
  return {
    name: 'vstor',
    pids: cluster.pids,
    term: () => highestTerm(cluster.adminEndpoints.map(async (admin) => (await memberStatus(admin)).term)),
    lead: (index) => cluster.lead(index),
    clients(count) {
      const pool = Array.from({ length: count }, (_, i) => new VstorClient({ endpoints: [endpoints[i % endpoints.length]!, ...endpoints], timeoutMs: 30_000 }));
      return {
        put: (c, key, value) => pool[c]!.put(key, value),
        get: (c, key) => pool[c]!.get(key),
        close: () => pool.forEach((client) => client.close()),
      };
    },
    stop: () => cluster.stop(),
  };
}

/** etcd's JSON gateway for Maintenance.Status; 64-bit fields come as strings. */
async function etcdStatus(endpoint: string): Promise<{ header: { member_id: string }; leader: string; raftTerm: string }> {
  const response = await fetch(`http://${endpoint}/v3/maintenance/status`, { method: 'POST', body: '{}', signal: AbortSignal.timeout(STATUS_TIMEOUT_MS) });
  return (await response.json()) as { header: { member_id: string }; leader: string; raftTerm: string };
}

function etcdSystem(cluster: EtcdCluster): KvSystem {
  const endpoints = cluster.clientEndpoints;
  return {
    name: 'etcd',
    pids: cluster.pids,
    term: () => highestTerm(endpoints.map(async (endpoint) => Number((await etcdStatus(endpoint)).raftTerm))),
    async lead(index) {
      const statuses = await Promise.all(endpoints.map(etcdStatus));
      const target = statuses[index]!.header.member_id;
      const leader = statuses.findIndex((answer) => answer.header.member_id === answer.leader);
      if (leader !== index) {
        // Maintenance.MoveLeader, which only the leader serves.
        if (leader < 0) throw new Error('bench kv: no etcd member says it leads');
        const response = await fetch(`http://${endpoints[leader]}/v3/maintenance/transfer-leadership`, {
          method: 'POST', body: JSON.stringify({ targetID: target }), signal: AbortSignal.timeout(ETCD_MOVE_LEADER_TIMEOUT_MS),
        });
        if (!response.ok) throw new Error(`bench kv: etcd refused to move the leader to member ${index}: ${response.status} ${await response.text()}`);
      }
      await waitUntil(`etcd member ${index} did not become the leader every member sees`, async () =>
        (await Promise.all(endpoints.map(etcdStatus))).every((answer) => answer.leader === target));
    },
    clients(count) {
      const pool = Array.from({ length: count }, (_, i) => new Etcd3({ hosts: `http://${endpoints[i % endpoints.length]}` }));
      return {
        put: (c, key, value) => pool[c]!.put(key).value(value).exec(),
        get: (c, key) => pool[c]!.get(key).buffer(),
        close: () => pool.forEach((client) => client.close()),
      };
    },
    stop: () => cluster.stop(),
  };
}

/** One system's side of a measurement taken in slices: its clients and what was summed. */
interface Measuring {
  system: KvSystem;
  pool: KvClients;
  run(forSeconds: number, into?: LoadSamples): Promise<LoadSamples>;
  samples: LoadSamples;
  serverCpuMs: number | undefined;
  clientCpuMs: number;
  termBefore: number | undefined;
}

/**
 * Measures `workload` at `clients` on every system, `seconds` each, cut into `slices` taken
 * in turn (vstor, etcd, vstor, etcd, ...), so that a change in what else the machine does
 * falls on both alike; the slices of a system are summarized together.
 */
async function measureTogether(systems: readonly KvSystem[], workload: KvWorkload, clients: number, seconds: number, slices: number): Promise<LoadResult[]> {
  const value = Buffer.alloc(VALUE_BYTES, 0x61);
  const measuring: Measuring[] = [];
  try {
    for (const system of systems) {
      const pool = system.clients(clients);
      const run = (forSeconds: number, into?: LoadSamples): Promise<LoadSamples> => (workload === 'write'
        ? closedLoopSamples(clients, forSeconds, (c, i) => pool.put(c, `bench/${c}/${i % KEYS_PER_CLIENT}`, value), into)
        : closedLoopSamples(clients, forSeconds, (c, i) => pool.get(c, `read/${(c + i) % READ_KEYS}`), into));
      measuring.push({ system, pool, run, samples: { workers: clients, latenciesMs: [], seconds: 0 }, serverCpuMs: 0, clientCpuMs: 0, termBefore: undefined });
    }
    for (const side of measuring) {
      // The first call of each client opens its connection; it is not measured.
      await Promise.all(Array.from({ length: clients }, (_, c) => side.pool.put(c, `warm/${c}`, value)));
      // Then the same workload briefly, unmeasured, on both systems alike: the daemons' JIT
      // compiles the paths of each concurrency as it first meets them (a Go server has no
      // such warm-up), and the first row would otherwise measure compilation.
      await side.run(Math.min(WARM_SECONDS_MAX, seconds / 5));
      side.termBefore = await side.system.term();
    }
    for (let slice = 0; slice < slices; slice++) {
      for (const side of measuring) {
        const clientCpuBefore = process.cpuUsage();
        const { cpuMs } = await measureCpu(side.system.pids, () => side.run(seconds / slices, side.samples));
        const clientCpu = process.cpuUsage(clientCpuBefore);
        side.clientCpuMs += (clientCpu.user + clientCpu.system) / 1000;
        side.serverCpuMs = side.serverCpuMs === undefined || cpuMs === undefined ? undefined : side.serverCpuMs + cpuMs;
      }
    }
    const results: LoadResult[] = [];
    for (const side of measuring) {
      const result = summarize(side.samples);
      const termAfter = await side.system.term();
      results.push({
        ...result,
        ...(side.termBefore === undefined || termAfter === undefined ? {} : { termsStarted: termAfter - side.termBefore }),
        ...(side.serverCpuMs === undefined ? {} : { serverCpuMsPerOp: side.serverCpuMs / result.operations }),
        clientCpuMsPerOp: side.clientCpuMs / result.operations,
      });
    }
    return results;
  } finally {
    for (const side of measuring) side.pool.close();
  }
}

/** Slices a measurement is cut into (measureTogether()). */
const SLICES = 4;

/** The longest unmeasured run of a workload before it is measured. */
const WARM_SECONDS_MAX = 2;

/** Writes the keys the read workload reads, and warms the servers up (unmeasured). */
async function prepare(system: KvSystem, warmSeconds: number): Promise<void> {
  const writers = 16;
  const pool = system.clients(writers);
  try {
    const value = Buffer.alloc(VALUE_BYTES, 0x62);
    await Promise.all(Array.from({ length: writers }, async (_, c) => {
      for (let i = c; i < READ_KEYS; i += writers) await pool.put(c, `read/${i}`, value);
    }));
    await closedLoop(writers, warmSeconds, (c, i) => pool.put(c, `warm/${c}/${i % 100}`, value));
  } finally {
    pool.close();
  }
}

export interface KvSuiteOptions extends SuiteOptions {
  levels?: readonly number[];
  workloads?: readonly KvWorkload[];
}

export async function runKvSuite(options: KvSuiteOptions): Promise<SuiteResult> {
  const seconds = options.seconds ?? (options.quick ? 2 : 10);
  const levels = options.levels ?? KV_LEVELS;
  const workloads = options.workloads ?? ['write', 'read'];
  const withAnchor = options.anchor ?? true;
  const version = withAnchor ? etcdVersion() : undefined;
  if (withAnchor && version === undefined) throw new Error('bench kv: etcd is not installed (apt-get install etcd-server); --no-anchor measures vstor alone');
  const systems: KvSystem[] = [];
  try {
    options.log('kv: starting a 3-node vstor cluster');
    systems.push(vstorSystem(await startBenchCluster(3)));
    if (withAnchor) {
      options.log(`kv: starting a 3-node etcd ${version} cluster`);
      systems.push(etcdSystem(await startEtcdCluster(3)));
    }
    for (const system of systems) await prepare(system, Math.min(1, seconds));
    const rows: SuiteRow[] = [];
    const measure = async (workload: KvWorkload, clients: number, leader: number, label: string): Promise<void> => {
      // The same leader on both systems (module comment).
      await Promise.all(systems.map((system) => system.lead(leader)));
      const [vstor, anchor] = await measureTogether(systems, workload, clients, seconds, SLICES) as [LoadResult, LoadResult | undefined];
      options.log(`kv: ${label} ${clients} clients: vstor ${describe(vstor)}${anchor === undefined ? '' : `; etcd ${describe(anchor)}`}`);
      rows.push({ workload: label, concurrency: clients, vstor, ...(anchor === undefined ? {} : { anchor }) });
    };
    for (const workload of workloads) {
      for (const clients of levels) await measure(workload, clients, 0, workload);
      if (levels.includes(1)) await measure(workload, 1, 1, `${workload} via follower`);
    }
    const top = rows.find((row) => row.workload === 'write' && row.concurrency === Math.max(...levels)) ?? rows[rows.length - 1]!;
    return {
      suite: 'kv',
      description:
        'A three-node vstord cluster and a three-node etcd cluster on loopback, both with fsync on, started by the benchmark. ' +
        `Closed-loop clients (one request in flight each) write ${VALUE_BYTES}-byte values (put) or read them (linearizable get); ` +
        'vstor through VstorClient, etcd through the etcd3 npm client, one client object per client, client i at member i mod 3. ' +
        'Before each measurement both clusters are made to have the same leader, member 0, where the lone client of the 1-client rows talks; ' +
        'the "via follower" rows measure that client again with member 1 leading. ' +
        `Each measurement is ${seconds} s per system, taken in ${SLICES} slices in turn (vstor, etcd, vstor, ...) so that both see the machine alike, ` +
        `after ${Math.min(WARM_SECONDS_MAX, seconds / 5)} s of the same workload unmeasured on each.`,
      ...(version === undefined ? {} : { anchorName: `etcd ${version}` }),
      unit: 'ops/s',
      rows,
      headline: {
        label: `${top.workload}s at ${top.concurrency} clients`,
        vstor: top.vstor,
        anchor: top.anchor === undefined ? null : { name: 'etcd', ...top.anchor },
        ratio: top.anchor === undefined ? null : top.vstor.opsPerSec / top.anchor.opsPerSec,
      },
    };
  } finally {
    await Promise.allSettled(systems.map((system) => system.stop()));
  }
}

function describe(result: LoadResult): string {
  const cpu = result.serverCpuMsPerOp === undefined ? '' : ` cpu ${result.serverCpuMsPerOp.toFixed(2)}+${result.clientCpuMsPerOp!.toFixed(2)} ms/op`;
  const elections = result.termsStarted === undefined || result.termsStarted === 0 ? '' : ` (${result.termsStarted} election${result.termsStarted === 1 ? '' : 's'})`;
  return `${Math.round(result.opsPerSec)}/s p50 ${result.p50Ms.toFixed(1)} ms p99 ${result.p99Ms.toFixed(1)} ms${cpu}${elections}`;
}

export const kvSuite: Suite = { name: 'kv', run: (options) => runKvSuite(options) };
