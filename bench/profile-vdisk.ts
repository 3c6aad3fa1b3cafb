// Profiles the vDisk I/O path under fio: where a vDisk's owner spends its CPU while fio's
// nbd engine drives one workload against it.
//
// Two members of a three-node cluster run as vstord processes; the third, n1, runs in this
// process, so that the V8 inspector's profiler can be started once the export is prefilled
// and stopped when fio ends: the profile holds the workload and nothing else. n1 owns the
// vDisk and serves fio's connection. The profile is written as a .cpuprofile (open it in
// Chrome DevTools or speedscope for a flame graph) and summarised on stdout: the functions
// with the most self time, and the project's functions with the most total time.
// With --cpu-only it skips the profiler and reports only the owner's CPU time per I/O
// (every thread of the process: event loop, thread pool, LevelDB compaction), which
// compares two builds more steadily than IOPS on a shared machine.
//
// `npx tsx bench/profile-vdisk.ts --workload 4k-randwrite [--seconds 5] [--size-mib 256]
//  [--out profile.cpuprofile] [--cpu-only] [--settle]`
// --settle compacts the owner's block database after the prefill, before timing.

import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { defaultRaftTiming, loadClusterConfig, selectNode } from '../daemon/config.ts';
import { startDaemon } from '../daemon/vstord.ts';
import { VstorClient } from '../rpc/client.ts';
import { eventually, ProcessCluster } from '../tests/integration/cluster-harness.ts';
import { runFio } from './fio.ts';
import { VDISK_WORKLOADS } from './vdisk.ts';

