// The model's limits. Every queue, table and message of the model is bounded by one of
// these. The limits that apply() checks (sizes, counts, clientsMax) decide whether a
// committed entry takes effect, so they must be equal on every replica of the group:
// a replica with a different limit would reach a different state.

import { invalidArgument } from './errors.ts';

export interface ModelConfig {
  /** The longest key, in bytes. Keys are never empty. */
  keyBytesMax: number;
  /** The longest value, in bytes. */
  valueBytesMax: number;
  /** The most compares, and the most operations in each branch, of one txn. */
  txnOperationsMax: number;
  /** The longest client id, in UTF-8 bytes. */
  clientIdBytesMax: number;
  /** The most clients whose last response is kept for at-most-once application. */
  clientsMax: number;
  /** The most keys one write entry may change (puts plus deleted keys): bounds one batch
   * and the events of one revision. */
  writeKeysMax: number;
  /** The largest response one write may produce (prevKvs of a range delete). */
  responseBytesMax: number;
  /** The most keys one range read returns; also its default limit. */
  rangeKeysMax: number;
  /** The most events kept for watchers that start in the past; trimmed whole revisions at
   * a time, oldest first. */
  watchHistoryEventsMax: number;
  /** The most events queued for one watcher before it is cancelled as too slow. */
  watcherQueueEventsMax: number;
  /** The most watchers at once. */
  watchersMax: number;
  /** The largest chunk of a snapshot stream, and the size of each batch a restore writes. */
  snapshotChunkBytes: number;
  /** Memory for the latest applied key-values (record-cache.ts). It changes no answer, only
   * how often applying reads the database, so replicas may differ in it. */
  keyCacheBytesMax: number;
  /** How many events trimmed from the history may stay on disk, never read, before one
   * clear removes them together (kv-state-machine.ts); local, like keyCacheBytesMax. */
  deadEventsMax: number;
}

export const defaultModelConfig: Readonly<ModelConfig> = Object.freeze({
  keyBytesMax: 4096,
  valueBytesMax: 256 * 1024,
  txnOperationsMax: 128,
  clientIdBytesMax: 128,
  clientsMax: 10_000,
  writeKeysMax: 10_000,
  responseBytesMax: 4 * 1024 * 1024,
  rangeKeysMax: 10_000,
  watchHistoryEventsMax: 100_000,
  watcherQueueEventsMax: 10_000,
  watchersMax: 10_000,
  snapshotChunkBytes: 1024 * 1024,
  keyCacheBytesMax: 32 * 1024 * 1024,
  deadEventsMax: 4096,
});

/** Room in a response for one key-value's revisions, version and length prefixes. */
export const KEY_VALUE_OVERHEAD_BYTES = 48;

/** The defaults overridden by `overrides`, validated: INVALID_ARGUMENT names the field. */
export function modelConfig(overrides: Partial<ModelConfig> = {}): ModelConfig {
  const config = { ...defaultModelConfig, ...overrides };
  for (const [field, value] of Object.entries(config)) {
    if (!(field in defaultModelConfig)) throw invalidArgument(`config.${field}`, 'unknown limit');
    if (!Number.isSafeInteger(value) || value < 1) {
      throw invalidArgument(`config.${field}`, `must be a positive integer, got ${String(value)}`);
    }
  }
  // One revision's events must fit both the history and a watcher's queue, or a single
  // large write would make the history empty and cancel every watcher that sees it.
  if (config.watchHistoryEventsMax < config.writeKeysMax) {
    throw invalidArgument('config.watchHistoryEventsMax', `must be at least writeKeysMax (${config.writeKeysMax})`);
  }
  if (config.watcherQueueEventsMax < config.writeKeysMax) {
    throw invalidArgument('config.watcherQueueEventsMax', `must be at least writeKeysMax (${config.writeKeysMax})`);
  }
  if (config.writeKeysMax < config.txnOperationsMax) {
    throw invalidArgument('config.writeKeysMax', `must be at least txnOperationsMax (${config.txnOperationsMax})`);
  }
  const singlePutResponseBytes = config.keyBytesMax + config.valueBytesMax + KEY_VALUE_OVERHEAD_BYTES;
  if (config.responseBytesMax < singlePutResponseBytes) {
    throw invalidArgument('config.responseBytesMax', `must hold one key-value with prevKv (${singlePutResponseBytes} bytes)`);
  }
  return config;
}
