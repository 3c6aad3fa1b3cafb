// The records of the Raft log's write-ahead log (the file layout is at the top of
// wal-log-storage.ts). Each record is one frame, 8-byte aligned:
//
//   offset  0  u32  valueBytes     length of the value; 0 marks the end of the written part
//   offset  4  u32  syncedBytes    bytes of this segment on stable storage when it was written
//   offset  8  u8   type           RecordType
//   offset  9  u8   flags          bit 0: the last record of its batch (one save())
//   offset 10  u16  0
//   offset 12  u32  frameChecksum  CRC32C of bytes 0..11, continued over the value's checksum
//   offset 16       value          a record of record-format.ts: [format] [body] [crc32c],
//                                  its checksum taken over the key [type] and the value
//   then zeros up to the next multiple of 8
//
// The checksum is per record, not chained as etcd chains it: segments are never reused (each
// is a fresh zero-filled file), so no stale record of an earlier life can sit where a
// current one belongs, and a per-record checksum lets replay recognise a valid record on its
// own, which the torn-tail rule needs (a valid record after a bad one, written once the bad
// one was already synced, means corruption, not a torn write). The value keeps the checksum
// its record-format encoding gives it, so each byte is summed once on the write path; the
// frame checksum covers the header and, through the value's checksum, the value.
//
// Records of one save() form a batch whose last record is flagged: replay applies a batch
// only once it has seen the flag, so a Ready is all there or not there at all.

import type { Entry, HardState } from '../../consensus/types.ts';
import { crc32c } from '../crc32c.ts';
import { VstorError } from '../errors.ts';
import type { LogPosition, StoredSnapshotMetadata } from '../raft-log-records.ts';
import { decodeEntry, decodeHardState, decodeLogPosition, decodeSnapshotMetadata, encodeEntry, encodeHardState, encodeLogPosition, encodeSnapshotMetadata } from '../raft-log-records.ts';
import { CHECKSUM_BYTES, RecordReader, RecordWriter, UINT53_BYTES } from '../record-format.ts';

export const RecordType = {
  /** First batch of every segment: where it continues from, and the log's state there. */
  segment: 1,
  entry: 2,
  hardState: 3,
  /** The snapshot's metadata and the length and checksum of its data file. */
  snapshot: 4,
  /** compact(): entries up to index are dropped; index and term become the compaction point. */
  compact: 5,
  /** A snapshot replaced the whole log: no entries, index and term are the compaction point. */
  reset: 6,
} as const;
export type RecordType = (typeof RecordType)[keyof typeof RecordType];

export const FRAME_HEADER_BYTES = 16;
const FRAME_ALIGNMENT_BYTES = 8;
const LAST_IN_BATCH = 1;
const TYPE_KEYS: readonly Uint8Array[] = Array.from({ length: 7 }, (_, type) => Uint8Array.of(type));

/** The header of a segment: which one it is and the log's shape where it starts. */
export interface SegmentHeader {
  sequence: number;
  /** Bytes the previous segment holds (0 for the first segment ever). */
  previousSegmentBytes: number;
  /** lastIndex() when the segment was started; entries up to it lie in earlier segments. */
  lastIndex: number;
  compactionPoint: LogPosition;
}

export type WalRecord =
  | { type: typeof RecordType.segment; header: SegmentHeader }
  | { type: typeof RecordType.entry; entry: Entry }
  | { type: typeof RecordType.hardState; hardState: HardState }
  | { type: typeof RecordType.snapshot; stored: StoredSnapshotMetadata }
  | { type: typeof RecordType.compact; position: LogPosition }
  | { type: typeof RecordType.reset; position: LogPosition };

/** A record encoded as its value, ready to be framed. */
export interface EncodedRecord {
  type: RecordType;
  value: Uint8Array;
}

export function encodeSegmentHeader(header: SegmentHeader): EncodedRecord {
  const writer = new RecordWriter(5 * UINT53_BYTES);
  writer.uint53(header.sequence);
  writer.uint53(header.previousSegmentBytes);
  writer.uint53(header.lastIndex);
  writer.uint53(header.compactionPoint.index);
  writer.uint53(header.compactionPoint.term);
  return { type: RecordType.segment, value: writer.finish(TYPE_KEYS[RecordType.segment]!) };
}

function decodeSegmentHeader(value: Uint8Array): SegmentHeader {
  const reader = new RecordReader(TYPE_KEYS[RecordType.segment]!, value, 'the segment header');
  const header = {
    sequence: reader.uint53(),
    previousSegmentBytes: reader.uint53(),
    lastIndex: reader.uint53(),
    compactionPoint: { index: reader.uint53(), term: reader.uint53() },
  };
  reader.done();
  return header;
}

/** The entry record, and the entry as memory keeps it: its data a view into the record. */
export function encodeEntryRecord(entry: Entry): { record: EncodedRecord; stored: Entry } {
  const { value, stored } = encodeEntry(TYPE_KEYS[RecordType.entry]!, entry);
  return { record: { type: RecordType.entry, value }, stored };
}

export function encodeHardStateRecord(hardState: HardState): EncodedRecord {
  return { type: RecordType.hardState, value: encodeHardState(TYPE_KEYS[RecordType.hardState]!, hardState) };
}

export function encodeSnapshotRecord(stored: StoredSnapshotMetadata): EncodedRecord {
  return { type: RecordType.snapshot, value: encodeSnapshotMetadata(TYPE_KEYS[RecordType.snapshot]!, stored) };
}

export function encodePositionRecord(type: typeof RecordType.compact | typeof RecordType.reset, position: LogPosition): EncodedRecord {
  return { type, value: encodeLogPosition(TYPE_KEYS[type]!, position) };
}

