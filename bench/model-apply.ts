// The KV model's apply path alone: a KvStateMachine on a real classic-level in a temporary
// directory, fed committed put entries in batches the way the Raft loop feeds it (one
// applyMany per Ready, results handed to `decided` before the batch is written). It reports
// the CPU time of this process per applied put (user + system, every thread: the event
// loop, LevelDB's thread pool and its compaction), the wall time, and how many LevelDB
// operations the model's batches hold per put. The CPU time is also given for the main
// thread alone (the model's JS), which LevelDB's background compaction does not blur. On a
// machine shared with other work the CPU time per put is the figure to compare; wall time
// moves with the load.
//
// Each batch size gets its own database, warmed up untimed until the watch history is full
// and every client has a session, so that the timed rounds see the steady state of a busy
// model: every put replaces a key (the event keeps its previous value), trims the oldest
// event and updates its client's session. `--evict` uses a new client for every put, so
// that every put also evicts the least recently seen session. `--fresh-keys` gives every put
// a key never written before (as creating objects does, and as the 1-client cluster bench
// does), so that every put reads its key from the database rather than the key cache.
//
// `npx tsx bench/model-apply.ts [--batch-sizes 1,16,128] [--puts 8192] [--rounds 5]
//  [--keys 10000] [--clients 256] [--value-bytes 256] [--history 10000] [--evict] [--fresh-keys]
//  [--profile out.cpuprofile] [--json]`

import { ClassicLevel } from 'classic-level';
import { readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { encodeWriteRequest } from '../storage-engine/model/codec.ts';
import type { ModelEntryInput } from '../storage-engine/model/kv-state-machine.ts';
import { KvStateMachine } from '../storage-engine/model/kv-state-machine.ts';
import type { ModelBatchOperation, ModelChainedBatch, ModelDatabase, ModelIterator, ModelKeyIterator, ModelRangeOptions } from '../storage-engine/model/model-database.ts';

const { values: options } = parseArgs({
  options: {
    'batch-sizes': { type: 'string', default: '1,16,128' },
    puts: { type: 'string', default: '8192' },
    rounds: { type: 'string', default: '5' },
    keys: { type: 'string', default: '10000' },
    clients: { type: 'string', default: '256' },
    'value-bytes': { type: 'string', default: '256' },
    history: { type: 'string', default: '10000' },
    evict: { type: 'boolean', default: false },
    'fresh-keys': { type: 'boolean', default: false },
    profile: { type: 'string' },
    json: { type: 'boolean', default: false },
  },
});

function positive(name: string, text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < 1) throw new Error(`--${name} must be a positive integer, got ${text}`);
  return value;
}

const batchSizes = options['batch-sizes'].split(',').map((text) => positive('batch-sizes', text));
const putCount = positive('puts', options.puts);
const roundCount = positive('rounds', options.rounds);
const keyCount = positive('keys', options.keys);
const clientCount = positive('clients', options.clients);
const valueBytes = positive('value-bytes', options['value-bytes']);
const historyEventsMax = positive('history', options.history);
const clientsMax = options.evict ? clientCount : 10_000;

interface RoundResult {
  cpuUsPerPut: number;
  /** The part of cpuUsPerPut spent on the main thread (JS); the rest is LevelDB's threads. */
  mainThreadCpuUsPerPut: number;
  wallUsPerPut: number;
}

const CLOCK_TICKS_PER_SECOND = 100;

/** The CPU time of this process's main thread so far, in µs (Linux, 10 ms resolution). */
function mainThreadCpuUs(): number {
  const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'latin1');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1_000_000) / CLOCK_TICKS_PER_SECOND;
}

interface SizeResult {
  batchEntries: number;
  rounds: RoundResult[];
  cpuUsPerPut: number;
  mainThreadCpuUsPerPut: number;
  wallUsPerPut: number;
  levelOperationsPerPut: number;
  /** Reads that went through LevelDB's thread pool, per put. */
  pooledReadsPerPut: number;
}

/** The model's database with a count of the operations of every batch it writes, whichever
 * way it writes them, and of the reads that go through LevelDB's thread pool (get and
 * getMany; getSync reads on the calling thread); every other call goes straight through. */
