// A throwaway three-node etcd cluster on loopback, the kv suite's anchor: Debian's
// etcd-server binary, free ports, its own temp directory, etcd's defaults otherwise (so fsync
// on, heartbeat 100 ms, election 1 s — the same timing vstor ships). stop() kills every
// process it started by pid and removes the directory, so a run leaves nothing behind.

import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePorts } from '../tests/support/free-ports.ts';

export interface EtcdCluster {
  /** host:port of each member's client URL. */
  clientEndpoints: string[];
  version: string;
  /** The members' process ids, for measuring their CPU time. */
  pids: number[];
  stop(): Promise<void>;
}

/** How long the cluster may take to elect a leader and answer /health. */
const READY_TIMEOUT_MS = 30_000;
/** How long a member may take to exit after SIGTERM before it is killed. */
const EXIT_TIMEOUT_MS = 5_000;

/** The etcd binary on PATH and its version, or undefined when etcd is not installed. */
export function etcdVersion(binary = 'etcd'): string | undefined {
  const result = spawnSync(binary, ['--version'], { encoding: 'utf8', timeout: 10_000 });
  if (result.status !== 0) return undefined;
  return /etcd Version: (\S+)/.exec(result.stdout)?.[1];
}

export async function startEtcdCluster(nodes = 3, binary = 'etcd'): Promise<EtcdCluster> {
  const version = etcdVersion(binary);
  if (version === undefined) throw new Error(`bench: '${binary}' is not installed (apt-get install etcd-server)`);
  const directory = mkdtempSync(join(tmpdir(), 'vstor-bench-etcd-'));
  const ports = await freePorts(nodes * 2);
  const members = Array.from({ length: nodes }, (_, i) => ({
    name: `e${i + 1}`,
    client: `127.0.0.1:${ports[i * 2]}`,
    peer: `http://127.0.0.1:${ports[i * 2 + 1]}`,
  }));
  const initialCluster = members.map((m) => `${m.name}=${m.peer}`).join(',');
  const processes: ChildProcess[] = [];
  const output: string[] = [];
  const stop = async (): Promise<void> => {
    await Promise.all(processes.map((child) => stopProcess(child)));
    rmSync(directory, { recursive: true, force: true });
  };
  try {
    for (const member of members) {
      const child = spawn(binary, [
        '--name', member.name,
        '--data-dir', join(directory, member.name),
        '--listen-client-urls', `http://${member.client}`,
        '--advertise-client-urls', `http://${member.client}`,
        '--listen-peer-urls', member.peer,
        '--initial-advertise-peer-urls', member.peer,
        '--initial-cluster', initialCluster,
        '--initial-cluster-state', 'new',
        '--initial-cluster-token', `bench-${process.pid}`,
        '--logger', 'zap',
        '--log-level', 'warn',
      ], { stdio: ['ignore', 'pipe', 'pipe'] });
      processes.push(child);
      const keep = (chunk: Buffer): void => {
        output.push(chunk.toString());
        if (output.length > 200) output.splice(0, 100);
      };
      child.stdout!.on('data', keep);
      child.stderr!.on('data', keep);
    }
    const deadline = Date.now() + READY_TIMEOUT_MS;
    for (const member of members) {
      while (!(await healthy(member.client))) {
        if (processes.some((child) => child.exitCode !== null)) throw new Error(`an etcd member exited:\n${output.join('').slice(-2000)}`);
        if (Date.now() > deadline) throw new Error(`etcd was not healthy within ${READY_TIMEOUT_MS} ms:\n${output.join('').slice(-2000)}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { clientEndpoints: members.map((m) => m.client), version, pids: processes.map((child) => child.pid!), stop };
}

async function healthy(client: string): Promise<boolean> {
  try {
    const response = await fetch(`http://${client}/health`, { signal: AbortSignal.timeout(1000) });
    return response.ok && ((await response.json()) as { health?: string }).health === 'true';
  } catch {
    return false;
  }
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), EXIT_TIMEOUT_MS);
  await exited;
  clearTimeout(timer);
}
