// Proves, by seeded random exploration, that KvStateMachine agrees with a naive in-memory
// reference (reference-model.ts) on every response, every range read, the full key dump
// and the stream of watch events, over random puts, range deletes, txns with random
// compares, retried requests, empty entries, restarts and snapshot restores (after which
// the run continues on the restored replica). A failure names its seed; set MODEL_SEED to
// replay one.

import type { ExecutionContext } from 'ava';
import test from 'ava';
import { SeededRandom } from '../../consensus/random.ts';
import { encodeWriteRequest } from '../../storage-engine/model/codec.ts';
import type { Compare, RangeRequest, TxnOperation, WriteCommand, WriteRequest, WriteResponse } from '../../storage-engine/model/commands.ts';
import { validateWriteRequest } from '../../storage-engine/model/commands.ts';
import { RANGE_END_UNBOUNDED } from '../../storage-engine/model/key-range.ts';
import type { ModelConfig } from '../../storage-engine/model/config.ts';
import { modelConfig } from '../../storage-engine/model/config.ts';
import { KvStateMachine } from '../../storage-engine/model/kv-state-machine.ts';
import type { Watcher } from '../../storage-engine/model/watch-hub.ts';
import { dump, TestDatabase, text } from './helpers.ts';
import { ReferenceModel } from './reference-model.ts';

const STEPS = 400;
const SEEDS = process.env['MODEL_SEED'] !== undefined ? [Number(process.env['MODEL_SEED'])] : [1, 2, 3];

const config: Partial<ModelConfig> = {
  writeKeysMax: 6,
  txnOperationsMax: 3,
  watcherQueueEventsMax: 64,
  watchHistoryEventsMax: 64,
  clientsMax: 4,
  rangeKeysMax: 50,
  snapshotChunkBytes: 256,
};
const limits = modelConfig(config);

/** Keys from a small alphabet, so that operations collide; 0xff exercises prefixEnd. */
function randomKey(random: SeededRandom): Uint8Array {
  const alphabet = [0x61, 0x62, 0x63, 0xff];
  const length = 1 + random.nextInt(2);
  return Uint8Array.from({ length }, () => alphabet[random.nextInt(alphabet.length)]!);
}

function randomOperation(random: SeededRandom): TxnOperation {
  const prevKv = random.chance(0.5);
  if (random.chance(0.6)) {
    const value = Uint8Array.from({ length: random.nextInt(4) }, () => 0x30 + random.nextInt(3));
    return prevKv ? { type: 'put', key: randomKey(random), value, prevKv } : { type: 'put', key: randomKey(random), value };
  }
  const operation: TxnOperation = { type: 'deleteRange', key: randomKey(random) };
  const shape = random.nextInt(4);
  if (shape === 1) operation.rangeEnd = randomKey(random);
  if (shape === 2) operation.rangeEnd = RANGE_END_UNBOUNDED;
  if (prevKv) operation.prevKv = true;
  return operation;
}

function randomCompare(random: SeededRandom): Compare {
  const key = randomKey(random);
  const result = (['=', '!=', '<', '>'] as const)[random.nextInt(4)]!;
  switch (random.nextInt(4)) {
    case 0:
      return { target: 'value', key, result, value: Uint8Array.from({ length: random.nextInt(3) }, () => 0x30 + random.nextInt(3)) };
    case 1:
      return { target: 'version', key, result, version: random.nextInt(4) };
    case 2:
      return { target: 'createRevision', key, result, createRevision: random.nextInt(20) };
    default:
      return { target: 'modRevision', key, result, modRevision: random.nextInt(40) };
  }
}

/** A random command that passes validation (a txn branch may not write a key twice). */
function randomCommand(random: SeededRandom): WriteCommand {
  for (;;) {
    let command: WriteCommand;
    if (random.chance(0.35)) {
      const branch = () => Array.from({ length: random.nextInt(4) }, () => randomOperation(random));
      command = { type: 'txn', compare: Array.from({ length: random.nextInt(3) }, () => randomCompare(random)), success: branch(), failure: branch() };
    } else {
      command = randomOperation(random);
    }
    try {
      validateWriteRequest({ clientId: 'x', sequence: 1, command }, limits);
      return command;
    } catch {
      continue;
    }
  }
}

function randomRange(random: SeededRandom): RangeRequest {
  const request: RangeRequest = { key: randomKey(random) };
  const shape = random.nextInt(4);
  if (shape === 1) request.rangeEnd = randomKey(random);
  if (shape === 2) request.rangeEnd = RANGE_END_UNBOUNDED;
  if (shape === 3) request.prefix = true;
  if (random.chance(0.3)) request.limit = 1 + random.nextInt(3);
  if (random.chance(0.3)) request.reverse = true;
  if (random.chance(0.2)) request.keysOnly = true;
  if (random.chance(0.1)) request.countOnly = true;
  return request;
}

/** Error messages are for people; the reference only knows the codes. */
function comparable(response: WriteResponse): WriteResponse {
  return response.type === 'error' ? { ...response, message: '' } : response;
}

