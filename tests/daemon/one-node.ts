// A real one-member VstorNode on its own temporary directory, opened and led by itself,
// closed and removed when the test ends: for daemon behaviour that needs no peers.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExecutionContext } from 'ava';
import { pino } from 'pino';
import { parseClusterConfig } from '../../daemon/config.ts';
import { VstorNode } from '../../daemon/node.ts';

/** `extraNodes`: more `nodes:` entries of cluster.yaml (YAML lines), members in name only. */
export async function oneNode(t: ExecutionContext, extraNodes = ''): Promise<VstorNode> {
  const directory = await mkdtemp(join(tmpdir(), 'vstor-node-'));
  const config = parseClusterConfig(`
cluster: members
dataDir: ${directory}
nodes:
  - { id: n1, grpc: "127.0.0.1:9001", peer: "127.0.0.1:9301", admin: "127.0.0.1:9101", nbd: "127.0.0.1:9201" }
${extraNodes}raft:
  tickIntervalMs: 10
`, directory);
  const node = new VstorNode({ config, self: config.nodes[0]!, join: false, logger: pino({ level: 'silent' }), requestTimeoutMs: 5_000 });
  await node.open();
  t.teardown(async () => {
    await node.close();
    await rm(directory, { recursive: true, force: true });
  });
  const deadline = Date.now() + 5_000;
  while (node.raftStatus().softState.state !== 'leader') {
    if (Date.now() > deadline) throw new Error('n1 did not become leader within 5 s');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return node;
}
