// The latest key-values the model applied, kept in memory so that applying a put does not
// first read the key's record back from the database: one thread-pool round trip fewer on
// every write's path, and the read that the next put of a hot key needs is free. It holds
// the model's current state for the keys it has (undefined: known not to exist), written
// through by every applied batch and emptied by a restore; only the least recently
// touched keys are dropped when it is over keyCacheBytesMax. What is not in it is read from
// the database, so its size changes no answer and may differ between replicas.

import type { KeyValue } from './commands.ts';

/** What one cached key costs besides its key and value bytes (map entry, object). */
const ENTRY_OVERHEAD_BYTES = 96;

export class KeyRecordCache {
  /** By key as latin1 text, least recently touched first (Map keeps insertion order). */
  private readonly records = new Map<string, KeyValue | undefined>();
  private bytes = 0;

  constructor(private readonly bytesMax: number) {}

  get size(): number {
    return this.records.size;
  }

  has(keyText: string): boolean {
    return this.records.has(keyText);
  }

  /** The cached key-value (undefined: the key does not exist); ask has() first. */
  get(keyText: string): KeyValue | undefined {
    return this.records.get(keyText);
  }

  set(keyText: string, kv: KeyValue | undefined): void {
    const previous = this.records.get(keyText);
    if (this.records.delete(keyText)) this.bytes -= cost(keyText, previous);
    this.records.set(keyText, kv);
    this.bytes += cost(keyText, kv);
    // Only when over: a Map iterator starts at the oldest slot and steps over every entry
    // deleted since the table was last rebuilt, and set() deletes one on every touch of a
    // cached key, so starting one on every set() walked thousands of dead slots.
    if (this.bytes > this.bytesMax) this.evict();
  }

  private evict(): void {
    for (const [oldestText, oldest] of this.records) {
      if (this.bytes <= this.bytesMax) break;
      this.records.delete(oldestText);
      this.bytes -= cost(oldestText, oldest);
    }
  }

  clear(): void {
    this.records.clear();
    this.bytes = 0;
  }
}

function cost(keyText: string, kv: KeyValue | undefined): number {
  return ENTRY_OVERHEAD_BYTES + keyText.length + (kv?.value.length ?? 0);
}
