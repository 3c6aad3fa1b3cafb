// Key ranges as etcd defines them, shared by range reads, range deletes and watchers:
// no rangeEnd means the single key; rangeEnd [0x00] means every key from `key` on; any
// other rangeEnd is exclusive, and a rangeEnd not after `key` is an empty range.

import { compareBytes } from './bytes.ts';

/** The rangeEnd that means "no upper bound". */
export const RANGE_END_UNBOUNDED: Uint8Array = Uint8Array.of(0);

/**
 * The smallest key after every key that starts with `prefix`: the prefix with its last
 * byte below 0xff incremented and the rest dropped. A prefix of only 0xff bytes (or an
 * empty one) has no such key, and gets RANGE_END_UNBOUNDED.
 */
export function prefixEnd(prefix: Uint8Array): Uint8Array {
  for (let index = prefix.length - 1; index >= 0; index--) {
    if (prefix[index]! < 0xff) {
      // A copy, never a view: Buffer.prototype.slice shares memory, and incrementing a
      // view would change the caller's key.
      const end = Uint8Array.prototype.slice.call(prefix, 0, index + 1);
      end[index]! += 1;
      return end;
    }
  }
  return RANGE_END_UNBOUNDED;
}

function isUnboundedEnd(rangeEnd: Uint8Array): boolean {
  return rangeEnd.length === 1 && rangeEnd[0] === 0;
}

export class KeyRange {
  /** The first key, inclusive. */
  readonly start: Uint8Array;
  /** The exclusive end; undefined for a single key or no upper bound (see `single`). */
  readonly end: Uint8Array | undefined;
  readonly single: boolean;

  constructor(key: Uint8Array, rangeEnd?: Uint8Array) {
    this.start = key;
    this.single = rangeEnd === undefined || rangeEnd.length === 0;
    this.end = this.single || isUnboundedEnd(rangeEnd!) ? undefined : rangeEnd;
  }

  static prefix(prefix: Uint8Array): KeyRange {
    return new KeyRange(prefix, prefixEnd(prefix));
  }

  contains(key: Uint8Array): boolean {
    const fromStart = compareBytes(key, this.start);
    if (this.single) return fromStart === 0;
    return fromStart >= 0 && (this.end === undefined || compareBytes(key, this.end) < 0);
  }

  /** True when no key can be in the range. */
  get empty(): boolean {
    return !this.single && this.end !== undefined && compareBytes(this.end, this.start) <= 0;
  }
}
