// Proves that applying committed entries in batches (applyMany, one database batch for a
// whole Raft Ready) is indistinguishable from applying them one at a time: for seeded
// random runs of puts, range deletes and txns over a small key space — with retries, stale
// sequences, more clients than the session table holds (evictions), empty and undecodable
// entries, and a watch history small enough to be trimmed inside a batch — two replicas,
// one fed entry by entry and one fed random-sized batches, give the same results, the same
// revisions, the same watch events in the same order, and byte-identical snapshots (keys,
// sessions, stored responses, history and state). A restart of the batched replica finds
// the same state, which the applied index written in the same batch makes so. The key cache
// (record-cache.ts) changes no answer whatever its size, and a restore empties it; nor does
// the way point reads reach the database (getSync on the batched replica, getMany on the
// single one). A failure names its seed; set MODEL_SEED to replay one.

import type { ExecutionContext } from 'ava';
import test from 'ava';
import { SeededRandom } from '../../consensus/random.ts';
import { encodeWriteRequest } from '../../storage-engine/model/codec.ts';
import type { TxnOperation, WriteCommand, WriteRequest } from '../../storage-engine/model/commands.ts';
import { validateWriteRequest } from '../../storage-engine/model/commands.ts';
import type { ModelConfig } from '../../storage-engine/model/config.ts';
import { modelConfig } from '../../storage-engine/model/config.ts';
import { RANGE_END_UNBOUNDED } from '../../storage-engine/model/key-range.ts';
import type { ApplyResult, ModelEntryInput } from '../../storage-engine/model/kv-state-machine.ts';
import { KvStateMachine } from '../../storage-engine/model/kv-state-machine.ts';
import type { Watcher } from '../../storage-engine/model/watch-hub.ts';
import type { ModelDatabase } from '../../storage-engine/model/model-database.ts';
import type { ReadCounts } from './helpers.ts';
import { countingReads, dump, TestDatabase } from './helpers.ts';

const ENTRIES = 600;
const SEEDS = process.env['MODEL_SEED'] !== undefined ? [Number(process.env['MODEL_SEED'])] : [11, 12, 13, 14];

const config: Partial<ModelConfig> = {
  writeKeysMax: 5,
  txnOperationsMax: 3,
  watcherQueueEventsMax: 4096,
  watchHistoryEventsMax: 24,
  clientsMax: 3,
  rangeKeysMax: 50,
  snapshotChunkBytes: 512,
};
const limits = modelConfig(config);

function randomKey(random: SeededRandom): Uint8Array {
  const alphabet = [0x61, 0x62, 0x63, 0x64];
  return Uint8Array.from({ length: 1 + random.nextInt(2) }, () => alphabet[random.nextInt(alphabet.length)]!);
}

function randomOperation(random: SeededRandom): TxnOperation {
  const prevKv = random.chance(0.5);
  if (random.chance(0.65)) {
    const value = Uint8Array.from({ length: random.nextInt(4) }, () => 0x30 + random.nextInt(4));
    return { type: 'put', key: randomKey(random), value, ...(prevKv ? { prevKv } : {}) };
  }
  const shape = random.nextInt(3);
  return {
    type: 'deleteRange',
    key: randomKey(random),
    ...(shape === 1 ? { rangeEnd: randomKey(random) } : shape === 2 ? { rangeEnd: RANGE_END_UNBOUNDED } : {}),
    ...(prevKv ? { prevKv } : {}),
  };
}

function randomCommand(random: SeededRandom): WriteCommand {
  for (;;) {
    const command: WriteCommand = random.chance(0.3)
      ? {
        type: 'txn',
        compare: Array.from({ length: random.nextInt(3) }, () => {
          const key = randomKey(random);
          const result = (['=', '!=', '<', '>'] as const)[random.nextInt(4)]!;
          return random.chance(0.5)
            ? { target: 'version' as const, key, result, version: random.nextInt(3) }
            : { target: 'modRevision' as const, key, result, modRevision: random.nextInt(60) };
        }),
        success: Array.from({ length: random.nextInt(4) }, () => randomOperation(random)),
        failure: Array.from({ length: random.nextInt(3) }, () => randomOperation(random)),
      }
      : randomOperation(random);
    try {
      validateWriteRequest({ clientId: 'x', sequence: 1, command }, limits);
      return command;
    } catch {
      continue;
    }
  }
}

