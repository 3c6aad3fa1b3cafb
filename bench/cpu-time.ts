// CPU time of processes, read from /proc/<pid>/stat (Linux): on a machine shared with other
// work, wall-clock throughput moves with the load, while the CPU a system spends per
// operation does not, so the suites report both.

import { readFileSync } from 'node:fs';

const CLOCK_TICKS_PER_SECOND = 100;

/** User plus system CPU time of `pid` so far, in ms; undefined when it cannot be read. */
export function processCpuMs(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    // The command name (field 2) may hold spaces; the fields after it are space-separated.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const userTicks = Number(fields[11]);
    const systemTicks = Number(fields[12]);
    return ((userTicks + systemTicks) * 1000) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

/** The CPU ms `pids` together spent while `work` ran, with its result. */
export async function measureCpu<T>(pids: readonly number[], work: () => Promise<T>): Promise<{ result: T; cpuMs: number | undefined }> {
  const before = pids.map(processCpuMs);
  const result = await work();
  const after = pids.map(processCpuMs);
  let cpuMs: number | undefined = 0;
  for (let i = 0; i < pids.length; i++) {
    if (before[i] === undefined || after[i] === undefined) cpuMs = undefined;
    else if (cpuMs !== undefined) cpuMs += after[i]! - before[i]!;
  }
  return { result, cpuMs };
}
