// The frame every record of storage-engine/ is written in:
//
//   [format u8] [body …] [crc32c u32, big-endian]
//
// where the checksum covers the record's key and then every value byte before it. Covering
// the key catches a value that turns up under the wrong key, which a checksum of the value
// alone cannot. Integers are unsigned and at most 2^53 - 1 (JavaScript's safe integers),
// written as 8 bytes big-endian. Reading verifies checksum and format before any field, and
// every bounds or range failure is CORRUPTION: a reader never returns what it could not
// fully account for.

import { assert } from '../consensus/errors.ts';
import { crc32c } from './crc32c.ts';
import { VstorError } from './errors.ts';

export const FORMAT_VERSION = 1;
export const FORMAT_BYTES = 1;
export const CHECKSUM_BYTES = 4;
export const UINT53_BYTES = 8;
export const UINT32_BYTES = 4;
const TWO_TO_32 = 0x1_0000_0000;
const UINT53_HIGH_MAX = 0x1f_ffff;

export class RecordWriter {
  private readonly bytes: Uint8Array;
  private readonly view: DataView;
  private position = FORMAT_BYTES;

  constructor(bodyBytes: number) {
    this.bytes = new Uint8Array(FORMAT_BYTES + bodyBytes + CHECKSUM_BYTES);
    this.view = new DataView(this.bytes.buffer);
    this.bytes[0] = FORMAT_VERSION;
  }

  uint8(value: number): void {
    this.view.setUint8(this.position, value);
    this.position += 1;
  }

  uint32(value: number): void {
    this.view.setUint32(this.position, value);
    this.position += UINT32_BYTES;
  }

  uint53(value: number): void {
    this.view.setUint32(this.position, Math.floor(value / TWO_TO_32));
    this.view.setUint32(this.position + UINT32_BYTES, value >>> 0);
    this.position += UINT53_BYTES;
  }

  /** Copies `bytes` in and returns where they landed, so a caller can keep a view of them. */
  bytesAt(bytes: Uint8Array): number {
    const at = this.position;
    this.bytes.set(bytes, at);
    this.position += bytes.length;
    return at;
  }

  finish(key: Uint8Array): Uint8Array {
    assert(this.position === this.bytes.length - CHECKSUM_BYTES, () => `record body is ${this.position - FORMAT_BYTES} bytes, expected ${this.bytes.length - FORMAT_BYTES - CHECKSUM_BYTES}`);
    this.view.setUint32(this.position, crc32c(this.bytes.subarray(0, this.position), crc32c(key)));
    return this.bytes;
  }
}

export class RecordReader {
  private readonly value: Uint8Array;
  private readonly view: DataView;
  private readonly what: string;
  private readonly end: number;
  private position = FORMAT_BYTES;
  readonly checksum: number;

  /** Verifies the checksum and the format version before any field is read. */
  constructor(key: Uint8Array, value: Uint8Array, what: string) {
    this.value = value;
    this.what = what;
    this.view = new DataView(value.buffer, value.byteOffset, value.byteLength);
    if (value.length < FORMAT_BYTES + CHECKSUM_BYTES) {
      throw new VstorError('CORRUPTION', `${what} is ${value.length} bytes, too short to be a record`);
    }
    this.end = value.length - CHECKSUM_BYTES;
    this.checksum = this.view.getUint32(this.end);
    const computed = crc32c(value.subarray(0, this.end), crc32c(key));
    if (computed !== this.checksum) {
      throw new VstorError('CORRUPTION', `${what} fails its checksum (stored ${hex(this.checksum)}, computed ${hex(computed)})`);
    }
    if (value[0] !== FORMAT_VERSION) {
      throw new VstorError('UNSUPPORTED_FORMAT', `${what} has format version ${value[0]}; this build reads version ${FORMAT_VERSION}`);
    }
  }

  private take(bytes: number): number {
    if (this.position + bytes > this.end) {
      throw new VstorError('CORRUPTION', `${this.what} ends before its last field`);
    }
    const at = this.position;
    this.position += bytes;
    return at;
  }

  uint8(): number {
    return this.view.getUint8(this.take(1));
  }

  uint32(): number {
    return this.view.getUint32(this.take(UINT32_BYTES));
  }

  uint53(): number {
    const at = this.take(UINT53_BYTES);
    const high = this.view.getUint32(at);
    if (high > UINT53_HIGH_MAX) throw new VstorError('CORRUPTION', `${this.what} holds an integer above 2^53 - 1`);
    return high * TWO_TO_32 + this.view.getUint32(at + UINT32_BYTES);
  }

  boolean(): boolean {
    const byte = this.uint8();
    if (byte > 1) throw new VstorError('CORRUPTION', `${this.what} holds ${byte} where a boolean belongs`);
    return byte === 1;
  }

  /** How many bytes are left before the checksum. */
  remainingBytes(): number {
    return this.end - this.position;
  }

  /** A view (not a copy) of the next `length` bytes, as a plain Uint8Array. */
  bytes(length: number): Uint8Array {
    const at = this.take(length);
    return new Uint8Array(this.value.buffer, this.value.byteOffset + at, length);
  }

  done(): void {
    if (this.position !== this.end) {
      throw new VstorError('CORRUPTION', `${this.what} has ${this.end - this.position} bytes after its last field`);
    }
  }
}

function hex(value: number): string {
  return `0x${value.toString(16).padStart(8, '0')}`;
}