/** A seeded stream of committed entries, as the Raft log would hand them to the model. */
function randomEntries(random: SeededRandom): ModelEntryInput[] {
  const clients = ['c0', 'c1', 'c2', 'c3', 'c4'];
  const sequences = new Map<string, number>();
  const last = new Map<string, WriteRequest>();
  const entries: ModelEntryInput[] = [];
  for (let index = 1; index <= ENTRIES; index++) {
    const roll = random.nextFloat();
    if (roll < 0.05) {
      entries.push({ index, entryBytes: new Uint8Array(0) });
    } else if (roll < 0.08) {
      // A model entry that does not decode: a valid one with a byte too many.
      const bytes = encodeWriteRequest({ clientId: 'c0', sequence: 1, command: randomCommand(random) });
      entries.push({ index, entryBytes: Uint8Array.from([...bytes, 0]) });
    } else if (roll < 0.2 && last.size > 0) {
      // A retry of some client's last request, or an older sequence of it (stale).
      const retried = [...last.values()][random.nextInt(last.size)]!;
      const sequence = random.chance(0.7) || retried.sequence === 1 ? retried.sequence : retried.sequence - 1;
      entries.push({ index, entryBytes: encodeWriteRequest({ ...retried, sequence }) });
    } else {
      const clientId = clients[random.nextInt(clients.length)]!;
      const sequence = (sequences.get(clientId) ?? 0) + 1;
      sequences.set(clientId, sequence);
      const request = { clientId, sequence, command: randomCommand(random) };
      last.set(clientId, request);
      entries.push({ index, entryBytes: encodeWriteRequest(request) });
    }
  }
  return entries;
}

/** Results compared by value: a rejected entry's error by its code and message. */
function comparable(result: ApplyResult): unknown {
  return result.kind === 'rejected' ? { kind: result.kind, index: result.index, code: result.error.code, message: result.error.message } : result;
}

async function openReplica(
  t: ExecutionContext,
  database: TestDatabase,
  name: string,
  overrides: Partial<ModelConfig> = {},
  view: (db: ModelDatabase) => ModelDatabase = (db) => db,
): Promise<KvStateMachine> {
  const model = new KvStateMachine({ db: view(database.sublevel(name)), config: { ...config, ...overrides } });
  await model.open();
  t.teardown(() => model.close());
  return model;
}

async function snapshotBytes(model: KvStateMachine): Promise<string> {
  const snapshot = await model.snapshot();
  const chunks: Buffer[] = [];
  try {
    for await (const chunk of snapshot) chunks.push(Buffer.from(chunk));
  } finally {
    await snapshot.close();
  }
  return Buffer.concat(chunks).toString('hex');
}

/** Every event a watcher has up to the model's revision, one line each. */
async function drain(watcher: Watcher, model: KvStateMachine, into: string[]): Promise<void> {
  while (watcher.position.revision <= model.revision || watcher.queuedEventCount > 0) {
    const next = await watcher.next();
    if (next.done === true) throw new Error(`watcher ended: ${String(watcher.reason)}`);
    for (const event of next.value) {
      const prev = event.prevKv === undefined ? '' : ` prev ${Buffer.from(event.prevKv.value).toString('latin1')}@${event.prevKv.modRevision}`;
      into.push(`${event.type} ${Buffer.from(event.kv.key).toString('latin1')}=${Buffer.from(event.kv.value).toString('latin1')} c${event.kv.createRevision} m${event.kv.modRevision} v${event.kv.version}${prev}`);
    }
  }
}

