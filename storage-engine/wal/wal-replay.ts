// Reads a write-ahead log back into memory when it is opened. Segments are read in order
// and every record is verified; batches (one save() each) are applied whole, in order, as
// the store applied them in memory, so the result is the state after the last batch on disk.
//
// Where the log ends: in the last segment, at the first record that is absent (zeros), cut
// short or fails its checksum — a crash in the middle of an append — unless a valid record
// further on was written after that spot had already been synced (its syncedBytes says so):
// then the bad record was once durable and is CORRUPTION. A batch without its last record
// is dropped. In any other segment a bad record is CORRUPTION, and each segment's header
// must continue exactly where the previous segment ended, so that records lost from the end
// of an earlier segment are found too. Errors name the segment and the byte offset.

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Entry, HardState } from '../../consensus/types.ts';
import { emptyHardState } from '../../consensus/types.ts';
import { VstorError } from '../errors.ts';
import type { LogPosition, StoredSnapshotMetadata } from '../raft-log-records.ts';
import type { SegmentName } from './wal-files.ts';
import type { SegmentHeader, WalRecord } from './wal-records.ts';
import { nonZeroEnd, readFrame, RecordType } from './wal-records.ts';

/** A segment as the store keeps track of it. */
export interface SegmentInfo extends SegmentName {
  header: SegmentHeader;
}

/** The last segment as replay found it. */
export interface ReplayedTail {
  /** Where the next record goes. */
  writeOffset: number;
  /** Bytes from writeOffset on that are not zero (a torn tail) and must be zeroed. */
  dirtyEnd: number;
  fileBytes: number;
  /** Where the segment's header batch ends. */
  headerBytes: number;
}

export interface ReplayedLog {
  hardState: HardState;
  compactionPoint: LogPosition;
  entries: Entry[];
  /** The last snapshot marker; its data is in its own file. */
  snapshot: StoredSnapshotMetadata | undefined;
  segments: SegmentInfo[];
  tail: ReplayedTail;
}

const TAIL_ALIGNMENT_BYTES = 8;

class ReplayState {
  hardState: HardState = { ...emptyHardState };
  compactionPoint: LogPosition = { index: 0, term: 0 };
  /** Entries after the compaction point; undefined where an entry lies in a deleted segment. */
  entries: Array<Entry | undefined> = [];
  snapshot: StoredSnapshotMetadata | undefined;
  private started = false;

  constructor(private readonly where: (offset: number) => string) {}

  get lastIndex(): number {
    return this.compactionPoint.index + this.entries.length;
  }

  apply(record: WalRecord, offset: number, previousSegmentBytes: number | undefined): void {
    const fail = (message: string) => new VstorError('CORRUPTION', `${this.where(offset)}: ${message}`);
    switch (record.type) {
      case RecordType.segment: {
        const { header } = record;
        if (!this.started) {
          // The first segment kept: entries up to its lastIndex were in segments since deleted.
          if (header.lastIndex < header.compactionPoint.index) throw fail(`the header's last index ${header.lastIndex} is below its compaction point`);
          this.compactionPoint = header.compactionPoint;
          this.entries = new Array<Entry | undefined>(header.lastIndex - header.compactionPoint.index);
          this.started = true;
        } else if (
          header.previousSegmentBytes !== previousSegmentBytes ||
          header.lastIndex !== this.lastIndex ||
          header.compactionPoint.index !== this.compactionPoint.index ||
          header.compactionPoint.term !== this.compactionPoint.term
        ) {
          throw fail(
            `the segment does not continue the one before it: it starts after ${header.previousSegmentBytes} bytes, last index ${header.lastIndex} and compaction point ${header.compactionPoint.index}, ` +
            `the one before ends after ${previousSegmentBytes ?? 0} bytes, last index ${this.lastIndex} and compaction point ${this.compactionPoint.index}`,
          );
        }
        return;
      }
      case RecordType.entry: {
        const { entry } = record;
        const { index } = entry;
        if (index <= this.compactionPoint.index) throw fail(`entry ${index} is at or below the compaction point ${this.compactionPoint.index}`);
        if (index > this.lastIndex + 1) throw fail(`entry ${index} leaves a gap after the last index ${this.lastIndex}`);
        const previousTerm = index - 1 === this.compactionPoint.index ? this.compactionPoint.term : this.entries[index - this.compactionPoint.index - 2]?.term;
        if (previousTerm !== undefined && entry.term < previousTerm) throw fail(`entry ${index} has term ${entry.term}, below the term ${previousTerm} of entry ${index - 1}`);
        // A later entry at an index replaces it and everything after it, as in etcd.
        this.entries.length = index - this.compactionPoint.index - 1;
        this.entries.push(entry);
        return;
      }
      case RecordType.hardState:
        this.hardState = record.hardState;
        return;
      case RecordType.snapshot:
        this.snapshot = record.stored;
        return;
      case RecordType.compact: {
        const { index, term } = record.position;
        if (index <= this.compactionPoint.index || index > this.lastIndex) {
          throw fail(`compaction to ${index} lies outside the log (${this.compactionPoint.index + 1}..${this.lastIndex})`);
        }
        const known = this.entries[index - this.compactionPoint.index - 1]?.term;
        if (known !== undefined && known !== term) throw fail(`compaction to ${index} names term ${term}, the entry has term ${known}`);
        this.entries.splice(0, index - this.compactionPoint.index);
        this.compactionPoint = record.position;
        return;
      }
      case RecordType.reset:
        this.compactionPoint = record.position;
        this.entries = [];
        return;
    }
  }

