// Big-endian field writing and bounds-checked reading for the NBD codec. A ByteWriter is
// sized up front by its caller, so an encoder allocates exactly once; a ByteCursor never
// reads past its input and reports a short read as undefined instead of throwing, which
// is how truncated option payloads become NBD_REP_ERR_INVALID rather than a crash.
import { assert } from './errors.ts';

const U32_MAX = 0xffffffff;
const U64_MAX = 0xffffffffffffffffn;

export class ByteWriter {
  readonly bytes: Uint8Array;
  private readonly view: DataView;
  private offset = 0;

  constructor(lengthBytes: number) {
    this.bytes = new Uint8Array(lengthBytes);
    this.view = new DataView(this.bytes.buffer);
  }

  u16(value: number): this {
    assert(Number.isInteger(value) && value >= 0 && value <= 0xffff, `u16 out of range: ${value}`);
    this.view.setUint16(this.offset, value);
    this.offset += 2;
    return this;
  }

  u32(value: number): this {
    assert(Number.isInteger(value) && value >= 0 && value <= U32_MAX, `u32 out of range: ${value}`);
    this.view.setUint32(this.offset, value);
    this.offset += 4;
    return this;
  }

  u64(value: bigint | number): this {
    assert(typeof value === 'bigint' || Number.isSafeInteger(value), `u64 out of range: ${value}`);
    const big = BigInt(value);
    assert(big >= 0n && big <= U64_MAX, `u64 out of range: ${value}`);
    this.view.setBigUint64(this.offset, big);
    this.offset += 8;
    return this;
  }

  raw(data: Uint8Array): this {
    this.bytes.set(data, this.offset);
    this.offset += data.length;
    return this;
  }

  /** Skips bytes that stay zero (reserved fields). */
  zeroes(lengthBytes: number): this {
    this.offset += lengthBytes;
    return this;
  }

  /** The finished message; asserts the caller sized it exactly. */
  done(): Uint8Array {
    assert(this.offset === this.bytes.length, `encoder wrote ${this.offset} of ${this.bytes.length} bytes`);
    return this.bytes;
  }
}

export class ByteCursor {
  private readonly view: DataView;
  private offset = 0;

  constructor(private readonly data: Uint8Array) {
    this.view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  }

  get remainingBytes(): number {
    return this.data.length - this.offset;
  }

  u16(): number | undefined {
    if (this.remainingBytes < 2) return undefined;
    const value = this.view.getUint16(this.offset);
    this.offset += 2;
    return value;
  }

  u32(): number | undefined {
    if (this.remainingBytes < 4) return undefined;
    const value = this.view.getUint32(this.offset);
    this.offset += 4;
    return value;
  }

  raw(lengthBytes: number): Uint8Array | undefined {
    if (this.remainingBytes < lengthBytes) return undefined;
    const value = this.data.subarray(this.offset, this.offset + lengthBytes);
    this.offset += lengthBytes;
    return value;
  }
}

const utf8Decoder = new TextDecoder('utf-8', { fatal: true });
const utf8Encoder = new TextEncoder();

/** Decodes a protocol string: valid UTF-8 without NUL, or undefined. */
export function decodeString(data: Uint8Array): string | undefined {
  if (data.includes(0)) return undefined;
  try {
    return utf8Decoder.decode(data);
  } catch {
    return undefined;
  }
}

export function encodeString(text: string): Uint8Array {
  return utf8Encoder.encode(text);
}
