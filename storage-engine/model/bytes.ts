// The primitives every model codec is built from: a growable writer and a bounds-checked
// reader. Integers are unsigned LEB128 varints, which are compact for the small numbers a
// model mostly holds; fixed-width big-endian integers are used only inside storage keys,
// where byte order must equal numeric order. The reader never trusts its input: every read
// names the field it is reading so that an INVALID_ARGUMENT error says what is wrong, and varints
// must be minimal so that one value has exactly one encoding.

import { assert, VstorError } from './errors.ts';

const UINT32_RANGE = 0x1_0000_0000;
const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export const EMPTY_BYTES = new Uint8Array(0);

export function utf8Bytes(text: string): Uint8Array {
  return textEncoder.encode(text);
}

/** Byte-wise lexicographic order, the order of keys in the database. */
export function compareBytes(left: Uint8Array, right: Uint8Array): number {
  const length = Math.min(left.length, right.length);
  for (let offset = 0; offset < length; offset++) {
    const difference = left[offset]! - right[offset]!;
    if (difference !== 0) return difference;
  }
  return left.length - right.length;
}

export function equalBytes(left: Uint8Array, right: Uint8Array): boolean {
  return left.length === right.length && compareBytes(left, right) === 0;
}

/** A plain Uint8Array copy: not a view, and not a Buffer, whatever the input was. */
export function copyBytes(bytes: Uint8Array): Uint8Array {
  const copy = new Uint8Array(bytes.length);
  copy.set(bytes);
  return copy;
}

export function concatBytes(...parts: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const part of parts) length += part.length;
  const result = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    result.set(part, offset);
    offset += part.length;
  }
  return result;
}

/** How many bytes ByteWriter.varint() writes for `value`. */
export function varintBytes(value: number): number {
  let bytes = 1;
  while (value >= 0x80) {
    value = Math.floor(value / 0x80);
    bytes++;
  }
  return bytes;
}

/** How many bytes ByteWriter.bytes() writes for `length` bytes. */
export function lengthPrefixedBytes(length: number): number {
  return varintBytes(length) + length;
}

export class ByteWriter {
  private buffer: Uint8Array;
  private length = 0;

  constructor(initialBytes = 64, buffer?: Uint8Array) {
    this.buffer = buffer ?? new Uint8Array(initialBytes);
  }

  /**
   * A writer of exactly `bytes` bytes for a record that goes straight into a database
   * batch, which copies it: its buffer is a view into Node's shared allocation pool
   * (Buffer.allocUnsafe), far cheaper than a typed array of its own for a few hundred
   * bytes. Write exactly `bytes` bytes, and do not keep the result.
   */
  static forBatch(bytes: number): ByteWriter {
    const pooled = Buffer.allocUnsafe(bytes);
    return new ByteWriter(bytes, new Uint8Array(pooled.buffer, pooled.byteOffset, bytes));
  }

  get byteLength(): number {
    return this.length;
  }

  uint8(value: number): this {
    assert(Number.isInteger(value) && value >= 0 && value <= 0xff, () => `uint8 out of range: ${value}`);
    this.reserve(1);
    this.buffer[this.length++] = value;
    return this;
  }

  varint(value: number): this {
    assert(Number.isSafeInteger(value) && value >= 0, () => `varint out of range: ${value}`);
    this.reserve(varintBytes(value));
    while (value >= 0x80) {
      this.buffer[this.length++] = (value % 0x80) | 0x80;
      value = Math.floor(value / 0x80);
    }
    this.buffer[this.length++] = value;
    return this;
  }

  uint32BigEndian(value: number): this {
    assert(Number.isInteger(value) && value >= 0 && value < UINT32_RANGE, () => `uint32 out of range: ${value}`);
    this.reserve(4);
    new DataView(this.buffer.buffer, this.buffer.byteOffset).setUint32(this.length, value);
    this.length += 4;
    return this;
  }

  /** Eight bytes, big-endian, for a safe integer: sorts like the number. */
  uint64BigEndian(value: number): this {
    assert(Number.isSafeInteger(value) && value >= 0, () => `uint64 out of range: ${value}`);
    this.uint32BigEndian(Math.floor(value / UINT32_RANGE));
    return this.uint32BigEndian(value % UINT32_RANGE);
  }

  /** Bytes with their length in front. */
  bytes(value: Uint8Array): this {
    this.varint(value.length);
    return this.raw(value);
  }

  string(value: string): this {
    return this.bytes(textEncoder.encode(value));
  }

  /** Bytes without a length: only for the last field, or a field of known size. */
  raw(value: Uint8Array): this {
    this.reserve(value.length);
    this.buffer.set(value, this.length);
    this.length += value.length;
    return this;
  }

