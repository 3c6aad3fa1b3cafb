// A throwaway vstord cluster for benchmarks: its own temp directory and free ports, started
// and stopped by the benchmark itself (by pid), leaving nothing behind.

import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePorts } from '../tests/support/free-ports.ts';

const vstord = fileURLToPath(new URL('../bin/vstord.js', import.meta.url));


export interface BenchCluster {
  grpcEndpoints: string[];
  adminEndpoints: string[];
  stop(): Promise<void>;
}

export async function startBenchCluster(nodes = 3): Promise<BenchCluster> {
  const directory = mkdtempSync(join(tmpdir(), 'vstor-bench-'));
  const ports = await freePorts(nodes * 3);
  const lines = ['cluster: bench', 'dataDir: ./data', 'nodes:'];
  for (let i = 0; i < nodes; i++) {
    lines.push(`  - { id: n${i + 1}, grpc: "127.0.0.1:${ports[i * 3]}", admin: "127.0.0.1:${ports[i * 3 + 1]}", nbd: "127.0.0.1:${ports[i * 3 + 2]}" }`);
  }
  writeFileSync(join(directory, 'cluster.yaml'), lines.join('\n') + '\n');
  const children: ChildProcess[] = [];
  for (let i = 0; i < nodes; i++) {
    children.push(spawn(process.execPath, [vstord, '--config', 'cluster.yaml', '--node', `n${i + 1}`, '--log-level', 'warn'], { cwd: directory, stdio: 'ignore' }));
  }
  const adminEndpoints = Array.from({ length: nodes }, (_, i) => `127.0.0.1:${ports[i * 3 + 1]}`);
  const deadline = Date.now() + 60_000;
  for (;;) {
    const ready = await Promise.all(adminEndpoints.map((admin) => fetch(`http://${admin}/readyz`).then((r) => r.status === 200, () => false)));
    if (ready.every(Boolean)) break;
    if (Date.now() > deadline) throw new Error('the benchmark cluster did not become ready within 60 s');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return {
    grpcEndpoints: Array.from({ length: nodes }, (_, i) => `127.0.0.1:${ports[i * 3]}`),
    adminEndpoints,
    async stop() {
      await Promise.all(children.map((child) => new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGKILL');
      })));
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