class CountingDatabase implements ModelDatabase {
  operationCount = 0;
  pooledReadCount = 0;
  readonly supports: object;
  constructor(private readonly inner: ClassicLevel<Uint8Array, Uint8Array>) {
    this.supports = inner.supports;
  }

  open(openOptions: { passive: boolean }): Promise<void> {
    return this.inner.open(openOptions);
  }

  get(key: Uint8Array): Promise<Uint8Array | undefined> {
    this.pooledReadCount++;
    return this.inner.get(key);
  }

  getMany(keys: Uint8Array[]): Promise<(Uint8Array | undefined)[]> {
    this.pooledReadCount++;
    return this.inner.getMany(keys);
  }

  getSync(key: Uint8Array): Uint8Array | undefined {
    return this.inner.getSync(key);
  }

  batch(operations: ModelBatchOperation[], batchOptions?: { sync?: boolean }): Promise<void>;
  batch(): ModelChainedBatch;
  batch(operations?: ModelBatchOperation[], batchOptions?: { sync?: boolean }): Promise<void> | ModelChainedBatch {
    if (operations !== undefined) {
      this.operationCount += operations.length;
      return this.inner.batch(operations, batchOptions ?? {});
    }
    const chained = this.inner.batch();
    return {
      put: (key: Uint8Array, value: Uint8Array) => {
        this.operationCount++;
        return chained.put(key, value);
      },
      del: (key: Uint8Array) => {
        this.operationCount++;
        return chained.del(key);
      },
      write: (writeOptions?: { sync?: boolean }) => chained.write(writeOptions ?? {}),
      close: () => chained.close(),
    };
  }

  iterator(rangeOptions: ModelRangeOptions): ModelIterator {
    return this.inner.iterator(rangeOptions) as unknown as ModelIterator;
  }

  keys(rangeOptions: ModelRangeOptions): ModelKeyIterator {
    return this.inner.keys(rangeOptions) as unknown as ModelKeyIterator;
  }

  clear(rangeOptions: ModelRangeOptions): Promise<void> {
    return this.inner.clear(rangeOptions);
  }
}

/** A seeded stream of put entries: random keys, distinct clients in turn. */
class EntrySource {
  private index = 0;
  private readonly sequences = new Map<string, number>();
  private state = 0x2545f491;
  private readonly value = new Uint8Array(valueBytes).fill(0x76);
  private newClientNumber = 0;

  constructor(firstIndex: number) {
    this.index = firstIndex - 1;
  }

  private nextRandom(): number {
    this.state ^= this.state << 13;
    this.state ^= this.state >>> 17;
    this.state ^= this.state << 5;
    return (this.state >>> 0) / 0x1_0000_0000;
  }

  take(count: number): ModelEntryInput[] {
    const entries: ModelEntryInput[] = [];
    for (let i = 0; i < count; i++) {
      this.index++;
      const clientId = options.evict ? `client-${this.newClientNumber++}` : `client-${this.index % clientCount}`;
      const sequence = (this.sequences.get(clientId) ?? 0) + 1;
      if (!options.evict) this.sequences.set(clientId, sequence);
      const keyNumber = options['fresh-keys'] ? this.index : Math.floor(this.nextRandom() * keyCount);
      const key = new TextEncoder().encode(`/bench/key/${keyNumber}`);
      entries.push({ index: this.index, entryBytes: encodeWriteRequest({ clientId, sequence, command: { type: 'put', key, value: this.value } }) });
    }
    return entries;
  }
}

/** The next `puts` entries cut into batches: encoded before timing, as proposing them is
 * the client's and the leader's cost, not the model's. */
function takeBatches(source: EntrySource, puts: number, batchEntries: number): ModelEntryInput[][] {
  const batches: ModelEntryInput[][] = [];
  for (let done = 0; done < puts; done += batchEntries) batches.push(source.take(Math.min(batchEntries, puts - done)));
  return batches;
}

async function applyAll(model: KvStateMachine, batches: readonly ModelEntryInput[][]): Promise<void> {
  const decided = (): void => {};
  for (const entries of batches) await model.applyMany(entries, { decided });
}