  /**
   * The bytes written so far, which later writes do not change: a copy, or the buffer itself
   * when the writer was sized exactly (a later write would grow into a new buffer).
   */
  finish(): Uint8Array {
    if (this.length === this.buffer.length) return this.buffer;
    return this.buffer.slice(0, this.length);
  }

  private reserve(bytes: number): void {
    if (this.length + bytes <= this.buffer.length) return;
    let capacity = this.buffer.length * 2;
    while (capacity < this.length + bytes) capacity *= 2;
    const grown = new Uint8Array(capacity);
    grown.set(this.buffer.subarray(0, this.length));
    this.buffer = grown;
  }
}

/**
 * Reads what ByteWriter wrote. `subject` names the whole thing being decoded ("command",
 * "snapshot record"), and each read names its field, so errors read like
 * "command: put.value: truncated (needs 12 bytes at offset 30, has 4)".
 */
export class ByteReader {
  private offset = 0;

  constructor(
    private readonly input: Uint8Array,
    private readonly subject: string,
  ) {}

  get remainingBytes(): number {
    return this.input.length - this.offset;
  }

  get position(): number {
    return this.offset;
  }

  malformed(field: string, problem: string): VstorError {
    return new VstorError('INVALID_ARGUMENT', `${this.subject}: ${field}: ${problem}`);
  }

  uint8(field: string): number {
    this.need(field, 1);
    return this.input[this.offset++]!;
  }

  varint(field: string): number {
    let value = 0;
    let scale = 1;
    for (let index = 0; index < 8; index++) {
      const byte = this.uint8(field);
      value += (byte & 0x7f) * scale;
      if ((byte & 0x80) === 0) {
        if (byte === 0 && index > 0) throw this.malformed(field, 'varint is not minimally encoded');
        if (!Number.isSafeInteger(value)) throw this.malformed(field, 'varint exceeds 2^53 - 1');
        return value;
      }
      scale *= 0x80;
    }
    throw this.malformed(field, 'varint longer than 8 bytes');
  }

  uint32BigEndian(field: string): number {
    this.need(field, 4);
    const value = new DataView(this.input.buffer, this.input.byteOffset).getUint32(this.offset);
    this.offset += 4;
    return value;
  }

  uint64BigEndian(field: string): number {
    const high = this.uint32BigEndian(field);
    const low = this.uint32BigEndian(field);
    const value = high * UINT32_RANGE + low;
    if (!Number.isSafeInteger(value)) throw this.malformed(field, 'uint64 exceeds 2^53 - 1');
    return value;
  }

  boolean(field: string): boolean {
    const value = this.uint8(field);
    if (value > 1) throw this.malformed(field, `boolean must be 0 or 1, got ${value}`);
    return value === 1;
  }

  /** Length-prefixed bytes, copied so that the result does not pin the input buffer. */
  bytes(field: string, bytesMax: number): Uint8Array {
    const length = this.varint(field);
    if (length > bytesMax) throw this.malformed(field, `length ${length} exceeds the limit of ${bytesMax} bytes`);
    return this.raw(field, length);
  }

  /** Length-prefixed UTF-8, decoded straight from the input (a string pins nothing). */
  string(field: string, bytesMax: number): string {
    const length = this.varint(field);
    if (length > bytesMax) throw this.malformed(field, `length ${length} exceeds the limit of ${bytesMax} bytes`);
    this.need(field, length);
    const bytes = this.input.subarray(this.offset, this.offset + length);
    this.offset += length;
    try {
      return textDecoder.decode(bytes);
    } catch {
      throw this.malformed(field, 'not valid UTF-8');
    }
  }

  /** Steps over `length` bytes already checked by other means (a tag). */
  stepOver(field: string, length: number): void {
    this.need(field, length);
    this.offset += length;
  }

  raw(field: string, length: number): Uint8Array {
    this.need(field, length);
    const value = copyBytes(this.input.subarray(this.offset, this.offset + length));
    this.offset += length;
    return value;
  }

  /** Everything not read yet, as a copy. */
  rest(): Uint8Array {
    const value = copyBytes(this.input.subarray(this.offset));
    this.offset = this.input.length;
    return value;
  }

  /** Trailing bytes mean the writer and reader disagree on the format. */
  expectEnd(): void {
    if (this.offset !== this.input.length) {
      throw this.malformed('end', `${this.input.length - this.offset} unexpected trailing bytes`);
    }
  }

  private need(field: string, length: number): void {
    if (this.offset + length > this.input.length) {
      throw this.malformed(
        field,
        `truncated (needs ${length} bytes at offset ${this.offset}, has ${this.input.length - this.offset})`,
      );
    }
  }
}
