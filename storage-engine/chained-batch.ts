// One atomic batch written through abstract-level's chained form, which hands each
// operation to LevelDB as it is added. The array form of batch() clones and re-validates
// every operation in JavaScript and then converts the array natively: about a third more
// LevelDB cost per operation for the model's batches, twice the main-thread time for the
// large batches block writes make. The model and the block store both write this way.

/** What the chained form needs of a database (a ClassicLevel, or the model's view of one). */
export interface ChainedBatchDatabase<Key, Value> {
  batch(): {
    put(key: Key, value: Value): unknown;
    del(key: Key): unknown;
    write(options?: { sync?: boolean }): Promise<void>;
    close(): Promise<void>;
  };
}

export type ChainedBatchOperation<Key, Value> = { type: 'put'; key: Key; value: Value } | { type: 'del'; key: Key };

/**
 * Writes `operations` as one atomic batch. Every failure is a rejection, even a database
 * that refuses to start a batch (a synchronous throw), so that the caller's write sees it;
 * a batch that fails while being filled is closed unwritten.
 */
export async function writeChainedBatch<Key, Value>(
  db: ChainedBatchDatabase<Key, Value>,
  operations: readonly ChainedBatchOperation<Key, Value>[],
  sync: boolean,
): Promise<void> {
  const batch = db.batch();
  try {
    for (const operation of operations) {
      if (operation.type === 'put') batch.put(operation.key, operation.value);
      else batch.del(operation.key);
    }
  } catch (error) {
    await batch.close();
    throw error;
  }
  await batch.write(sync ? { sync: true } : {});
}
