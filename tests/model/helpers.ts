// Shared set-up for the model tests: a fresh classic-level database in its own temporary
// directory (removed when the test ends), and a driver that numbers Raft indexes and client
// sequences the way the Raft loop and a client would.

import type { AbstractSublevel } from 'abstract-level';
import type { ExecutionContext } from 'ava';
import { ClassicLevel } from 'classic-level';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeWriteRequest } from '../../storage-engine/model/codec.ts';
import type {
  Compare,
  KeyValue,
  TxnOperation,
  WriteCommand,
  WriteResponse,
} from '../../storage-engine/model/commands.ts';
import type { ModelConfig } from '../../storage-engine/model/config.ts';
import type { ApplyResult } from '../../storage-engine/model/kv-state-machine.ts';
import { KvStateMachine } from '../../storage-engine/model/kv-state-machine.ts';
import { RANGE_END_UNBOUNDED } from '../../storage-engine/model/key-range.ts';
import type { ModelDatabase } from '../../storage-engine/model/model-database.ts';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function bytes(text: string): Uint8Array {
  return encoder.encode(text);
}

export function text(value: Uint8Array): string {
  return decoder.decode(value);
}

export type TestSublevel = AbstractSublevel<ClassicLevel<Uint8Array, Uint8Array>, string | Buffer | Uint8Array, Uint8Array, Uint8Array>;

export class TestDatabase {
  private constructor(
    readonly directory: string,
    readonly level: ClassicLevel<Uint8Array, Uint8Array>,
  ) {}

  /** A database in a temporary directory that the end of the test closes and removes. */
  static async create(t: ExecutionContext, name = 'model'): Promise<TestDatabase> {
    const directory = await mkdtemp(join(tmpdir(), `vstor-${name}-`));
    const database = new TestDatabase(directory, TestDatabase.openLevel(directory));
    await database.level.open();
    t.teardown(async () => {
      await database.level.close();
      await rm(directory, { recursive: true, force: true });
    });
    return database;
  }

  private static openLevel(directory: string): ClassicLevel<Uint8Array, Uint8Array> {
    return new ClassicLevel<Uint8Array, Uint8Array>(directory, { keyEncoding: 'view', valueEncoding: 'view' });
  }

  /** The sublevel the model lives in: other components share the same database. */
  get modelSpace(): TestSublevel {
    return this.sublevel('model');
  }

  sublevel(name: string): TestSublevel {
    return this.level.sublevel<Uint8Array, Uint8Array>(name, { keyEncoding: 'view', valueEncoding: 'view' });
  }

  /** Closes and reopens the database, as a restart of the process would. */
  async restart(): Promise<void> {
    await this.level.close();
    await this.level.open();
  }
}

export async function openModel(
  t: ExecutionContext,
  config: Partial<ModelConfig> = {},
): Promise<{ model: KvStateMachine; database: TestDatabase; driver: ModelDriver }> {
  const database = await TestDatabase.create(t);
  const model = new KvStateMachine({ db: database.modelSpace, config });
  await model.open();
  t.teardown(() => model.close());
  return { model, database, driver: new ModelDriver(model) };
}

/** Which of a database's point reads went through the thread pool, counted. */
export interface ReadCounts {
  /** get() and getMany() calls. */
  pooled: number;
  /** getSync() calls. */
  sync: number;
}

/**
 * `db` as the model sees it, with its point reads counted; with `syncReads: false` it hides
 * getSync, as a database without it (rocksdb's abstract-level 1) would, so that the model
 * reads through get() and getMany().
 */
export function countingReads(db: ModelDatabase, options: { syncReads: boolean }): { db: ModelDatabase; counts: ReadCounts } {
  const counts: ReadCounts = { pooled: 0, sync: 0 };
  const view = new Proxy(db, {
    get(target, property) {
      if (!options.syncReads && (property === 'getSync' || property === 'supports')) return undefined;
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== 'function') return value;
      // Bound to the database itself: abstract-level keeps its state in private fields.
      const method = (value as (...args: unknown[]) => unknown).bind(target);
      if (property === 'get' || property === 'getMany') {
        return (...args: unknown[]) => {
          counts.pooled++;
          return method(...args);
        };
      }
      if (property === 'getSync') {
        return (...args: unknown[]) => {
          counts.sync++;
          return method(...args);
        };
      }
      return method;
    },
  });
  return { db: view, counts };
}

/**
 * Proposes commands as the Raft loop would apply them: each gets the next index, and each
 * client its next sequence.
 */
export class ModelDriver {
  private readonly sequences = new Map<string, number>();

  constructor(public model: KvStateMachine) {}

  get nextIndex(): number {
    return this.model.appliedIndex + 1;
  }

  async apply(command: WriteCommand, clientId = 'client-a'): Promise<WriteResponse> {
    const sequence = (this.sequences.get(clientId) ?? 0) + 1;
    this.sequences.set(clientId, sequence);
    const result = await this.applyRequest(clientId, sequence, command);
    if (result.kind !== 'response') throw new Error(`expected a response, got ${result.kind}`);
    return result.response;
  }

  async applyRequest(clientId: string, sequence: number, command: WriteCommand): Promise<ApplyResult> {
    return this.model.apply(this.nextIndex, encodeWriteRequest({ clientId, sequence, command }));
  }

  put(key: string, value: string, options: { prevKv?: boolean; clientId?: string } = {}): Promise<WriteResponse> {
    const command: WriteCommand = { type: 'put', key: bytes(key), value: bytes(value) };
    if (options.prevKv === true) command.prevKv = true;
    return this.apply(command, options.clientId);
  }

  deleteRange(key: string, rangeEnd?: string | 'all', options: { prevKv?: boolean } = {}): Promise<WriteResponse> {
    const command: WriteCommand = { type: 'deleteRange', key: bytes(key) };
    if (rangeEnd !== undefined) command.rangeEnd = rangeEnd === 'all' ? RANGE_END_UNBOUNDED : bytes(rangeEnd);
    if (options.prevKv === true) command.prevKv = true;
    return this.apply(command);
  }

  txn(compare: Compare[], success: TxnOperation[], failure: TxnOperation[] = []): Promise<WriteResponse> {
    return this.apply({ type: 'txn', compare, success, failure });
  }
}

export function put(key: string, value: string, prevKv = false): TxnOperation {
  return prevKv ? { type: 'put', key: bytes(key), value: bytes(value), prevKv } : { type: 'put', key: bytes(key), value: bytes(value) };
}

export function del(key: string, rangeEnd?: string, prevKv = false): TxnOperation {
  const operation: TxnOperation = { type: 'deleteRange', key: bytes(key) };
  if (rangeEnd !== undefined) operation.rangeEnd = bytes(rangeEnd);
  if (prevKv) operation.prevKv = true;
  return operation;
}

export function kv(key: string, value: string, createRevision: number, modRevision: number, version: number): KeyValue {
  return { key: bytes(key), value: bytes(value), createRevision, modRevision, version };
}

/** Every key of the model with its metadata, as text, for comparing two models. */
export async function dump(model: KvStateMachine): Promise<{ revision: number; kvs: string[] }> {
  const response = await model.range({ key: Uint8Array.of(0), rangeEnd: RANGE_END_UNBOUNDED });
  return {
    revision: response.header.revision,
    kvs: response.kvs.map((entry) => `${text(entry.key)}=${text(entry.value)} c${entry.createRevision} m${entry.modRevision} v${entry.version}`),
  };
}