async function run(t: ExecutionContext, seed: number): Promise<void> {
  const random = new SeededRandom(seed);
  const entries = randomEntries(random);
  // Each replica in a database of its own, so that restarting one leaves the other open.
  let singleCounts: ReadCounts | undefined;
  const single = await openReplica(t, await TestDatabase.create(t, 'apply-single'), 'single', {}, (db) => {
    const counted = countingReads(db, { syncReads: false });
    singleCounts = counted.counts;
    return counted.db;
  });
  const database = await TestDatabase.create(t, 'apply-batched');
  // The batched replica's key cache holds a handful of keys, so it evicts all the time and
  // its entries read the database, while the single replica's holds every key: neither
  // may change an answer.
  // It also clears trimmed events every few (deadEventsMax), where the single replica
  // keeps every trimmed event on disk for this whole run: what is on disk beyond the
  // history must not show in any answer, event or image either.
  const smallCache = { keyCacheBytesMax: 500, deadEventsMax: 7 };
  let batched = await openReplica(t, database, 'batched', smallCache);
  const watch = (model: KvStateMachine, from: number): Watcher =>
    model.watch({ key: Uint8Array.of(0), rangeEnd: RANGE_END_UNBOUNDED, startRevision: from, prevKv: true });
  const singleWatcher = watch(single, 1);
  let batchedWatcher = watch(batched, 1);
  const singleEvents: string[] = [];
  const batchedEvents: string[] = [];

  const singleResults: unknown[] = [];
  for (const entry of entries) singleResults.push(comparable(await single.apply(entry.index, entry.entryBytes)));
  await drain(singleWatcher, single, singleEvents);

  const batchedResults: unknown[] = [];
  let restarted = false;
  for (let start = 0; start < entries.length;) {
    const size = 1 + random.nextInt(random.chance(0.2) ? 60 : 12);
    const chunk = entries.slice(start, start + size);
    // Now and then a batch repeats entries already applied, as a replay after a restart does.
    const replay = start > 0 && random.chance(0.1) ? entries.slice(Math.max(0, start - 3), start) : [];
    const results = await batched.applyMany([...replay, ...chunk]);
    t.deepEqual(results.slice(0, replay.length).map((result) => result.kind), replay.map(() => 'skipped'), `seed ${seed}: replayed entries are skipped`);
    batchedResults.push(...results.slice(replay.length).map(comparable));
    start += chunk.length;
    t.is(batched.appliedIndex, entries[start - 1]!.index, `seed ${seed}: applied index after the batch`);
    if (!restarted && start >= entries.length / 2) {
      // A restart in the middle: the batch's applied index is on disk with its data.
      await drain(batchedWatcher, batched, batchedEvents);
      batchedWatcher.cancel();
      const before = { dump: await dump(batched), image: await snapshotBytes(batched), applied: batched.appliedIndex };
      await batched.close();
      await database.restart();
      batched = await openReplica(t, database, 'batched', smallCache);
      t.deepEqual({ dump: await dump(batched), image: await snapshotBytes(batched), applied: batched.appliedIndex }, before, `seed ${seed}: after restart`);
      batchedWatcher = watch(batched, batched.revision + 1);
      restarted = true;
    }
  }
  await drain(batchedWatcher, batched, batchedEvents);

  t.deepEqual(batchedResults, singleResults, `seed ${seed}: results`);
  t.deepEqual(await dump(batched), await dump(single), `seed ${seed}: keys and revision`);
  t.is(batched.historyStartRevision, single.historyStartRevision, `seed ${seed}: history start`);
  t.is(await snapshotBytes(batched), await snapshotBytes(single), `seed ${seed}: whole image`);
  t.deepEqual(batchedEvents, singleEvents, `seed ${seed}: watch events`);
  // The run exercised what it is meant to.
  const kinds = new Set(singleResults.map((result) => (result as { kind: string; duplicate?: boolean }).kind));
  t.true(kinds.has('noop') && kinds.has('rejected') && kinds.has('response'), `seed ${seed}: result kinds ${[...kinds].join(',')}`);
  t.true(single.historyStartRevision > 1, `seed ${seed}: the history was trimmed`);
  t.true(singleCounts!.pooled > 0 && singleCounts!.sync === 0, `seed ${seed}: the single replica read through getMany`);
}

for (const seed of SEEDS) {
  test(`seed ${seed}: batches of entries apply exactly as single entries do`, (t) => run(t, seed));
}

test('a batch that meets an entry from a newer codec writes the entries before it, then stops', async (t) => {
  const database = await TestDatabase.create(t, 'apply-batch-stop');
  const model = await openReplica(t, database, 'model');
  const put = (index: number, key: string): ModelEntryInput => ({
    index,
    entryBytes: encodeWriteRequest({ clientId: 'c', sequence: index, command: { type: 'put', key: Buffer.from(key), value: Buffer.from('v') } }),
  });
  const newer = put(3, 'z').entryBytes.slice();
  newer[2] = 99; // the codec version byte
  await t.throwsAsync(model.applyMany([put(1, 'a'), put(2, 'b'), { index: 3, entryBytes: newer }, put(4, 'c')]), { message: /entry 3: .*upgrade this replica/ });
  t.is(model.appliedIndex, 2);
  t.deepEqual((await dump(model)).kvs, ['a=v c2 m2 v1', 'b=v c3 m3 v1']);
});

