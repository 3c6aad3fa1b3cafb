// The byte encodings of the durable Raft log's records (the key layout and the reasons for
// it are at the top of raft-log-storage.ts). Every value is
//
//   [format u8 = 1] [body …] [crc32c u32, big-endian]
//
// where the checksum covers the record's key and then every value byte before it. Covering
// the key catches a value that turns up under the wrong key, which a checksum of the value
// alone cannot. Integers are unsigned and at most 2^53 - 1 (JavaScript's safe integers),
// written as 8 bytes big-endian. Decoding checks everything and throws CORRUPTION or
// UNSUPPORTED_FORMAT; it never returns a value it could not fully account for.

import { assert } from '../consensus/errors.ts';
import type { ConfState, Entry, HardState, RaftSnapshotMetadata } from '../consensus/types.ts';
import { EntryType } from '../consensus/types.ts';
import { crc32c } from './crc32c.ts';
import { StorageError } from './errors.ts';

export const FORMAT_VERSION = 1;
const FORMAT_BYTES = 1;
const CHECKSUM_BYTES = 4;
const UINT53_BYTES = 8;
const UINT32_BYTES = 4;
const TWO_TO_32 = 0x1_0000_0000;
const UINT53_HIGH_MAX = 0x1f_ffff;

/** The index and term of the last entry discarded from the front of the log. */
export interface LogPosition {
  index: number;
  term: number;
}

/** Snapshot metadata as stored: it pins the snapshot data record it belongs with. */
export interface StoredSnapshotMetadata {
  metadata: RaftSnapshotMetadata;
  dataBytes: number;
  /** The checksum that ends the snapshot data record. */
  dataChecksum: number;
}

class RecordWriter {
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

class RecordReader {
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
      throw new StorageError('CORRUPTION', `${what} is ${value.length} bytes, too short to be a record`);
    }
    this.end = value.length - CHECKSUM_BYTES;
    this.checksum = this.view.getUint32(this.end);
    const computed = crc32c(value.subarray(0, this.end), crc32c(key));
    if (computed !== this.checksum) {
      throw new StorageError('CORRUPTION', `${what} fails its checksum (stored ${hex(this.checksum)}, computed ${hex(computed)})`);
    }
    if (value[0] !== FORMAT_VERSION) {
      throw new StorageError('UNSUPPORTED_FORMAT', `${what} has format version ${value[0]}; this build reads version ${FORMAT_VERSION}`);
    }
  }

  private take(bytes: number): number {
    if (this.position + bytes > this.end) {
      throw new StorageError('CORRUPTION', `${this.what} ends before its last field`);
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
    if (high > UINT53_HIGH_MAX) throw new StorageError('CORRUPTION', `${this.what} holds an integer above 2^53 - 1`);
    return high * TWO_TO_32 + this.view.getUint32(at + UINT32_BYTES);
  }

  boolean(): boolean {
    const byte = this.uint8();
    if (byte > 1) throw new StorageError('CORRUPTION', `${this.what} holds ${byte} where a boolean belongs`);
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
      throw new StorageError('CORRUPTION', `${this.what} has ${this.end - this.position} bytes after its last field`);
    }
  }
}

function hex(value: number): string {
  return `0x${value.toString(16).padStart(8, '0')}`;
}

export function encodeHardState(key: Uint8Array, hardState: HardState): Uint8Array {
  const writer = new RecordWriter(3 * UINT53_BYTES);
  writer.uint53(hardState.term);
  writer.uint53(hardState.vote);
  writer.uint53(hardState.commit);
  return writer.finish(key);
}

export function decodeHardState(key: Uint8Array, value: Uint8Array): HardState {
  const reader = new RecordReader(key, value, 'the hard state record');
  const hardState = { term: reader.uint53(), vote: reader.uint53(), commit: reader.uint53() };
  reader.done();
  return hardState;
}

export function encodeLogPosition(key: Uint8Array, position: LogPosition): Uint8Array {
  const writer = new RecordWriter(2 * UINT53_BYTES);
  writer.uint53(position.index);
  writer.uint53(position.term);
  return writer.finish(key);
}

export function decodeLogPosition(key: Uint8Array, value: Uint8Array): LogPosition {
  const reader = new RecordReader(key, value, 'the compaction point record');
  const position = { index: reader.uint53(), term: reader.uint53() };
  reader.done();
  return position;
}

const NODE_LIST_COUNT = 4;