const MiB = 1024 * 1024;

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface BlocksDatabase {
  batch(...args: unknown[]): unknown;
  compactRange(start: Uint8Array, end: Uint8Array): Promise<void>;
  getProperty(name: string): string;
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Self and total sample counts per function, from the profile's call tree. */
export function summariseProfile(profile: CpuProfile, top: number): string[] {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const selfSamples = new Map<number, number>();
  for (const sample of profile.samples) selfSamples.set(sample, (selfSamples.get(sample) ?? 0) + 1);
  const label = (node: ProfileNode): string => {
    const url = node.callFrame.url.replace(/^file:\/\/.*?\/(node_modules|daemon|rpc|storage-engine|consensus|bench|tests)\//, '$1/');
    return `${node.callFrame.functionName || '(anonymous)'} ${url}:${node.callFrame.lineNumber + 1}`;
  };
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  for (const [id, count] of selfSamples) {
    const node = byId.get(id)!;
    self.set(label(node), (self.get(label(node)) ?? 0) + count);
    // Each function counts once per sample, however often it recurses.
    const seen = new Set<string>();
    for (let current: number | undefined = id; current !== undefined; current = parent.get(current)) {
      const name = label(byId.get(current)!);
      if (seen.has(name)) continue;
      seen.add(name);
      total.set(name, (total.get(name) ?? 0) + count);
    }
  }
  const all = profile.samples.length;
  const format = (entries: Map<string, number>, filter: (name: string) => boolean): string[] =>
    [...entries].filter(([name]) => filter(name)).sort((a, b) => b[1] - a[1]).slice(0, top)
      .map(([name, count]) => `${(100 * count / all).toFixed(1).padStart(5)}%  ${name}`);
  return [
    `${all} samples`,
    '-- self time --',
    ...format(self, () => true),
    '-- total time, project code --',
    ...format(total, (name) => /^\S+ (daemon|rpc|storage-engine)\//.test(name)),
  ];
}

/** CPU seconds (user + system) of each of this process's threads, by name and id (Linux). */
function threadCpuSeconds(): Map<string, number> {
  const byName = new Map<string, number>();
  const ticksPerSecond = 100;
  let tasks: string[];
  try {
    tasks = readdirSync('/proc/self/task');
  } catch {
    return byName;
  }
  for (const task of tasks) {
    try {
      const name = readFileSync(`/proc/self/task/${task}/comm`, 'utf8').trim();
      const stat = readFileSync(`/proc/self/task/${task}/stat`, 'utf8');
      // Fields after the parenthesised name: state is field 3, utime 14, stime 15.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const seconds = (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
      const label = task === String(process.pid) ? 'main' : `${name}/${task}`;
      byName.set(label, (byName.get(label) ?? 0) + seconds);
    } catch {
      // The thread ended while we looked.
    }
  }
  return byName;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      workload: { type: 'string', default: '4k-randread' },
      seconds: { type: 'string', default: '5' },
      'size-mib': { type: 'string', default: '256' },
      out: { type: 'string', default: 'vdisk.cpuprofile' },
      top: { type: 'string', default: '30' },
      'cpu-only': { type: 'boolean', default: false },
      settle: { type: 'boolean', default: false },
    },
    strict: true,
  });
  const workload = VDISK_WORKLOADS.find((candidate) => candidate.name === values.workload);
  if (workload === undefined) throw new Error(`unknown workload ${values.workload}; one of ${VDISK_WORKLOADS.map((w) => w.name).join(', ')}`);
  const seconds = Number(values.seconds);
  const sizeBytes = Number(values['size-mib']) * MiB;

  const cluster = await ProcessCluster.create('profile', {
    nodes: 3,
    raft: { tickIntervalMs: defaultRaftTiming.tickIntervalMs, electionTimeoutTicks: defaultRaftTiming.electionTimeoutTicks },
    logLevel: 'warn',
  });
  let shutdown: (() => Promise<void>) | undefined;
  let client: VstorClient | undefined;
  try {
    cluster.start('n2');
    cluster.start('n3');
    const config = loadClusterConfig(cluster.configPath);
    const daemon = await startDaemon(config, selectNode(config, 'n1'), false, pino({ level: 'warn' }));
    shutdown = () => daemon.shutdown('profile done');
    await eventually('every node to be ready', async () => ((await Promise.all(cluster.nodes.map((n) => cluster.ready(n.id)))).every(Boolean) ? true : undefined));
    client = new VstorClient({ endpoints: cluster.nodes.map((n) => n.grpc), timeoutMs: 30_000 });
    await client.vdisks.create('profile', sizeBytes, { node: 'n1' });
    const uri = `nbd://${cluster.node('n1').nbd}/profile`;
    console.error(`prefilling ${sizeBytes / MiB} MiB`);
    await runFio({ name: 'prefill', uri, rw: 'write', blockBytes: MiB, iodepth: 4, timeoutMs: 600_000 });

    // Count the owner's block-database batches during the run: how well writes group.
    const blocks = (daemon.vdisks as unknown as { database?: BlocksDatabase }).database;
    const batches = { count: 0, operations: 0 };
    if (blocks !== undefined) {
      const batch = blocks.batch.bind(blocks) as (...args: unknown[]) => unknown;
      blocks.batch = (...args: unknown[]) => {
        batches.count++;
        const made = batch(...args);
        if (Array.isArray(args[0])) {
          batches.operations += args[0].length;
        } else {
          // A chained batch: count its operations when it is written.
          const chained = made as { length: number; write: (...writeArgs: unknown[]) => Promise<void> };
          const write = chained.write.bind(chained);
          chained.write = (...writeArgs: unknown[]) => {
            batches.operations += chained.length;
            return write(...writeArgs);
          };
        }
        return made;
      };
    }

    // With --settle, the prefill's compaction debt is paid before timing: LevelDB otherwise
    // compacts on a background thread through the first seconds of the workload (and reads
    // trigger seek compactions of the level-0 files), which shares the two cores with the
    // read path being measured.
    if (values.settle && blocks !== undefined) {
      console.error('compacting the block database');
      await blocks.compactRange(new Uint8Array([0]), new Uint8Array(64).fill(0xff));
    }

    // Without --cpu-only, the V8 profiler samples the run (which costs CPU itself).
    const session = values['cpu-only'] ? undefined : new Session();
    session?.connect();
    await session?.post('Profiler.enable');
    await session?.post('Profiler.setSamplingInterval', { interval: 200 });
    await session?.post('Profiler.start');
    const cpuBefore = process.cpuUsage();
    const threadsBefore = threadCpuSeconds();
    const stats = await runFio({ name: workload.name, uri, rw: workload.rw, blockBytes: workload.blockBytes, iodepth: workload.iodepth, seconds, timeoutMs: seconds * 1000 + 60_000 });
    const cpu = process.cpuUsage(cpuBefore);
    const ios = stats.opsPerSec * seconds;
    console.log(`${workload.name} qd${workload.iodepth}: ${Math.round(stats.opsPerSec)} IOPS, p50 ${stats.p50Ms.toFixed(3)} ms, p99 ${stats.p99Ms.toFixed(3)} ms; ` +
      `owner CPU per I/O (all its threads): ${(cpu.user / ios).toFixed(1)} us user, ${(cpu.system / ios).toFixed(1)} us system`);
    const perThread = [...threadCpuSeconds()].map(([name, seconds]) => [name, seconds - (threadsBefore.get(name) ?? 0)] as const)
      .filter(([, seconds]) => seconds > 0).sort((a, b) => b[1] - a[1]);
    console.log(`  by thread, us per I/O: ${perThread.map(([name, seconds]) => `${name} ${(seconds * 1e6 / ios).toFixed(1)}`).join(', ')}`);
    if (session !== undefined) {
      const { profile } = await session.post('Profiler.stop');
      session.disconnect();
      writeFileSync(values.out!, JSON.stringify(profile));
      console.log(`profile in ${resolve(values.out!)}`);
      for (const line of summariseProfile(profile as unknown as CpuProfile, Number(values.top))) console.log(line);
    }
    // The owner's block database after the run: its batches, compactions and their time per level.
    if (blocks !== undefined) {
      console.log(`block database: ${batches.count} batches, ${(batches.operations / Math.max(1, batches.count)).toFixed(1)} operations each`);
      console.log(blocks.getProperty('leveldb.stats'));
    }
  } finally {
    client?.close();
    await shutdown?.();
    await cluster.destroy();
  }
}

await main();
