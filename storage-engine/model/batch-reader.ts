// The executor's view of the keys while a batch of entries is applied (kv-state-machine.ts
// applyMany): the database as it was before the batch, with the changes of the batch's
// earlier entries laid over it, so that entry n sees entries 1..n-1 exactly as it would if
// each had been written on its own. Nothing is written until the whole batch is.
//
// The keys the batch's puts and compares name come from the record cache (record-cache.ts)
// or, for those it lacks, from the database in one getMany before execution, so a batch of
// group-committed puts costs at most one read round trip into the database's thread pool,
// not one per entry. Range deletes read the database and merge the overlay in. What the
// batch reads from the database and what it changes go into the cache.

import { compareBytes, copyBytes } from './bytes.ts';
import type { KeyValue } from './commands.ts';
import type { KeyReader } from './executor.ts';
import type { KeyRange } from './key-range.ts';
import type { GenerationKeyReader } from './model-reads.ts';
import type { KeyRecordCache } from './record-cache.ts';
import type { WatchEvent } from './events.ts';

interface Overlaid {
  key: Uint8Array;
  /** Undefined: the batch deleted the key. */
  kv: KeyValue | undefined;
}

export class BatchKeyReader implements KeyReader {
  /** The batch's own changes so far, by key. */
  private readonly changed = new Map<string, Overlaid>();
  constructor(
    private readonly base: GenerationKeyReader,
    /** The model's state before the batch for the keys it holds; the batch updates it. */
    private readonly cache: KeyRecordCache,
  ) {}

  /** Reads the keys of `keys` the cache lacks from the database, in one round trip. */
  async prefetch(keys: readonly Uint8Array[]): Promise<void> {
    const missing = new Map<string, Uint8Array>();
    for (const key of keys) {
      const text = keyText(key);
      if (!this.cache.has(text) && !this.changed.has(text)) missing.set(text, key);
    }
    if (missing.size === 0) return;
    const values = await this.base.getMany([...missing.values()]);
    let index = 0;
    for (const text of missing.keys()) this.cache.set(text, owned(values[index++]));
  }

  async get(key: Uint8Array): Promise<KeyValue | undefined> {
    const text = keyText(key);
    const overlaid = this.changed.get(text);
    if (overlaid !== undefined) return overlaid.kv;
    if (this.cache.has(text)) return this.cache.get(text);
    const kv = await this.base.get(key);
    this.cache.set(text, owned(kv));
    return kv;
  }

  async range(range: KeyRange, countMax: number): Promise<KeyValue[]> {
    const overlaid = [...this.changed.values()].filter((entry) => range.contains(entry.key));
    if (overlaid.length === 0) return this.base.range(range, countMax);
    // Each key the batch deleted can hide one stored key, so countMax + that many stored
    // keys leave at least countMax live ones if the range has them. When the stored read
    // is cut short by its limit, those live keys all sort before any key past its last
    // one, so a key of the batch beyond what was read never makes the first countMax.
    const deletedCount = overlaid.filter((entry) => entry.kv === undefined).length;
    const stored = await this.base.range(range, countMax + deletedCount);
    const merged = new Map<string, KeyValue>();
    for (const kv of stored) merged.set(keyText(kv.key), kv);
    for (const entry of overlaid) {
      if (entry.kv === undefined) merged.delete(keyText(entry.key));
      else merged.set(keyText(entry.key), entry.kv);
    }
    return [...merged.values()].sort((left, right) => compareBytes(left.key, right.key)).slice(0, countMax);
  }

  /** Lays an applied entry's changes over what later entries read, and into the cache. */
  record(changes: readonly WatchEvent[]): void {
    for (const change of changes) {
      const text = keyText(change.kv.key);
      const kv = change.type === 'put' ? change.kv : undefined;
      this.changed.set(text, { key: change.kv.key, kv });
      this.cache.set(text, owned(kv));
    }
  }
}

/**
 * A key-value whose bytes the cache alone holds: a cached view into a larger buffer (a whole
 * batch from a peer) would keep it alive outside the cache's byte count. The decoders
 * already copy what they read (ByteReader), so this copies only what they did not.
 */
function owned(kv: KeyValue | undefined): KeyValue | undefined {
  if (kv === undefined || (ownsBuffer(kv.key) && ownsBuffer(kv.value))) return kv;
  return { ...kv, key: ownedBytes(kv.key), value: ownedBytes(kv.value) };
}

function ownsBuffer(bytes: Uint8Array): boolean {
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
}

function ownedBytes(bytes: Uint8Array): Uint8Array {
  return ownsBuffer(bytes) ? bytes : copyBytes(bytes);
}

function keyText(key: Uint8Array): string {
  return Buffer.from(key.buffer, key.byteOffset, key.byteLength).toString('latin1');
}
