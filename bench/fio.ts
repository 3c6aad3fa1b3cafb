// Runs fio's nbd engine against an NBD URI and reads its JSON report. One job, one
// connection, `iodepth` requests in flight; the report's completion latencies (clat, from
// submission to completion as fio sees it) give p50 and p99. fio is started by pid and
// killed if it outlives its bound, so a hung server cannot hang the benchmark.

import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BenchStats } from './suite-types.ts';

const MiB = 1024 * 1024;

export interface FioJob {
  /** A label for errors and the report. */
  name: string;
  uri: string;
  rw: 'randread' | 'randwrite' | 'read' | 'write';
  blockBytes: number;
  iodepth: number;
  /** Run for this long (time_based); without it, one pass over sizeBytes. */
  seconds?: number;
  /** The span of the export the job touches; default the whole export. */
  sizeBytes?: number;
  /** How long fio may take before it is killed. */
  timeoutMs: number;
}

interface FioDirection {
  iops: number;
  bw_bytes: number;
  clat_ns: { percentile?: Record<string, number>; mean: number };
}

interface FioReport {
  jobs: Array<{ error: number; read: FioDirection; write: FioDirection }>;
}

export function fioArguments(job: FioJob, outputPath: string): string[] {
  const args = [
    `--name=${job.name}`, '--ioengine=nbd', `--uri=${job.uri}`, `--rw=${job.rw}`, `--bs=${job.blockBytes}`,
    `--iodepth=${job.iodepth}`, '--output-format=json', `--output=${outputPath}`,
    // Random offsets cover the whole span, each block at most once per pass (fio's default
    // random map), and the same seed on every system so they see the same offsets.
    '--randrepeat=1', '--randseed=42',
  ];
  if (job.sizeBytes !== undefined) args.push(`--size=${job.sizeBytes}`);
  if (job.seconds !== undefined) args.push(`--runtime=${job.seconds}`, '--time_based');
  return args;
}

export async function runFio(job: FioJob): Promise<BenchStats> {
  const directory = mkdtempSync(join(tmpdir(), 'vstor-fio-'));
  const outputPath = join(directory, 'report.json');
  try {
    const stderr: string[] = [];
    const child = spawn('fio', fioArguments(job, outputPath), { stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr.on('data', (chunk: Buffer) => {
      if (stderr.length < 100) stderr.push(chunk.toString());
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), job.timeoutMs);
    const exit = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (code, signal) => resolve({ code, signal }));
    }).finally(() => clearTimeout(timer));
    if (exit.code !== 0) {
      const why = exit.signal !== null ? `was killed (${exit.signal}; bound ${job.timeoutMs} ms)` : `exited with ${exit.code}`;
      throw new Error(`fio ${job.name} ${why}: ${stderr.join('').trim().slice(0, 2000)}`);
    }
    return parseFioReport(readFileSync(outputPath, 'utf8'), job.rw === 'randread' || job.rw === 'read' ? 'read' : 'write', job.name);
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

/** The stats of one direction of fio's JSON report (fio may print a line before the JSON). */
export function parseFioReport(text: string, direction: 'read' | 'write', name: string): BenchStats {
  const start = text.indexOf('{');
  if (start < 0) throw new Error(`fio ${name}: no JSON report in its output`);
  const report = JSON.parse(text.slice(start)) as FioReport;
  const job = report.jobs[0];
  if (job === undefined) throw new Error(`fio ${name}: the report has no job`);
  if (job.error !== 0) throw new Error(`fio ${name}: the job ended with error ${job.error}`);
  const side = job[direction];
  const percentiles = side.clat_ns.percentile ?? {};
  const ms = (key: string): number => (percentiles[key] ?? side.clat_ns.mean) / 1e6;
  return { opsPerSec: side.iops, p50Ms: ms('50.000000'), p99Ms: ms('99.000000'), mibPerSec: side.bw_bytes / MiB };
}
