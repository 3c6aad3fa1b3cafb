// Opens the key-value engine everything on disk lives in, chosen by name in config. Both
// engines are reached through `Database`, a narrow interface of what storage-engine/ needs
// (point reads, atomic batches with an fsync option, ordered range scans), so that
//  - classic-level (abstract-level 3) and @nxtedition/rocksdb (abstract-level 1) look the
//    same: the older API rejects a missing key with LEVEL_NOT_FOUND, the newer resolves
//    undefined, and only the newer ships types;
//  - a test can wrap a Database to inject a failed write.
// Keys and values are bytes; the engines' own encodings are bypassed ('buffer').

import { RocksLevel } from '@nxtedition/rocksdb';
import { ClassicLevel } from 'classic-level';
import { VstorError } from './errors.ts';

export const ENGINE_NAMES = ['classic-level', 'rocksdb'] as const;
export type EngineName = (typeof ENGINE_NAMES)[number];

export type BatchOperation =
  | { type: 'put'; key: Uint8Array; value: Uint8Array }
  | { type: 'del'; key: Uint8Array };

/** Keys k with gte <= k < lt, compared byte by byte. */
export interface KeyRange {
  gte: Uint8Array;
  lt: Uint8Array;
}

export type DatabaseStatus = 'opening' | 'open' | 'closing' | 'closed';

export interface Database {
  readonly engine: EngineName;
  readonly location: string;
  readonly status: DatabaseStatus;
  /** The value stored under `key`, or undefined. */
  get(key: Uint8Array): Promise<Uint8Array | undefined>;
  /**
   * Applies every operation or none, in order. With `sync`, resolves only once the batch
   * is on stable storage (the engine's write-ahead log is fsync'd).
   */
  batch(operations: readonly BatchOperation[], options: { sync: boolean }): Promise<void>;
  /** The rows of `range` in key order, read a page at a time. */
  rows(range: KeyRange): AsyncGenerator<[Uint8Array, Uint8Array]>;
  /** Safe to call twice. */
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  /** A directory; created if missing. */
  path: string;
  engine: EngineName;
}

/** Rows fetched per round trip into the engine by Database.rows(). */
const SCAN_PAGE_ROWS = 512;

/** The calls both engines answer in the same way once keys and values are Buffers. */
interface LevelHandle {
  readonly status: DatabaseStatus;
  batch(operations: Array<{ type: 'put'; key: Buffer; value: Buffer } | { type: 'del'; key: Buffer }>, options: { sync: boolean }): Promise<void>;
  iterator(options: { gte: Buffer; lt: Buffer; keys: true; values: true }): {
    nextv(size: number): Promise<Array<[Buffer, Buffer]>>;
    close(): Promise<void>;
  };
  close(): Promise<void>;
}

function isEngineName(name: unknown): name is EngineName {
  return (ENGINE_NAMES as readonly unknown[]).includes(name);
}

/** A Buffer over the same memory: the engines' 'buffer' encoding wants Buffers. */
function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

class LevelDatabase implements Database {
  readonly engine: EngineName;
  readonly location: string;
  private readonly handle: LevelHandle;
  private readonly getValue: (key: Buffer) => Promise<Uint8Array | undefined>;

  constructor(engine: EngineName, location: string, handle: LevelHandle, getValue: (key: Buffer) => Promise<Uint8Array | undefined>) {
    this.engine = engine;
    this.location = location;
    this.handle = handle;
    this.getValue = getValue;
  }

  get status(): DatabaseStatus {
    return this.handle.status;
  }

  get(key: Uint8Array): Promise<Uint8Array | undefined> {
    return this.getValue(asBuffer(key));
  }

  batch(operations: readonly BatchOperation[], options: { sync: boolean }): Promise<void> {
    const converted = operations.map((operation) =>
      operation.type === 'put'
        ? { type: 'put' as const, key: asBuffer(operation.key), value: asBuffer(operation.value) }
        : { type: 'del' as const, key: asBuffer(operation.key) },
    );
    return this.handle.batch(converted, { sync: options.sync });
  }

  async *rows(range: KeyRange): AsyncGenerator<[Uint8Array, Uint8Array]> {
    const iterator = this.handle.iterator({ gte: asBuffer(range.gte), lt: asBuffer(range.lt), keys: true, values: true });
    try {
      for (;;) {
        const page = await iterator.nextv(SCAN_PAGE_ROWS);
        if (page.length === 0) return;
        yield* page;
      }
    } finally {
      await iterator.close();
    }
  }

  close(): Promise<void> {
    return this.handle.close();
  }
}

async function openClassicLevel(path: string): Promise<Database> {
  const level = new ClassicLevel<Buffer, Buffer>(path, { keyEncoding: 'buffer', valueEncoding: 'buffer', createIfMissing: true });
  await level.open();
  return new LevelDatabase('classic-level', path, level, (key) => level.get(key));
}

async function openRocksDb(path: string): Promise<Database> {
  const level = new RocksLevel(path, { keyEncoding: 'buffer', valueEncoding: 'buffer' });
  await level.open({ createIfMissing: true });
  const getValue = async (key: Buffer): Promise<Uint8Array | undefined> => {
    try {
      return await level.get(key);
    } catch (error) {
      if ((error as { code?: unknown }).code === 'LEVEL_NOT_FOUND') return undefined;
      throw error;
    }
  };
  return new LevelDatabase('rocksdb', path, level, getValue);
}

/** Opens (creating if needed) the database at `path` with the named engine. */
export async function openDatabase(options: OpenDatabaseOptions): Promise<Database> {
  const { path, engine } = options;
  if (!isEngineName(engine)) {
    throw new VstorError('INVALID_ARGUMENT', `unknown storage engine ${JSON.stringify(engine)}; expected one of ${ENGINE_NAMES.join(', ')}`);
  }
  if (typeof path !== 'string' || path.length === 0) {
    throw new VstorError('INVALID_ARGUMENT', 'the database path must be a non-empty string');
  }
  try {
    return engine === 'classic-level' ? await openClassicLevel(path) : await openRocksDb(path);
  } catch (error) {
    const reason = error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error);
    throw new VstorError('OPEN_FAILED', `cannot open the ${engine} database at ${path}: ${reason}`, { cause: error });
  }
}