function confStateBytes(confState: ConfState): number {
  const nodes = confState.voters.length + confState.learners.length + confState.votersOutgoing.length + confState.learnersNext.length;
  return 1 + NODE_LIST_COUNT * UINT32_BYTES + nodes * UINT53_BYTES;
}

export function encodeSnapshotMetadata(key: Uint8Array, stored: StoredSnapshotMetadata): Uint8Array {
  const { metadata } = stored;
  const writer = new RecordWriter(3 * UINT53_BYTES + UINT32_BYTES + confStateBytes(metadata.confState));
  writer.uint53(metadata.index);
  writer.uint53(metadata.term);
  writer.uint53(stored.dataBytes);
  writer.uint32(stored.dataChecksum);
  writer.uint8(metadata.confState.autoLeave ? 1 : 0);
  for (const nodes of [metadata.confState.voters, metadata.confState.learners, metadata.confState.votersOutgoing, metadata.confState.learnersNext]) {
    writer.uint32(nodes.length);
    for (const node of nodes) writer.uint53(node);
  }
  return writer.finish(key);
}

export function decodeSnapshotMetadata(key: Uint8Array, value: Uint8Array): StoredSnapshotMetadata {
  const reader = new RecordReader(key, value, 'the snapshot metadata record');
  const index = reader.uint53();
  const term = reader.uint53();
  const dataBytes = reader.uint53();
  const dataChecksum = reader.uint32();
  const autoLeave = reader.boolean();
  const readNodes = (): number[] => {
    const count = reader.uint32();
    // Checked before allocating, so that a corrupt count cannot ask for gigabytes.
    if (count * UINT53_BYTES > reader.remainingBytes()) {
      throw new StorageError('CORRUPTION', `the snapshot metadata record claims ${count} nodes in a list but is too short`);
    }
    return Array.from({ length: count }, () => reader.uint53());
  };
  const confState: ConfState = { voters: readNodes(), learners: readNodes(), votersOutgoing: readNodes(), learnersNext: readNodes(), autoLeave };
  reader.done();
  return { metadata: { index, term, confState }, dataBytes, dataChecksum };
}

/**
 * The snapshot data record, the checksum that ends it (for the metadata to pin), and a view
 * of the data inside the record (for the in-memory snapshot, which so shares nothing with
 * the caller).
 */
export function encodeSnapshotData(key: Uint8Array, data: Uint8Array): { value: Uint8Array; checksum: number; stored: Uint8Array } {
  const writer = new RecordWriter(data.length);
  const at = writer.bytesAt(data);
  const value = writer.finish(key);
  return {
    value,
    checksum: new DataView(value.buffer).getUint32(value.length - CHECKSUM_BYTES),
    stored: value.subarray(at, at + data.length),
  };
}

export function decodeSnapshotData(key: Uint8Array, value: Uint8Array): { data: Uint8Array; checksum: number } {
  const reader = new RecordReader(key, value, 'the snapshot data record');
  const data = reader.bytes(reader.remainingBytes());
  reader.done();
  return { data, checksum: reader.checksum };
}

const ENTRY_HEADER_BYTES = 2 * UINT53_BYTES + 1;

/**
 * The entry record, and a copy of the entry whose data is a view into that record: the
 * in-memory log then shares nothing with the caller, at the cost of no second copy.
 */
export function encodeEntry(key: Uint8Array, entry: Entry): { value: Uint8Array; stored: Entry } {
  const writer = new RecordWriter(ENTRY_HEADER_BYTES + entry.data.length);
  writer.uint53(entry.index);
  writer.uint53(entry.term);
  writer.uint8(entry.type);
  const at = writer.bytesAt(entry.data);
  const value = writer.finish(key);
  const data = value.subarray(at, at + entry.data.length);
  return { value, stored: { index: entry.index, term: entry.term, type: entry.type, data } };
}

export function decodeEntry(key: Uint8Array, value: Uint8Array, index: number): Entry {
  const what = `the record of entry ${index}`;
  const reader = new RecordReader(key, value, what);
  const storedIndex = reader.uint53();
  const term = reader.uint53();
  const type = reader.uint8();
  if (storedIndex !== index) throw new StorageError('CORRUPTION', `${what} holds index ${storedIndex}`);
  if (type !== EntryType.Normal && type !== EntryType.ConfChange) {
    throw new StorageError('CORRUPTION', `${what} has unknown entry type ${type}`);
  }
  const data = reader.bytes(reader.remainingBytes());
  reader.done();
  return { index, term, type, data };
}