function frameBytes(valueBytes: number): number {
  return Math.ceil((FRAME_HEADER_BYTES + valueBytes) / FRAME_ALIGNMENT_BYTES) * FRAME_ALIGNMENT_BYTES;
}

/** The frames of one batch, back to back, its last record flagged. */
export function frameBatch(records: readonly EncodedRecord[], syncedBytes: number): Uint8Array {
  let total = 0;
  for (const record of records) total += frameBytes(record.value.length);
  const bytes = new Uint8Array(total);
  const view = new DataView(bytes.buffer);
  let at = 0;
  for (const [position, record] of records.entries()) {
    const { value } = record;
    view.setUint32(at, value.length);
    view.setUint32(at + 4, syncedBytes);
    bytes[at + 8] = record.type;
    bytes[at + 9] = position === records.length - 1 ? LAST_IN_BATCH : 0;
    const valueChecksum = value.subarray(value.length - CHECKSUM_BYTES);
    view.setUint32(at + 12, crc32c(valueChecksum, crc32c(bytes.subarray(at, at + 12))));
    bytes.set(value, at + FRAME_HEADER_BYTES);
    at += frameBytes(value.length);
  }
  return bytes;
}

export type FrameRead =
  | { kind: 'end' }
  | { kind: 'bad'; reason: string }
  | { kind: 'record'; record: WalRecord; lastInBatch: boolean; syncedBytes: number; frameBytes: number };

/**
 * The frame at `offset` of `bytes` (a segment's contents), checked in full: header, frame
 * checksum, and the value's own checksum and encoding. Never throws for bad bytes: the
 * caller decides whether a bad frame is a torn tail or corruption.
 */
export function readFrame(bytes: Uint8Array, offset: number): FrameRead {
  if (offset + FRAME_HEADER_BYTES > bytes.length) {
    return isZero(bytes, offset, bytes.length) ? { kind: 'end' } : { kind: 'bad', reason: 'the file ends inside a record header' };
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const valueBytes = view.getUint32(offset);
  if (valueBytes === 0) return { kind: 'end' };
  const type = bytes[offset + 8]!;
  const flags = bytes[offset + 9]!;
  if (type < RecordType.segment || type > RecordType.reset) return { kind: 'bad', reason: `unknown record type ${type}` };
  if (flags > LAST_IN_BATCH || view.getUint16(offset + 10) !== 0) return { kind: 'bad', reason: 'reserved header bits are set' };
  if (valueBytes < CHECKSUM_BYTES + 1 || offset + FRAME_HEADER_BYTES + valueBytes > bytes.length) {
    return { kind: 'bad', reason: `a record of ${valueBytes} bytes does not fit in the file` };
  }
  const valueStart = offset + FRAME_HEADER_BYTES;
  const value = bytes.subarray(valueStart, valueStart + valueBytes);
  const frameChecksum = crc32c(value.subarray(valueBytes - CHECKSUM_BYTES), crc32c(bytes.subarray(offset, offset + 12)));
  if (frameChecksum !== view.getUint32(offset + 12)) return { kind: 'bad', reason: 'the record header fails its checksum' };
  let record: WalRecord;
  try {
    record = decodeValue(type as RecordType, value);
  } catch (error) {
    return { kind: 'bad', reason: error instanceof Error ? error.message : String(error) };
  }
  return { kind: 'record', record, lastInBatch: flags === LAST_IN_BATCH, syncedBytes: view.getUint32(offset + 4), frameBytes: frameBytes(valueBytes) };
}

function decodeValue(type: RecordType, value: Uint8Array): WalRecord {
  const key = TYPE_KEYS[type]!;
  switch (type) {
    case RecordType.segment:
      return { type, header: decodeSegmentHeader(value) };
    case RecordType.entry: {
      // The index is the first field after the format byte; decodeEntry checks the rest.
      if (value.length < 1 + UINT53_BYTES) throw new VstorError('CORRUPTION', 'an entry record is too short');
      const view = new DataView(value.buffer, value.byteOffset + 1, UINT53_BYTES);
      const index = view.getUint32(0) * 0x1_0000_0000 + view.getUint32(4);
      const entry = decodeEntry(key, value, index);
      // A copy, so that the in-memory log does not keep whole segment files alive.
      return { type, entry: { ...entry, data: entry.data.slice() } };
    }
    case RecordType.hardState:
      return { type, hardState: decodeHardState(key, value) };
    case RecordType.snapshot:
      return { type, stored: decodeSnapshotMetadata(key, value) };
    case RecordType.compact:
    case RecordType.reset:
      return { type, position: decodeLogPosition(key, value) };
  }
}

export function isZero(bytes: Uint8Array, from: number, to: number): boolean {
  for (let at = from; at < to; at++) if (bytes[at] !== 0) return false;
  return true;
}

/** One past the last non-zero byte of `bytes` at or after `from` (`from` if all are zero). */
export function nonZeroEnd(bytes: Uint8Array, from: number): number {
  let end = bytes.length;
  // Eight bytes at a time where aligned: a fresh segment is megabytes of zeros.
  const alignedFrom = Math.ceil((bytes.byteOffset + from) / 8) * 8 - bytes.byteOffset;
  while (end > from && ((bytes.byteOffset + end) % 8 !== 0 || end - 8 < alignedFrom)) {
    if (bytes[end - 1] !== 0) return end;
    end--;
  }
  if (end > from) {
    const words = new Float64Array(bytes.buffer, bytes.byteOffset + alignedFrom, (end - alignedFrom) / 8);
    let word = words.length;
    while (word > 0 && words[word - 1] === 0 && !Object.is(words[word - 1], -0)) word--;
    end = alignedFrom + word * 8;
    while (end > from && bytes[end - 1] === 0) end--;
  }
  return end;
}
