// bench/consensus: the Raft core alone. Three RawNodes on MemoryStorage in one process, no
// I/O: the leader proposes 256-byte entries in batches, every node runs its Ready loop
// (persist to memory, deliver messages, apply, advance), and we count entries committed and
// applied on every node per second. It measures the core's own cost per entry, the ceiling
// for everything built on it.

import type { Message } from '../consensus/index.ts';
import { MemoryStorage, RawNode, SeededRandom } from '../consensus/index.ts';

export interface ConsensusBenchOptions {
  seconds: number;
  entryBytes: number;
  batchEntries: number;
  nodes: number;
}

export interface ConsensusBenchResult {
  committedEntries: number;
  seconds: number;
  entriesPerSecond: number;
  batchEntries: number;
  entryBytes: number;
  nodes: number;
}

export function runConsensusBench(options: ConsensusBenchOptions): ConsensusBenchResult {
  const ids = Array.from({ length: options.nodes }, (_, i) => i + 1);
  const storages = ids.map(() => new MemoryStorage());
  const nodes = ids.map((id, i) => {
    const node = new RawNode({
      id, electionTicks: 10, heartbeatTicks: 1, storage: storages[i]!, random: new SeededRandom(id),
      inflightMessagesMax: 256, messageBytesMax: 1 << 20, uncommittedBytesMax: 256 << 20,
    });
    node.bootstrap(ids);
    return node;
  });
  const appliedIndex = ids.map(() => 0);

  // One pass of every node's Ready loop; returns the messages to deliver.
  const loop = (): Message[] => {
    const outbox: Message[] = [];
    for (let i = 0; i < nodes.length; i++) {
      const node = nodes[i]!;
      while (node.hasReady()) {
        const rd = node.ready();
        if (rd.hardState !== undefined) storages[i]!.setHardState(rd.hardState);
        storages[i]!.append(rd.entries);
        for (const m of rd.messages) outbox.push(m);
        if (rd.committedEntries.length > 0) appliedIndex[i] = rd.committedEntries[rd.committedEntries.length - 1]!.index;
        node.advance();
      }
    }
    return outbox;
  };
  const deliver = (messages: Message[]): void => {
    for (const m of messages) nodes[m.to - 1]!.step(m);
  };
  const settle = (): void => {
    for (let round = 0; round < 100; round++) {
      const outbox = loop();
      if (outbox.length === 0) return;
      deliver(outbox);
    }
  };

  settle(); // apply the bootstrap entries: a node campaigns only with its configuration applied
  nodes[0]!.campaign();
  settle();
  const leader = nodes[0]!;
  if (leader.raft.state !== 'leader') throw new Error('node 1 did not become leader');

  const payloads = Array.from({ length: options.batchEntries }, (_, i) => {
    const data = new Uint8Array(options.entryBytes);
    data.fill(i & 0xff);
    return data;
  });
  const startApplied = Math.min(...appliedIndex);
  const compactEvery = 200_000;
  let lastCompaction = startApplied;
  const started = process.hrtime.bigint();
  const deadline = started + BigInt(Math.round(options.seconds * 1e9));
  let now = started;
  while (now < deadline) {
    // Keep two batches in flight, as a busy daemon's group commit would.
    leader.proposeMany(payloads);
    deliver(loop());
    leader.proposeMany(payloads);
    deliver(loop());
    const applied = Math.min(...appliedIndex);
    if (applied - lastCompaction > compactEvery) {
      // Keep memory flat: a real node snapshots and compacts the same way.
      for (let i = 0; i < nodes.length; i++) storages[i]!.compact(Math.min(appliedIndex[i]!, storages[i]!.lastIndex()));
      lastCompaction = applied;
    }
    now = process.hrtime.bigint();
  }
  settle();
  const elapsedSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  const committedEntries = Math.min(...appliedIndex) - startApplied;
  return {
    committedEntries,
    seconds: elapsedSeconds,
    entriesPerSecond: committedEntries / elapsedSeconds,
    batchEntries: options.batchEntries,
    entryBytes: options.entryBytes,
    nodes: options.nodes,
  };
}
