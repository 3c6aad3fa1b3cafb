// Real vstord processes on loopback for multi-process tests. Each cluster gets its own temp
// directory and free ports (asked of the OS, so test files running in parallel do not
// collide), every process is stopped by its own pid in teardown, and every wait is bounded.

import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { StatusDocument } from '../../daemon/admin.ts';
import { freePort, freePorts } from '../support/free-ports.ts';

export { freePort, freePorts };

export const vstordPath = fileURLToPath(new URL('../../bin/vstord.js', import.meta.url));

/**
 * Node options for every vstord this harness starts, from VSTORD_NODE_ARGS (space-separated),
 * for profiling a benchmark's daemons: `VSTORD_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/p'`.
 * Node refuses --cpu-prof in NODE_OPTIONS, hence a variable of our own.
 */
function profilingArgs(): string[] {
  return (process.env['VSTORD_NODE_ARGS'] ?? '').split(' ').filter((arg) => arg !== '');
}


export interface HarnessNode {
  id: string;
  raftId: number;
  grpc: string;
  /** Where the node takes Raft messages from its peers. */
  peer: string;
  admin: string;
  nbd: string;
  process?: ChildProcess;
  /** Everything the process wrote, for diagnosing a failure. */
  output: string[];
}

export interface ClusterOptions {
  nodes?: number;
  raft?: Record<string, number | boolean | string>;
  limits?: Record<string, number>;
  /** vstord's --log-level; output is kept in memory (bounded) for diagnosis. */
  logLevel?: string;
}

export class ProcessCluster {
  readonly directory: string;
  readonly configPath: string;
  readonly nodes: HarnessNode[] = [];

  private logLevel = 'info';

  private constructor(directory: string) {
    this.directory = directory;
    this.configPath = join(directory, 'cluster.yaml');
  }

  static async create(name: string, options: ClusterOptions = {}): Promise<ProcessCluster> {
    const cluster = new ProcessCluster(mkdtempSync(join(tmpdir(), `vstor-${name}-`)));
    cluster.logLevel = options.logLevel ?? 'info';
    const count = options.nodes ?? 3;
    // Every port in one call, so that the OS hands none out twice.
    const ports = await freePorts(count * 4);
    for (let i = 1; i <= count; i++) cluster.nodes.push(loopbackNode(`n${i}`, i, ports.slice((i - 1) * 4, i * 4)));
    cluster.writeConfig(options);
    return cluster;
  }

  writeConfig(options: ClusterOptions = {}): void {
    const lines = [
      `cluster: test-${process.pid}`,
      'dataDir: ./data',
      'nodes:',
      ...this.nodes.map((n) => `  - { id: ${n.id}, grpc: "${n.grpc}", peer: "${n.peer}", admin: "${n.admin}", nbd: "${n.nbd}" }`),
      'raft:',
      // Fast timing for tests unless the caller sets its own (one key each: YAML refuses repeats).
      ...Object.entries({ tickIntervalMs: 50, electionTimeoutTicks: 10, ...options.raft }).map(([k, v]) => `  ${k}: ${v}`),
    ];
    if (options.limits !== undefined) lines.push('limits:', ...Object.entries(options.limits).map(([k, v]) => `  ${k}: ${v}`));
    writeFileSync(this.configPath, lines.join('\n') + '\n');
  }

  node(id: string): HarnessNode {
    const node = this.nodes.find((n) => n.id === id);
    if (node === undefined) throw new Error(`no node ${id}`);
    return node;
  }

  start(id: string, extraArgs: string[] = []): void {
    const node = this.node(id);
    if (node.process !== undefined && node.process.exitCode === null && node.process.signalCode === null) throw new Error(`${id} is already running`);
    const child = spawn(process.execPath, [...profilingArgs(), vstordPath, '--config', this.configPath, '--node', id, '--log-level', this.logLevel, ...extraArgs], {
      cwd: this.directory, stdio: ['ignore', 'pipe', 'pipe'],
    });
    node.process = child;
    const keep = (chunk: Buffer): void => {
      node.output.push(chunk.toString());
      if (node.output.length > 2000) node.output.splice(0, 1000);
    };
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
  }

  startAll(): void {
    for (const node of this.nodes) this.start(node.id);
  }

  /** kill -9: nothing in memory survives, only what was synced to disk. */
  async kill(id: string): Promise<void> {
    await this.signal(id, 'SIGKILL');
  }

  /** SIGTERM, waiting (bounded) for the graceful exit; returns the exit code. */
  async stop(id: string): Promise<number | null> {
    return this.signal(id, 'SIGTERM');
  }

  private async signal(id: string, signal: NodeJS.Signals): Promise<number | null> {
    const child = this.node(id).process;
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return child?.exitCode ?? null;
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill(signal);
    const timeout = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 20_000).unref());
    const outcome = await Promise.race([exited, timeout]);
    if (outcome === 'timeout') {
      child.kill('SIGKILL');
      throw new Error(`${id} did not exit within 20 s of ${signal}`);
    }
    return outcome;
  }

  /** Kills every process still running (by pid) and removes the directory. */
  async destroy(): Promise<void> {
    for (const node of this.nodes) {
      const child = node.process;
      if (child !== undefined && child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        await new Promise((resolve) => child.once('exit', resolve));
      }
    }
    rmSync(this.directory, { recursive: true, force: true });
  }

  async status(id: string): Promise<StatusDocument | undefined> {
    try {
      const response = await fetch(`http://${this.node(id).admin}/status`, { signal: AbortSignal.timeout(2000) });
      return (await response.json()) as StatusDocument;
    } catch {
      return undefined;
    }
  }

  async ready(id: string): Promise<boolean> {
    try {
      return (await fetch(`http://${this.node(id).admin}/readyz`, { signal: AbortSignal.timeout(2000) })).status === 200;
    } catch {
      return false;
    }
  }

  /** The leader every running node agrees on, once they do. */
  async agreedLeader(running = this.nodes.filter((n) => n.process?.exitCode === null && n.process.signalCode === null).map((n) => n.id)): Promise<string | undefined> {
    const statuses = await Promise.all(running.map((id) => this.status(id)));
    if (statuses.some((s) => s === undefined || s.leader === null)) return undefined;
    const leaders = new Set(statuses.map((s) => s!.leader));
    return leaders.size === 1 ? [...leaders][0]! : undefined;
  }

  logs(): string {
    return this.nodes.map((n) => `--- ${n.id}\n${n.output.join('').split('\n').slice(-40).join('\n')}`).join('\n');
  }
}

function loopbackNode(id: string, raftId: number, [grpc, peer, admin, nbd]: number[]): HarnessNode {
  return { id, raftId, grpc: `127.0.0.1:${grpc}`, peer: `127.0.0.1:${peer}`, admin: `127.0.0.1:${admin}`, nbd: `127.0.0.1:${nbd}`, output: [] };
}

/** A node on loopback with free ports of its own (grpc, peer, admin, nbd), in no config yet. */
export async function harnessNode(id: string, raftId: number): Promise<HarnessNode> {
  return loopbackNode(id, raftId, await freePorts(4));
}

/** Polls until `probe` yields a value, or fails after `timeoutMs` with what it waited for. */
export async function eventually<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Runs vstord to completion (for config errors): its exit status and output. */
export function runVstord(args: string[], cwd: string): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [vstordPath, ...args], { cwd, encoding: 'utf8', timeout: 30_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}
