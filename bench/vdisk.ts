// bench/vdisk: fio's nbd engine against a vstor vDisk and, in the same run, against a raw
// file of the same size served by nbdkit's file plugin (issue 5, "vdisk").
//
// A three-node vstord cluster (shipped Raft timing, fsync on) gets one vDisk, owned by the
// node whose NBD address fio connects to, so the I/O is served locally, as a hypervisor
// on that node would see it. Both exports are first written end to end (1 MiB sequential
// writes), so that reads hit data rather than holes. Then each workload runs on vstor and
// right after on nbdkit, `rounds` times, and the round with the median IOPS is kept: the
// machine is shared, and pairing the two systems in time keeps their ratio honest.
//
// Writes are plain NBD writes without FUA on both systems (fio's nbd engine sends none):
// vstor's block batches go to its write-ahead log unsynced, nbdkit's to the page cache.
//
// `npx tsx bench/vdisk.ts [--quick] [--seconds N]` prints the SuiteResult as JSON.

import { mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { VstorClient } from '../rpc/client.ts';
import type { FioJob } from './fio.ts';
import { runFio } from './fio.ts';
import type { BenchCluster } from './local-cluster.ts';
import { startBenchCluster } from './local-cluster.ts';
import type { NbdkitServer } from './nbdkit.ts';
import { startNbdkitFile } from './nbdkit.ts';
import type { BenchRow, BenchStats, SuiteResult } from './suite-types.ts';
import { rounded } from './suite-types.ts';

const KiB = 1024;
const MiB = 1024 * KiB;
const GiB = 1024 * MiB;

export const NBDKIT_ANCHOR = 'nbdkit-file';

interface Workload {
  name: string;
  rw: FioJob['rw'];
  blockBytes: number;
  iodepth: number;
}

export const VDISK_WORKLOADS: readonly Workload[] = [
  { name: '4k-randread', rw: 'randread', blockBytes: 4 * KiB, iodepth: 16 },
  { name: '4k-randwrite', rw: 'randwrite', blockBytes: 4 * KiB, iodepth: 16 },
  { name: '1m-seqread', rw: 'read', blockBytes: 1 * MiB, iodepth: 4 },
  { name: '1m-seqwrite', rw: 'write', blockBytes: 1 * MiB, iodepth: 4 },
];

/** issue 5's targets, as fractions of nbdkit-file's IOPS. */
export const VDISK_TARGETS = { randread: 0.5, randwrite: 0.35 } as const;

export interface VdiskSuiteOptions {
  quick: boolean;
  /** Each workload's run on each system; default 3 s quick, 10 s full. */
  seconds?: number;
  log?: (line: string) => void;
  /** The vDisk's (and raw file's) size; default 256 MiB quick, 1 GiB full. */
  sizeBytes?: number;
  /** Runs per workload and system, the median kept; default 1 quick, 3 full. */
  rounds?: number;
}

interface System {
  name: string;
  uri: string;
}

function median<T>(items: T[], key: (item: T) => number): T {
  const sorted = [...items].sort((a, b) => key(a) - key(b));
  return sorted[Math.floor((sorted.length - 1) / 2)]!;
}

export async function runVdiskSuite(options: VdiskSuiteOptions): Promise<SuiteResult> {
  const seconds = options.seconds ?? (options.quick ? 3 : 10);
  const sizeBytes = options.sizeBytes ?? (options.quick ? 256 * MiB : 1 * GiB);
  const rounds = options.rounds ?? (options.quick ? 1 : 3);
  const log = options.log ?? (() => {});
  const directory = mkdtempSync(join(tmpdir(), 'vstor-bench-vdisk-'));
  let cluster: BenchCluster | undefined;
  let client: VstorClient | undefined;
  let nbdkit: NbdkitServer | undefined;
  try {
    log(`vdisk: starting a 3-node cluster and nbdkit (file plugin) on a ${sizeBytes / MiB} MiB raw file`);
    cluster = await startBenchCluster(3);
    client = new VstorClient({ endpoints: cluster.grpcEndpoints, timeoutMs: 30_000 });
    const owner = (await client.members()).find((member) => member.name === 'n1');
    if (owner === undefined) throw new Error('the benchmark cluster has no member n1');
    await client.vdisks.create('bench', sizeBytes, { node: owner.name });
    const rawPath = join(directory, 'disk.raw');
    writeFileSync(rawPath, new Uint8Array(0));
    truncateSync(rawPath, sizeBytes);
    nbdkit = await startNbdkitFile(rawPath);
    const systems: System[] = [
      { name: 'vstor', uri: `nbd://${owner.nbdAddress}/bench` },
      { name: NBDKIT_ANCHOR, uri: nbdkit.uri },
    ];
    // A pass of 1 MiB writes over the whole export, at tens of MiB/s at worst.
    const passTimeoutMs = 60_000 + (sizeBytes / MiB) * 200;
    const notes: string[] = [];
    for (const system of systems) {
      const started = performance.now();
      await runFio({ name: `prefill-${system.name}`, uri: system.uri, rw: 'write', blockBytes: 1 * MiB, iodepth: 4, timeoutMs: passTimeoutMs });
      const elapsedSeconds = (performance.now() - started) / 1000;
      notes.push(`prefill ${system.name}: ${sizeBytes / MiB} MiB written sequentially in ${elapsedSeconds.toFixed(1)} s (${(sizeBytes / MiB / elapsedSeconds).toFixed(0)} MiB/s)`);
      log(`vdisk: ${notes[notes.length - 1]}`);
    }

    const rows: BenchRow[] = [];
    for (const workload of VDISK_WORKLOADS) {
      const runs = new Map<string, BenchStats[]>(systems.map((system) => [system.name, []]));
      for (let round = 0; round < rounds; round++) {
        for (const system of systems) {
          const stats = await runFio({
            name: `${workload.name}-${system.name}`, uri: system.uri, rw: workload.rw, blockBytes: workload.blockBytes,
            iodepth: workload.iodepth, seconds, timeoutMs: seconds * 1000 + 60_000,
          });
          runs.get(system.name)!.push(stats);
          log(`vdisk: ${workload.name} qd${workload.iodepth} ${system.name}: ${Math.round(stats.opsPerSec)} IOPS, ${stats.mibPerSec!.toFixed(1)} MiB/s, p50 ${stats.p50Ms.toFixed(3)} ms, p99 ${stats.p99Ms.toFixed(3)} ms`);
        }
      }
      for (const system of systems) {
        rows.push({ workload: workload.name, concurrency: workload.iodepth, system: system.name, stats: rounded(median(runs.get(system.name)!, (stats) => stats.opsPerSec)) });
      }
    }

    const find = (workload: string, system: string): BenchStats => rows.find((row) => row.workload === workload && row.system === system)!.stats;
    const ratio = (workload: string): number => find(workload, 'vstor').opsPerSec / find(workload, NBDKIT_ANCHOR).opsPerSec;
    const verdict = (value: number, target: number): string => `${value.toFixed(2)}× (target ≥ ${target}×: ${value >= target ? 'met' : 'not met'})`;
    const readRatio = ratio('4k-randread');
    notes.unshift(
      `4 KiB randread qd16 vstor/nbdkit-file IOPS: ${verdict(readRatio, VDISK_TARGETS.randread)}`,
      `4 KiB randwrite qd16 vstor/nbdkit-file IOPS: ${verdict(ratio('4k-randwrite'), VDISK_TARGETS.randwrite)}`,
      `1 MiB seqread qd4 vstor/nbdkit-file MiB/s: ${ratio('1m-seqread').toFixed(2)}×; 1 MiB seqwrite qd4: ${ratio('1m-seqwrite').toFixed(2)}×`,
      `${sizeBytes / MiB} MiB export, ${seconds} s per run, median of ${rounds} round${rounds === 1 ? '' : 's'}; vstor: 3 nodes, fsync on, served by the owner; writes without FUA on both`,
    );
    return {
      suite: 'vdisk',
      rows,
      headline: {
        vstor: find('4k-randread', 'vstor'),
        anchor: { name: NBDKIT_ANCHOR, ...find('4k-randread', NBDKIT_ANCHOR) },
        ratio: Math.round(readRatio * 1000) / 1000,
      },
      notes,
    };
  } finally {
    client?.close();
    await nbdkit?.stop();
    await cluster?.stop();
    rmSync(directory, { recursive: true, force: true });
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const { values } = parseArgs({ options: { quick: { type: 'boolean', default: false }, seconds: { type: 'string' } }, strict: true });
  const seconds = values.seconds === undefined ? undefined : Number(values.seconds);
  if (seconds !== undefined && !(seconds > 0)) {
    console.error('bench/vdisk: --seconds must be a positive number');
    process.exit(2);
  }
  const result = await runVdiskSuite({ quick: values.quick!, seconds, log: (line) => console.error(line) });
  console.log(JSON.stringify(result));
}
