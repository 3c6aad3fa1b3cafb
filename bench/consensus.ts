// bench/consensus: the Raft core alone. Three RawNodes on MemoryStorage in one process, no
// I/O: the leader proposes 256-byte entries in batches, every node runs its Ready loop
// (persist to memory, deliver messages, apply, advance), and we count entries committed and
// applied on every node per second. It measures the core's own cost per entry, the ceiling
// for everything built on it.

import type { Message } from '../consensus/index.ts';
import { MemoryStorage, RawNode, SeededRandom } from '../consensus/index.ts';
import { percentile } from './load.ts';
import type { Suite, SuiteOptions, SuiteResult, SuiteRow } from './suite.ts';

export interface ConsensusBenchOptions {
  seconds: number;
  entryBytes: number;
  batchEntries: number;
  nodes: number;
}

export interface ConsensusBenchResult {
  committedEntries: number;
  /** Round trips of the loop below (two batches proposed, all messages delivered), in ms:
   * about the time from proposing a batch to its commit on every node. */
  roundP50Ms: number;
  roundP99Ms: number;
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
  const rounds: number[] = [];
  while (now < deadline) {
    const roundStarted = now;
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
    rounds.push(Number(now - roundStarted) / 1e6);
  }
  settle();
  const elapsedSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  const committedEntries = Math.min(...appliedIndex) - startApplied;
  const sortedRounds = Float64Array.from(rounds).sort();
  return {
    committedEntries,
    roundP50Ms: percentile(sortedRounds, 0.5),
    roundP99Ms: percentile(sortedRounds, 0.99),
    seconds: elapsedSeconds,
    entriesPerSecond: committedEntries / elapsedSeconds,
    batchEntries: options.batchEntries,
    entryBytes: options.entryBytes,
    nodes: options.nodes,
  };
}

/** Entries per proposal measured by the suite; the headline is the daemon's default, 64. */
export const CONSENSUS_BATCHES: readonly number[] = [1, 16, 64, 256];
const HEADLINE_BATCH_ENTRIES = 64;

export async function runConsensusSuite(options: SuiteOptions & { batches?: readonly number[] }): Promise<SuiteResult> {
  const seconds = options.seconds ?? (options.quick ? 1 : 3);
  const batches = options.batches ?? CONSENSUS_BATCHES;
  const rows: SuiteRow[] = [];
  // Warm up the JIT on a short run first, so that the measured runs are steady state.
  runConsensusBench({ seconds: Math.min(1, seconds / 2), entryBytes: 256, batchEntries: HEADLINE_BATCH_ENTRIES, nodes: 3 });
  for (const batchEntries of batches) {
    const result = runConsensusBench({ seconds, entryBytes: 256, batchEntries, nodes: 3 });
    options.log(`consensus: batches of ${batchEntries}: ${Math.round(result.entriesPerSecond)} entries/s`);
    rows.push({ workload: 'commit', concurrency: batchEntries, vstor: { opsPerSec: result.entriesPerSecond, p50Ms: result.roundP50Ms, p99Ms: result.roundP99Ms } });
    // The loop is synchronous: let timers and I/O of the process run between measurements.
    await new Promise((resolve) => setImmediate(resolve));
  }
  const top = rows.find((row) => row.concurrency === HEADLINE_BATCH_ENTRIES) ?? rows[rows.length - 1]!;
  return {
    suite: 'consensus',
    description:
      'Three RawNodes on MemoryStorage in one process, no I/O: the leader proposes 256-byte entries in batches (two in flight), ' +
      'every node runs its Ready loop, and the figure is entries committed and applied on every node per second. ' +
      'Concurrency is the batch size (entries per proposal); latency is one round of the loop (two batches proposed and committed). ' +
      `No anchor: the target of issue 2 is 100,000 entries/s on 2 cores. ${seconds} s per batch size.`,
    unit: 'entries/s',
    rows,
    headline: { label: `entries committed per second, batches of ${top.concurrency}`, vstor: top.vstor, anchor: null, ratio: null },
  };
}

export const consensusSuite: Suite = { name: 'consensus', run: (options) => runConsensusSuite(options) };