/** A model in a sublevel of a shared test database, so that new replicas cost no new database. */
class Replica {
  watcher: Watcher | undefined;
  private constructor(
    readonly model: KvStateMachine,
    readonly database: TestDatabase,
    readonly name: string,
  ) {}

  static async create(t: ExecutionContext, database: TestDatabase, name: string): Promise<Replica> {
    const model = new KvStateMachine({ db: database.sublevel(name), config });
    await model.open();
    t.teardown(() => model.close());
    return new Replica(model, database, name);
  }

  /** Closes the model and its database, and opens both again from disk. */
  async restart(t: ExecutionContext): Promise<Replica> {
    await this.model.close();
    await this.database.restart();
    return Replica.create(t, this.database, this.name);
  }

  watchFrom(revision: number): void {
    this.watcher = this.model.watch({ key: Uint8Array.of(0), rangeEnd: RANGE_END_UNBOUNDED, startRevision: revision });
  }

  /** Every event the watcher has up to the model's revision, waiting for catch-up reads. */
  async drainWatcher(into: string[]): Promise<void> {
    const watcher = this.watcher!;
    while (watcher.position.revision <= this.model.revision || watcher.queuedEventCount > 0) {
      const next = await watcher.next();
      if (next.done === true) throw new Error(`watcher ended: ${String(watcher.reason)}`);
      into.push(...next.value.map((event) => `${event.type} ${Buffer.from(event.kv.key).toString('latin1')}@${event.kv.modRevision}`));
    }
  }
}

async function run(t: ExecutionContext, seed: number): Promise<void> {
  const random = new SeededRandom(seed);
  const reference = new ReferenceModel(limits.writeKeysMax, limits.clientsMax);
  const database = await TestDatabase.create(t, 'model-based');
  let replicaCount = 0;
  let replica = await Replica.create(t, database, `replica-${replicaCount++}`);
  replica.watchFrom(1);
  const watched: string[] = [];
  const clients = ['c0', 'c1', 'c2', 'c3', 'c4', 'c5'];
  const lastRequest = new Map<string, WriteRequest>();
  const sequences = new Map<string, number>();
  const context = (step: number) => `seed ${seed}, step ${step}`;

  for (let step = 0; step < STEPS; step++) {
    const index = replica.model.appliedIndex + 1;
    const roll = random.nextFloat();
    if (roll < 0.05) {
      t.deepEqual(await replica.model.apply(index, new Uint8Array(0)), { kind: 'noop', index }, context(step));
    } else if (roll < 0.15 && lastRequest.size > 0) {
      // A retry of some client's last request, possibly long after it was answered.
      const retried = [...lastRequest.values()][random.nextInt(lastRequest.size)]!;
      const result = await replica.model.apply(index, encodeWriteRequest(retried));
      const expected = reference.apply(retried);
      t.like(result, { kind: 'response' }, context(step));
      if (result.kind === 'response') t.deepEqual(comparable(result.response), comparable(expected), `${context(step)}: retry`);
    } else {
      const clientId = clients[random.nextInt(clients.length)]!;
      const sequence = (sequences.get(clientId) ?? 0) + 1;
      sequences.set(clientId, sequence);
      const request = { clientId, sequence, command: randomCommand(random) };
      lastRequest.set(clientId, request);
      const result = await replica.model.apply(index, encodeWriteRequest(request));
      const expected = reference.apply(request);
      t.like(result, { kind: 'response' }, context(step));
      if (result.kind === 'response') t.deepEqual(comparable(result.response), comparable(expected), `${context(step)}: ${request.command.type}`);
    }
    if (random.chance(0.2)) {
      const request = randomRange(random);
      const { header, ...answer } = await replica.model.range(request);
      t.is(header.revision, reference.revision, context(step));
      t.deepEqual(answer, reference.range(request), `${context(step)}: range`);
    }
    await replica.drainWatcher(watched);

    if (step === STEPS / 2) {
      replica = await replica.restart(t);
      replica.watchFrom(replica.model.revision + 1);
    } else if (random.chance(0.02)) {
      // Continue on a replica built from this one's snapshot.
      const restored = await Replica.create(t, database, `replica-${replicaCount++}`);
      await restored.model.restore(await replica.model.snapshot());
      t.deepEqual(await dump(restored.model), await dump(replica.model), context(step));
      t.is(restored.model.appliedIndex, replica.model.appliedIndex, context(step));
      replica.watcher!.cancel();
      replica = restored;
      replica.watchFrom(replica.model.revision + 1);
    }
  }
  t.deepEqual(await dump(replica.model), textDump(reference), `seed ${seed}: final dump`);
  t.deepEqual(watched, reference.events, `seed ${seed}: watch events`);
}

/** The reference's dump with keys decoded the way helpers.ts dump() decodes them. */
function textDump(reference: ReferenceModel): { revision: number; kvs: string[] } {
  const { revision, kvs } = reference.dump();
  return {
    revision,
    kvs: kvs.map((line) => {
      const [key, rest] = [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('='))];
      return text(Uint8Array.from(Buffer.from(key, 'latin1'))) + rest;
    }),
  };
}

for (const seed of SEEDS) {
  test(`seed ${seed}: the state machine agrees with the reference model`, (t) => run(t, seed));
}