  finish(): Entry[] {
    const missing = this.entries.findIndex((entry) => entry === undefined);
    if (missing >= 0) {
      throw new VstorError('CORRUPTION', `entry ${this.compactionPoint.index + 1 + missing} is in no segment of the WAL (a segment was deleted too early or lost)`);
    }
    return this.entries as Entry[];
  }
}

export async function replaySegments(directory: string, names: readonly SegmentName[]): Promise<ReplayedLog> {
  let current = names[0]!;
  const state = new ReplayState((offset) => `WAL segment ${join(directory, current.name)} at byte ${offset}`);
  const corruption = (offset: number, message: string) => new VstorError('CORRUPTION', `WAL segment ${join(directory, current.name)} at byte ${offset}: ${message}`);
  const segments: SegmentInfo[] = [];
  let previousSegmentBytes: number | undefined;
  const tail: ReplayedTail = { writeOffset: 0, dirtyEnd: 0, fileBytes: 0, headerBytes: 0 };

  for (const [position, name] of names.entries()) {
    current = name;
    const isLast = position === names.length - 1;
    const bytes = await readFile(join(directory, name.name));
    tail.fileBytes = bytes.length;
    let offset = 0;
    let headerBytes: number | undefined;
    let batchStart = 0;
    let pending: Array<{ record: WalRecord; offset: number }> = [];
    let header: SegmentHeader | undefined;
    for (;;) {
      const read = readFrame(bytes, offset);
      if (read.kind === 'record') {
        if (offset === 0 && read.record.type !== RecordType.segment) throw corruption(0, 'the segment does not start with its header');
        if (offset > 0 && read.record.type === RecordType.segment) throw corruption(offset, 'a second segment header');
        if (read.record.type === RecordType.segment) {
          header = read.record.header;
          if (header.sequence !== name.sequence || header.lastIndex + 1 !== name.firstIndex) {
            throw corruption(0, `the header says sequence ${header.sequence}, first index ${header.lastIndex + 1}, unlike the file name`);
          }
        }
        pending.push({ record: read.record, offset });
        offset += read.frameBytes;
        if (read.lastInBatch) {
          for (const item of pending) state.apply(item.record, item.offset, previousSegmentBytes);
          pending = [];
          batchStart = offset;
          headerBytes ??= offset;
        }
        continue;
      }
      // The end of what was written, or a bad record.
      if (header === undefined || headerBytes === undefined) {
        // Every segment is written with its header and synced before it gets its name.
        const problem = header !== undefined ? 'the segment header batch is incomplete' : read.kind === 'end' ? 'the segment has no header' : `the segment header is unreadable: ${read.reason}`;
        throw corruption(offset, problem);
      }
      if (!isLast) {
        if (read.kind === 'bad') throw corruption(offset, read.reason);
        if (pending.length > 0) throw corruption(batchStart, 'the segment ends inside a batch of records');
        break;
      }
      const end = nonZeroEnd(bytes, offset);
      if (end > offset) {
        const synced = laterSyncedRecord(bytes, offset, end);
        if (synced !== undefined) {
          throw corruption(offset, `${read.kind === 'bad' ? read.reason : 'the record is missing'}, yet the record at byte ${synced} was written after this one was synced`);
        }
      }
      tail.writeOffset = batchStart;
      tail.dirtyEnd = Math.max(end, batchStart);
      tail.headerBytes = headerBytes;
      break;
    }
    segments.push({ ...name, header: header! });
    previousSegmentBytes = offset;
  }
  const entries = state.finish();
  return { hardState: state.hardState, compactionPoint: state.compactionPoint, entries, snapshot: state.snapshot, segments, tail };
}

/** The offset of a valid record in (from, to) whose writer knew `from` to be synced, if any. */
function laterSyncedRecord(bytes: Uint8Array, from: number, to: number): number | undefined {
  for (let at = from + TAIL_ALIGNMENT_BYTES; at < to; at += TAIL_ALIGNMENT_BYTES) {
    const read = readFrame(bytes, at);
    if (read.kind === 'record' && read.syncedBytes > from) return at;
  }
  return undefined;
}