async function measureSize(batchEntries: number, session: Session | undefined): Promise<SizeResult> {
  const directory = await mkdtemp(join(tmpdir(), 'vstor-bench-model-'));
  const level = new ClassicLevel<Uint8Array, Uint8Array>(directory, { keyEncoding: 'view', valueEncoding: 'view' });
  await level.open();
  const counting = new CountingDatabase(level);
  const model = new KvStateMachine({
    db: counting,
    config: { watchHistoryEventsMax: historyEventsMax, writeKeysMax: Math.min(10_000, historyEventsMax), clientsMax },
  });
  await model.open();
  try {
    const source = new EntrySource(1);
    // Untimed: fill the history (so every put trims) and give every client a session.
    await applyAll(model, takeBatches(source, Math.max(historyEventsMax, clientCount, keyCount) + batchEntries * 4, batchEntries));
    const operationsBefore = counting.operationCount;
    const pooledReadsBefore = counting.pooledReadCount;
    const rounds: RoundResult[] = [];
    if (session !== undefined) await session.post('Profiler.start');
    for (let round = 0; round < roundCount; round++) {
      const batches = takeBatches(source, putCount, batchEntries);
      const mainBefore = mainThreadCpuUs();
      const cpuBefore = process.cpuUsage();
      const wallBefore = process.hrtime.bigint();
      await applyAll(model, batches);
      const wallUs = Number(process.hrtime.bigint() - wallBefore) / 1000;
      const cpu = process.cpuUsage(cpuBefore);
      const mainUs = mainThreadCpuUs() - mainBefore;
      rounds.push({ cpuUsPerPut: (cpu.user + cpu.system) / putCount, mainThreadCpuUsPerPut: mainUs / putCount, wallUsPerPut: wallUs / putCount });
    }
    if (session !== undefined && options.profile !== undefined) {
      const { profile } = await session.post('Profiler.stop');
      const path = options.profile.replace(/(\.cpuprofile)?$/, `-k${batchEntries}.cpuprofile`);
      writeFileSync(path, JSON.stringify(profile));
    }
    return {
      batchEntries,
      rounds,
      cpuUsPerPut: median(rounds.map((round) => round.cpuUsPerPut)),
      mainThreadCpuUsPerPut: median(rounds.map((round) => round.mainThreadCpuUsPerPut)),
      wallUsPerPut: median(rounds.map((round) => round.wallUsPerPut)),
      levelOperationsPerPut: (counting.operationCount - operationsBefore) / (putCount * roundCount),
      pooledReadsPerPut: (counting.pooledReadCount - pooledReadsBefore) / (putCount * roundCount),
    };
  } finally {
    await model.close();
    await level.close();
    await rm(directory, { recursive: true, force: true });
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((left, right) => left - right);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

const session = options.profile === undefined ? undefined : new Session();
if (session !== undefined) {
  session.connect();
  await session.post('Profiler.enable');
}
const results: SizeResult[] = [];
for (const batchEntries of batchSizes) {
  const result = await measureSize(batchEntries, session);
  results.push(result);
  if (!options.json) {
    const rounds = result.rounds.map((round) => round.cpuUsPerPut.toFixed(1)).join(' ');
    console.log(
      `batch ${String(batchEntries).padStart(4)}: ${result.cpuUsPerPut.toFixed(1)} µs CPU/put (rounds ${rounds}; ` +
        `main thread ${result.mainThreadCpuUsPerPut.toFixed(1)}), ` +
        `${result.wallUsPerPut.toFixed(1)} µs wall/put, ${result.levelOperationsPerPut.toFixed(2)} LevelDB ops/put, ` +
        `${result.pooledReadsPerPut.toFixed(2)} thread-pool reads/put`,
    );
  }
}
if (options.json) {
  console.log(JSON.stringify({ puts: putCount, rounds: roundCount, keys: keyCount, clients: clientCount, valueBytes, historyEventsMax, evict: options.evict, freshKeys: options['fresh-keys'], results }));
}
session?.disconnect();
