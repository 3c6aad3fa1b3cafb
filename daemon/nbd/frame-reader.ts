// An incremental byte accumulator for a stream protocol. The socket hands us chunks of any
// size (one byte at a time is legal TCP); the decoders ask for frames of a known size. A
// frame that lies inside one chunk is returned as a view of it, without copying; only a
// frame that spans chunks is copied once into a fresh buffer. The reader holds at most
// pendingBytesMax unparsed bytes, so a client that sends faster than we parse cannot make
// us buffer without bound: push() refuses the chunk and the decoder reports BUFFER_FULL.
import { assert } from './errors.ts';

export class FrameReader {
  /** Chunks from headIndex on are pending; the consumed prefix is dropped in batches. */
  private chunks: Uint8Array[] = [];
  private headIndex = 0;
  /** Bytes of the head chunk already taken. */
  private headOffset = 0;
  private pending = 0;

  constructor(readonly pendingBytesMax: number) {
    assert(Number.isSafeInteger(pendingBytesMax) && pendingBytesMax > 0, `pendingBytesMax must be a positive integer, got ${pendingBytesMax}`);
  }

  /** Bytes pushed and not yet taken or discarded. */
  get pendingBytes(): number {
    return this.pending;
  }

  /**
   * Appends a chunk. Returns false, and keeps nothing of it, when it would take the
   * pending bytes above pendingBytesMax. The reader keeps a reference: the caller must not
   * reuse the chunk's memory (Node's socket chunks are fresh for each 'data' event).
   */
  push(chunk: Uint8Array): boolean {
    if (this.pending + chunk.length > this.pendingBytesMax) return false;
    if (chunk.length === 0) return true;
    this.chunks.push(chunk);
    this.pending += chunk.length;
    return true;
  }

  /** The next n bytes, removed from the reader, or undefined while fewer are pending. */
  take(lengthBytes: number): Uint8Array | undefined {
    assert(Number.isSafeInteger(lengthBytes) && lengthBytes >= 0, `take length must be a non-negative integer, got ${lengthBytes}`);
    if (lengthBytes > this.pending) return undefined;
    if (lengthBytes === 0) return new Uint8Array(0);
    const head = this.chunks[this.headIndex];
    assert(head !== undefined, 'pending bytes without a chunk');
    if (head.length - this.headOffset >= lengthBytes) {
      const frame = head.subarray(this.headOffset, this.headOffset + lengthBytes);
      this.advance(lengthBytes);
      return frame;
    }
    const frame = new Uint8Array(lengthBytes);
    let filled = 0;
    while (filled < lengthBytes) {
      const chunk = this.chunks[this.headIndex];
      assert(chunk !== undefined, 'ran out of chunks while taking pending bytes');
      const available = Math.min(chunk.length - this.headOffset, lengthBytes - filled);
      frame.set(chunk.subarray(this.headOffset, this.headOffset + available), filled);
      filled += available;
      this.advance(available);
    }
    return frame;
  }

  /** Discards up to n pending bytes; returns how many it discarded. */
  discard(lengthBytes: number): number {
    assert(Number.isSafeInteger(lengthBytes) && lengthBytes >= 0, `discard length must be a non-negative integer, got ${lengthBytes}`);
    let skipped = 0;
    while (skipped < lengthBytes && this.headIndex < this.chunks.length) {
      const chunk = this.chunks[this.headIndex]!;
      const available = Math.min(chunk.length - this.headOffset, lengthBytes - skipped);
      skipped += available;
      this.advance(available);
    }
    return skipped;
  }

  /** Everything pending, removed from the reader (for handing over to the next phase). */
  takeAll(): Uint8Array {
    const all = this.take(this.pending);
    assert(all !== undefined, 'takeAll could not take the pending bytes');
    return all;
  }

  /** Consumes n bytes of the head chunk, which the caller checked it holds. */
  private advance(lengthBytes: number): void {
    const head = this.chunks[this.headIndex]!;
    this.headOffset += lengthBytes;
    this.pending -= lengthBytes;
    if (this.headOffset === head.length) {
      this.headIndex += 1;
      this.headOffset = 0;
      // Dropping consumed chunks one by one would make byte-at-a-time input quadratic.
      if (this.headIndex === this.chunks.length) {
        this.chunks = [];
        this.headIndex = 0;
      } else if (this.headIndex >= 1024) {
        this.chunks = this.chunks.slice(this.headIndex);
        this.headIndex = 0;
      }
    }
  }
}