test('applyMany refuses a malformed entry before applying anything', async (t) => {
  const database = await TestDatabase.create(t, 'apply-batch-refuse');
  const model = await openReplica(t, database, 'model');
  await t.throwsAsync(model.applyMany([{ index: 1, entryBytes: new Uint8Array(0) }, { index: 0, entryBytes: new Uint8Array(0) }]), { message: /entries\[1\]\.index/ });
  await t.throwsAsync(model.applyMany([{ index: 1, entryBytes: 'x' as unknown as Uint8Array }]), { message: /entries\[0\]\.entryBytes/ });
  t.is(model.appliedIndex, 0);
});

test('a restore replaces what the key cache holds: the next put sees the restored value', async (t) => {
  const database = await TestDatabase.create(t, 'apply-batch-restore');
  const [a, b] = [await openReplica(t, database, 'a'), await openReplica(t, database, 'b')];
  const put = (index: number, value: string): ModelEntryInput => ({
    index,
    entryBytes: encodeWriteRequest({ clientId: 'c', sequence: index, command: { type: 'put', key: Buffer.from('k'), value: Buffer.from(value), prevKv: true } }),
  });
  // a caches k=a1; b holds k=b1 and b2 at a later index.
  await a.applyMany([put(1, 'a1')]);
  await b.applyMany([put(1, 'b1'), put(2, 'b2')]);
  await a.restore(await b.snapshot());
  const [result] = await a.applyMany([put(3, 'a3')]);
  t.like(result, { kind: 'response', response: { type: 'put' } });
  const prevKv = result!.kind === 'response' && result!.response.type === 'put' ? result!.response.prevKv : undefined;
  t.is(Buffer.from(prevKv!.value).toString(), 'b2');
  t.deepEqual((await dump(a)).kvs, ['k=a3 c2 m4 v3']);
});

test('results are handed out once decided, before the batch is written, and reads after that see them', async (t) => {
  const database = await TestDatabase.create(t, 'apply-batch-decided');
  const model = await openReplica(t, database, 'model');
  const put = (index: number, key: string, value: string): ModelEntryInput => ({
    index,
    entryBytes: encodeWriteRequest({ clientId: 'c', sequence: index, command: { type: 'put', key: Buffer.from(key), value: Buffer.from(value) } }),
  });
  let early: { first: number; results: ApplyResult[]; appliedIndex: number } | undefined;
  let reads: Promise<unknown[]> | undefined;
  const results = await model.applyMany([put(1, 'a', '1'), put(2, 'b', '2')], {
    decided: (first, decided) => {
      early = { first, results: decided, appliedIndex: model.appliedIndex };
      // As an answered client would: read at once, on the next turn.
      reads = Promise.resolve().then(() => Promise.all([model.get(Buffer.from('b')), model.range({ key: Buffer.from('a'), prefix: true })]));
    },
  });
  t.deepEqual(early, { first: 0, results, appliedIndex: 0 }, 'decided before the write landed');
  const [b, range] = (await reads!) as [{ value: Uint8Array } | undefined, { header: { revision: number }; kvs: unknown[] }];
  t.is(Buffer.from(b!.value).toString(), '2');
  t.is(range.header.revision, 3);
  t.is(range.kvs.length, 1);
  t.is(model.appliedIndex, 2);
});

test('point reads of the apply path use getSync where the database has it, getMany where not', async (t) => {
  const database = await TestDatabase.create(t, 'apply-batch-reads');
  const views = { sync: countingReads(database.sublevel('sync'), { syncReads: true }), pooled: countingReads(database.sublevel('pooled'), { syncReads: false }) };
  const results: Record<string, unknown[]> = {};
  for (const [name, view] of Object.entries(views)) {
    const model = new KvStateMachine({ db: view.db, config });
    await model.open();
    t.teardown(() => model.close());
    const before = { ...view.counts };
    // Keys not written before, so not in the key cache: each put reads its key.
    const entries: ModelEntryInput[] = ['a', 'b', 'c', 'd'].map((key, position) => ({
      index: position + 1,
      entryBytes: encodeWriteRequest({ clientId: 'c', sequence: position + 1, command: { type: 'put', key: Buffer.from(key), value: Buffer.from(`${position}`), prevKv: true } }),
    }));
    results[name] = [...(await model.applyMany(entries.slice(0, 2))), ...(await model.applyMany(entries.slice(2)))].map(comparable);
    results[`${name} reads`] = [view.counts.pooled - before.pooled, view.counts.sync - before.sync];
  }
  t.deepEqual(results['sync reads'], [0, 4], 'one getSync per key read, none through the pool');
  t.deepEqual(results['pooled reads'], [2, 0], 'one getMany per batch');
  t.deepEqual(results['sync'], results['pooled']);
});
