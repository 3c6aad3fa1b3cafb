// The byte encodings of the durable Raft log's records (the key layout and the reasons for
// it are at the top of raft-log-storage.ts), each in the checksummed frame of
// record-format.ts. Decoding checks everything and throws CORRUPTION or UNSUPPORTED_FORMAT.

import type { ConfState, Entry, HardState, RaftSnapshotMetadata } from '../consensus/types.ts';
import { EntryType } from '../consensus/types.ts';
import { VstorError } from './errors.ts';
import { CHECKSUM_BYTES, RecordReader, RecordWriter, UINT32_BYTES, UINT53_BYTES } from './record-format.ts';

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
      throw new VstorError('CORRUPTION', `the snapshot metadata record claims ${count} nodes in a list but is too short`);
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
  if (storedIndex !== index) throw new VstorError('CORRUPTION', `${what} holds index ${storedIndex}`);
  if (type !== EntryType.Normal && type !== EntryType.ConfChange) {
    throw new VstorError('CORRUPTION', `${what} has unknown entry type ${type}`);
  }
  const data = reader.bytes(reader.remainingBytes());
  reader.done();
  return { index, term, type, data };
}
