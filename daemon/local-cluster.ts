// `npm start`: the local cluster of cluster.yaml, one vstord process per node. Prints each
// node's endpoints, prefixes every log line with the node's name, and on Ctrl-C (or SIGTERM)
// asks every node to shut down gracefully and waits for them. Data lives under the config's
// dataDir (./data), so starting again finds it.

import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ConfigError, formatHostPort, loadClusterConfig } from './config.ts';

const { values } = parseArgs({ options: { config: { type: 'string', default: 'cluster.yaml' } }, strict: true });
let config;
try {
  config = loadClusterConfig(values.config);
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  process.stderr.write(`vstor: ${values.config}: ${error.message}\n`);
  process.exit(2);
}

const vstord = fileURLToPath(new URL('../bin/vstord.js', import.meta.url));
console.log(`vstor: starting cluster ${config.cluster} (${config.nodes.length} nodes, data in ${config.dataDir})`);
for (const node of config.nodes) {
  console.log(`  ${node.id}  grpc ${formatHostPort(node.grpc)}  peer ${formatHostPort(node.peer)}  admin http://${formatHostPort(node.admin)}  nbd ${formatHostPort(node.nbd)}`);
}
console.log(`Try: npx vstorctl cluster status    (Ctrl-C stops the cluster)`);

const children = new Map<string, ChildProcess>();
let stopping = false;
for (const node of config.nodes) {
  const child = spawn(process.execPath, [vstord, '--config', values.config, '--node', node.id], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.set(node.id, child);
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream }).on('line', (line) => process.stdout.write(`${node.id} | ${line}\n`));
  }
  child.on('exit', (code, signal) => {
    children.delete(node.id);
    if (!stopping) console.log(`vstor: ${node.id} exited (${signal ?? `status ${code}`})`);
    if (children.size === 0) process.exit(stopping ? 0 : 1);
  });
}

const stop = (): void => {
  if (stopping) return;
  stopping = true;
  console.log('vstor: stopping the cluster');
  for (const child of children.values()) child.kill('SIGTERM');
  // A node that does not stop in time is killed: the bound keeps Ctrl-C responsive.
  setTimeout(() => {
    for (const child of children.values()) child.kill('SIGKILL');
  }, 15_000).unref();
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
