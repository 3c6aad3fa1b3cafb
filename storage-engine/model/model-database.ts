// The part of abstract-level the model uses, as a narrow interface: any abstract-level 3
// database or sublevel with Uint8Array keys and values fits it (classic-level by default),
// and nothing else of the database is assumed. Iterators must read from a snapshot taken
// when they are created, which abstract-level promises as `implicitSnapshots`.
//
// Point reads on the apply path use getSync() where the database has it (classic-level and
// its sublevels do, `supports.getSync`): LevelDB answers a point read from its memtable and
// caches in a few microseconds on the calling thread, where get() or getMany() costs a round
// trip through the thread pool — a wake-up of a worker and one of the event loop, some tens
// of microseconds of CPU and more of latency. The price is that a read of a block the OS
// no longer caches waits for the disk on the event loop; the model's database is small
// and read all the time, so that is rare. A database without getSync is read with getMany().

export interface ModelRangeOptions {
  gte?: Uint8Array;
  lt?: Uint8Array;
  lte?: Uint8Array;
  reverse?: boolean;
  limit?: number;
  /** False: entries come without values (the value slot is undefined). */
  values?: boolean;
}

export type ModelEntry = [key: Uint8Array, value: Uint8Array];

export interface ModelIterator extends AsyncIterable<ModelEntry> {
  /** Up to `size` more entries; none at the end of the range. */
  nextv(size: number): Promise<ModelEntry[]>;
  all(): Promise<ModelEntry[]>;
  close(): Promise<void>;
}

export interface ModelKeyIterator extends AsyncIterable<Uint8Array> {
  all(): Promise<Uint8Array[]>;
  close(): Promise<void>;
}

export type ModelBatchOperation = { type: 'put'; key: Uint8Array; value: Uint8Array } | { type: 'del'; key: Uint8Array };

/**
 * A batch built one operation at a time and written atomically: abstract-level's chained
 * batch. classic-level hands each operation to LevelDB's native batch as it is added, where
 * an array batch is first copied and validated in JS and then read back property by
 * property; a sublevel collects the operations and writes them through its parent.
 */
export interface ModelChainedBatch {
  put(key: Uint8Array, value: Uint8Array): unknown;
  del(key: Uint8Array): unknown;
  /** `sync` as for ModelDatabase.batch(). Closes the batch, written or not. */
  write(options?: { sync?: boolean }): Promise<void>;
  /** Drops a batch that will not be written. */
  close(): Promise<void>;
}

export interface ModelDatabase {
  /** With `passive`, waits for an opening database and fails on a closed one. */
  open(options: { passive: boolean }): Promise<void>;
  get(key: Uint8Array): Promise<Uint8Array | undefined>;
  /** The values of `keys` in order, undefined for a missing key, in one call. */
  getMany(keys: Uint8Array[]): Promise<(Uint8Array | undefined)[]>;
  /** What the database can do beyond this interface (abstract-level's manifest); only its
   * `getSync` is asked about. Typed loosely: level-supports' types predate getSync. */
  readonly supports?: object;
  /** The value stored under `key`, read on the calling thread; present when supports.getSync. */
  getSync?(key: Uint8Array): Uint8Array | undefined;
  /** `sync` asks the backend for an fsync before it resolves (classic-level, rocksdb). */
  batch(operations: ModelBatchOperation[], options?: { sync?: boolean }): Promise<void>;
  /** An empty chained batch. */
  batch(): ModelChainedBatch;
  iterator(options: ModelRangeOptions): ModelIterator;
  keys(options: ModelRangeOptions): ModelKeyIterator;
  clear(options: ModelRangeOptions): Promise<void>;
}
