// The executor's view of the keys while a batch of entries is applied (kv-state-machine.ts
// applyMany): the database as it was before the batch, with the changes of the batch's
// earlier entries laid over it, so that entry n sees entries 1..n-1 exactly as it would if
// each had been written on its own. Nothing is written until the whole batch is.
//
// The keys the batch's puts and compares name are fetched before execution in one getMany,
// so a batch of group-committed puts costs one read round trip into the database's thread
// pool, not one per entry. Range deletes read the database and merge the overlay in.

import { compareBytes } from './bytes.ts';
import type { KeyValue } from './commands.ts';
import type { KeyReader } from './executor.ts';
import type { KeyRange } from './key-range.ts';
import type { GenerationKeyReader } from './model-reads.ts';
import type { WatchEvent } from './events.ts';

interface Overlaid {
  key: Uint8Array;
  /** Undefined: the batch deleted the key. */
  kv: KeyValue | undefined;
}

export class BatchKeyReader implements KeyReader {
  /** The batch's own changes so far, by key. */
  private readonly changed = new Map<string, Overlaid>();
  /** Keys read from the database before the batch, by key; a missing key is undefined. */
  private readonly fetched = new Map<string, KeyValue | undefined>();

  constructor(private readonly base: GenerationKeyReader) {}

  /** Reads `keys` from the database in one round trip, for get() to answer from. */
  async prefetch(keys: readonly Uint8Array[]): Promise<void> {
    const unique = new Map<string, Uint8Array>();
    for (const key of keys) {
      const text = keyText(key);
      if (!this.fetched.has(text) && !this.changed.has(text)) unique.set(text, key);
    }
    if (unique.size === 0) return;
    const values = await this.base.getMany([...unique.values()]);
    let index = 0;
    for (const text of unique.keys()) this.fetched.set(text, values[index++]);
  }

  async get(key: Uint8Array): Promise<KeyValue | undefined> {
    const text = keyText(key);
    const overlaid = this.changed.get(text);
    if (overlaid !== undefined) return overlaid.kv;
    if (this.fetched.has(text)) return this.fetched.get(text);
    const kv = await this.base.get(key);
    this.fetched.set(text, kv);
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

  /** Lays an applied entry's changes over what later entries read. */
  record(changes: readonly WatchEvent[]): void {
    for (const change of changes) {
      this.changed.set(keyText(change.kv.key), { key: change.kv.key, kv: change.type === 'put' ? change.kv : undefined });
    }
  }
}

function keyText(key: Uint8Array): string {
  return Buffer.from(key.buffer, key.byteOffset, key.byteLength).toString('latin1');
}
