// The keys of one durable Raft log inside a shared database (the layout is explained at the
// top of raft-log-storage.ts). A key is the store's prefix, one tag byte, and for an entry
// its index as 8 bytes big-endian, so that byte order is index order.

import type { KeyRange } from './engine.ts';
import { VstorError } from './errors.ts';

const Tag = {
  hardState: 0x01,
  compactionPoint: 0x02,
  snapshotMetadata: 0x03,
  snapshotData: 0x04,
  entry: 0x05,
} as const;

const INDEX_BYTES = 8;
const TWO_TO_32 = 0x1_0000_0000;
export const PREFIX_BYTES_MAX = 64;

/**
 * A prefix is printable ASCII (0x21–0x7E): tags are control bytes, so the keys of a store
 * with prefix "raft/" can never fall among those of a store with prefix "raft/1/".
 */
export function checkPrefix(prefix: unknown): string {
  if (typeof prefix !== 'string' || prefix.length > PREFIX_BYTES_MAX || !/^[\x21-\x7e]*$/.test(prefix)) {
    throw new VstorError('INVALID_ARGUMENT', `the key prefix must be at most ${PREFIX_BYTES_MAX} printable ASCII characters without spaces, got ${JSON.stringify(prefix)}`);
  }
  return prefix;
}

export class RaftLogKeys {
  readonly hardState: Uint8Array;
  readonly compactionPoint: Uint8Array;
  readonly snapshotMetadata: Uint8Array;
  readonly snapshotData: Uint8Array;
  /** Every entry key, and nothing else, lies in this range. */
  readonly entryRange: KeyRange;
  private readonly prefix: Uint8Array;

  constructor(prefix: string) {
    this.prefix = new TextEncoder().encode(checkPrefix(prefix));
    this.hardState = this.tagged(Tag.hardState);
    this.compactionPoint = this.tagged(Tag.compactionPoint);
    this.snapshotMetadata = this.tagged(Tag.snapshotMetadata);
    this.snapshotData = this.tagged(Tag.snapshotData);
    this.entryRange = { gte: this.tagged(Tag.entry), lt: this.tagged(Tag.entry + 1) };
  }

  private tagged(tag: number, extraBytes = 0): Uint8Array {
    const key = new Uint8Array(this.prefix.length + 1 + extraBytes);
    key.set(this.prefix);
    key[this.prefix.length] = tag;
    return key;
  }

  entry(index: number): Uint8Array {
    const key = this.tagged(Tag.entry, INDEX_BYTES);
    const view = new DataView(key.buffer);
    view.setUint32(this.prefix.length + 1, Math.floor(index / TWO_TO_32));
    view.setUint32(this.prefix.length + 1 + 4, index >>> 0);
    return key;
  }

  /** The index an entry key names; CORRUPTION if the key has the wrong shape. */
  indexOfEntryKey(key: Uint8Array): number {
    const at = this.prefix.length + 1;
    if (key.length !== at + INDEX_BYTES || key[this.prefix.length] !== Tag.entry) {
      throw new VstorError('CORRUPTION', `a key of ${key.length} bytes lies among the entry keys`);
    }
    const view = new DataView(key.buffer, key.byteOffset, key.byteLength);
    return view.getUint32(at) * TWO_TO_32 + view.getUint32(at + 4);
  }
}
