// The value stored under a block key: kind u8 ‖ crc32c u32 BE ‖ payload. A data version's
// payload is the 4 KiB block; a tombstone (trimmed or zeroed block) has none and reads as
// zeros while hiding older epochs' data.
//
// The checksum covers the key as well as the kind and payload, so a value that landed under
// the wrong key (a misdirected write, a bad copy) fails the check just as a flipped bit
// does. Every record is checked when read back; a mismatch is CORRUPTION naming the vDisk,
// block and epoch, never zeros or silent bad data.

import { crc32c } from '../crc32c.ts';
import { VstorError } from '../errors.ts';
import { BLOCK_BYTES, decodeBlockKey } from './keys.ts';

export const KIND_DATA = 1;
export const KIND_TOMBSTONE = 2;
const HEADER_BYTES = 1 + 4;

export type BlockVersion = { kind: 'data'; bytes: Uint8Array } | { kind: 'tombstone' };

/** The kind byte of each record kind, made once rather than on every checksum. */
const KIND_BYTES = new Map([KIND_DATA, KIND_TOMBSTONE].map((kind) => [kind, Uint8Array.of(kind)]));

function checksum(key: Uint8Array, kind: number, payload: Uint8Array): number {
  return crc32c(payload, crc32c(KIND_BYTES.get(kind) ?? Uint8Array.of(kind), crc32c(key)));
}

export function encodeDataRecord(key: Uint8Array, block: Uint8Array): Uint8Array {
  if (block.length !== BLOCK_BYTES) throw new RangeError(`a block is ${BLOCK_BYTES} bytes, got ${block.length}`);
  const value = new Uint8Array(HEADER_BYTES + BLOCK_BYTES);
  value[0] = KIND_DATA;
  new DataView(value.buffer).setUint32(1, checksum(key, KIND_DATA, block));
  value.set(block, HEADER_BYTES);
  return value;
}

export function encodeTombstoneRecord(key: Uint8Array): Uint8Array {
  const value = new Uint8Array(HEADER_BYTES);
  value[0] = KIND_TOMBSTONE;
  new DataView(value.buffer).setUint32(1, checksum(key, KIND_TOMBSTONE, new Uint8Array(0)));
  return value;
}

function corruption(key: Uint8Array, what: string): VstorError {
  const fields = decodeBlockKey(key);
  const where = fields === undefined
    ? 'an unparseable block key'
    : `vdisk ${fields.vdiskId} block ${fields.blockIndex} epoch ${fields.epoch}`;
  return new VstorError('CORRUPTION', `${where}: ${what}`);
}

/** Decodes and verifies one stored version; throws CORRUPTION if it is not what was written. */
export function decodeBlockRecord(key: Uint8Array, value: Uint8Array): BlockVersion {
  if (value.length < HEADER_BYTES) throw corruption(key, `record of ${value.length} bytes is shorter than its header`);
  const kind = value[0]!;
  const expectedBytes = kind === KIND_DATA ? HEADER_BYTES + BLOCK_BYTES : kind === KIND_TOMBSTONE ? HEADER_BYTES : -1;
  if (expectedBytes < 0) throw corruption(key, `unknown record kind ${kind}`);
  if (value.length !== expectedBytes) throw corruption(key, `record of kind ${kind} has ${value.length} bytes, expected ${expectedBytes}`);
  const payload = value.subarray(HEADER_BYTES);
  const stored = new DataView(value.buffer, value.byteOffset, value.byteLength).getUint32(1);
  const computed = checksum(key, kind, payload);
  if (stored !== computed) {
    throw corruption(key, `checksum mismatch (stored ${stored.toString(16)}, computed ${computed.toString(16)})`);
  }
  return kind === KIND_DATA ? { kind: 'data', bytes: payload } : { kind: 'tombstone' };
}

/**
 * The block inside a data record this process has just encoded (a view, not a copy), or
 * undefined for a tombstone. Not for records read back: those are checked by decodeBlockRecord.
 */
export function encodedPayload(value: Uint8Array): Uint8Array | undefined {
  return value[0] === KIND_DATA && value.length === HEADER_BYTES + BLOCK_BYTES ? value.subarray(HEADER_BYTES) : undefined;
}

/** The kind of a stored record without verifying it (for allocation maps that skip payloads). */
export function recordKind(value: Uint8Array): 'data' | 'tombstone' {
  return value[0] === KIND_DATA ? 'data' : 'tombstone';
}
