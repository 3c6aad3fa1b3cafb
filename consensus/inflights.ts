// The append messages a leader has sent to one follower and not yet seen acknowledged,
// bounded in count and bytes: the flow control of optimistic pipelining. A ring buffer,
// because entries are always added at the end and freed from the front.

import { assert } from './errors.ts';

export class Inflights {
  private start = 0;
  private count = 0;
  private bytes = 0;
  private readonly indexes: number[];
  private readonly sizes: number[];

  constructor(
    readonly messagesMax: number,
    /** 0: no byte limit. */
    readonly bytesMax: number,
  ) {
    assert(messagesMax > 0, 'inflight messages limit must be positive');
    this.indexes = new Array<number>(messagesMax);
    this.sizes = new Array<number>(messagesMax);
  }

  /** Records a message whose last entry is `index`, carrying `bytes` of entries. */
  add(index: number, bytes: number): void {
    assert(!this.full(), 'cannot add to full inflights');
    const at = (this.start + this.count) % this.messagesMax;
    this.indexes[at] = index;
    this.sizes[at] = bytes;
    this.count++;
    this.bytes += bytes;
  }

  /** Frees every message whose last index is ≤ `index`: they are acknowledged. */
  freeLessOrEqual(index: number): void {
    while (this.count > 0 && this.indexes[this.start]! <= index) {
      this.bytes -= this.sizes[this.start]!;
      this.start = (this.start + 1) % this.messagesMax;
      this.count--;
    }
    if (this.count === 0) this.start = 0;
  }

  full(): boolean {
    return this.count === this.messagesMax || (this.bytesMax > 0 && this.bytes >= this.bytesMax);
  }

  size(): number {
    return this.count;
  }

  reset(): void {
    this.start = 0;
    this.count = 0;
    this.bytes = 0;
  }
}
