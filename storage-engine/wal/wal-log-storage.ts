// WalLogStorage: the Raft log as an append-only write-ahead log of preallocated segment
// files, in the manner of etcd's wal package. The whole retained log is held in memory
// (RaftLogBase, as for DurableLogStorage); the disk is only for durability and restart, so
// a write is an append and a read never touches a file.
//
// Why not a database: a synced LevelDB write appends to a log file that grows with every
// write, so every fdatasync also commits the file's new size through the file system's
// journal, and many databases syncing at once queue behind each other in that journal.
// Appending into blocks that are already allocated and zeroed makes fdatasync flush only
// the data pages.
//
// Layout of the directory (<dataDir>/<node>/wal):
//
//   <sequence>-<firstIndex>.wal   a segment: 16 hex digits each, the sequence counting up from
//                                 0 without a gap, firstIndex the index the next entry had
//                                 when the segment was started. Preallocated to segmentBytes
//                                 by writing zeros; written front to back with positional
//                                 writes, made durable with fdatasync when a save asks for
//                                 sync. A batch larger than what is left starts the next
//                                 segment (one larger than a whole segment makes it grow).
//   <index>.snap                  the data of the snapshot at <index>: one record-format
//                                 record, written to a .tmp name, fsynced, renamed, the
//                                 directory fsynced — all before the marker naming it is
//                                 appended. Only the latest marker's file is kept.
//   *.tmp                         a file being made (the next segment, zero-filled ahead of
//                                 need off the write path; a snapshot); removed at open.
//
// A segment is a sequence of records (wal-records.ts: length, type, checksum, value) in
// batches, one batch per write: a save() is [snapshot marker, reset]? entries* hard-state?;
// compact() is one compact record. Every segment opens with a header batch — sequence, the
// byte length of the previous segment, lastIndex and compaction point, hard state, snapshot
// marker — so that replay can start at any segment and check that each one continues the
// last. A conflicting append is just appended: on replay an entry at index i replaces
// everything from i on. Replay (wal-replay.ts) applies whole batches; a torn tail of the
// last segment ends the log there and is zeroed, a bad record anywhere else is CORRUPTION.
//
// Old files go once nothing needs them: after compact(), every segment before the last one
// whose header's lastIndex is at or below the compaction point (what it held is compacted
// and the later header carries hard state and snapshot marker); after a snapshot replaced
// the log, every segment but the last; older .snap files once a newer marker is synced.
// Each creation, rename and deletion is followed by an fsync of the directory.

import { mkdir, open, readFile, rename } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { ConfState, RaftSnapshot } from '../../consensus/types.ts';
import { emptyHardState, emptyRaftSnapshot } from '../../consensus/types.ts';
import { VstorError } from '../errors.ts';
import { checkPositiveCount } from '../raft-log-arguments.ts';
import type { CheckedUpdate, RaftLogStatus } from '../raft-log-base.ts';
import { ENTRY_BYTES_MAX_DEFAULT, RaftLogBase, SNAPSHOT_BYTES_MAX_DEFAULT } from '../raft-log-base.ts';
import type { RaftLogState } from '../raft-log-load.ts';
import type { StoredSnapshotMetadata } from '../raft-log-records.ts';
import { decodeSnapshotData, encodeSnapshotData } from '../raft-log-records.ts';
import { createZeroFilledFile, listDirectory, removeFiles, segmentName, snapshotFileName, syncDirectory, TEMPORARY_SUFFIX, writeFileDurably, writeZeros } from './wal-files.ts';
import type { EncodedRecord, SegmentHeader } from './wal-records.ts';
import { encodeEntryRecord, encodeHardStateRecord, encodePositionRecord, encodeSegmentHeader, encodeSnapshotRecord, frameBatch, RecordType } from './wal-records.ts';
import type { SegmentInfo } from './wal-replay.ts';
import { replaySegments } from './wal-replay.ts';
import type { AppendFile } from './wal-segment-file.ts';
import { SegmentFile } from './wal-segment-file.ts';

export const SEGMENT_BYTES_DEFAULT = 16 * 1024 * 1024;
export const SEGMENT_BYTES_MIN = 4096;
/** Offsets within a segment are stored as 32-bit numbers. */
export const SEGMENT_BYTES_MAX = 1024 * 1024 * 1024;

const NEXT_SEGMENT_NAME = `next.wal${TEMPORARY_SUFFIX}`;
const SNAPSHOT_DATA_KEY = new TextEncoder().encode('wal/snapshot-data');

export interface WalLogStorageOptions {
  /** The largest entry save() accepts, counted by entryBytes() (payload + fixed overhead). */
  entryBytesMax?: number;
  /** The largest snapshot data save() and createSnapshot() accept. */
  snapshotBytesMax?: number;
  /** The size every segment is preallocated to; a multiple of 4096. */
  segmentBytes?: number;
}

export type WalLogStorageStatus = RaftLogStatus;

interface OpenSegment {
  file: AppendFile;
  /** Where the next batch goes. */
  writeOffset: number;
  /** Bytes known to be on stable storage; recorded in every frame for the torn-tail rule. */
  syncedBytes: number;
  /** Where the header batch ends: a segment holding only its header is never cut. */
  headerBytes: number;
}

export class WalLogStorage extends RaftLogBase {
  readonly directory: string;
  private readonly segmentBytes: number;
  private readonly segments: SegmentInfo[];
  private tail: OpenSegment;
  private snapshotStored: StoredSnapshotMetadata | undefined;
  /** The next segment's zero-filled file, being made while the current one fills. */
  private nextSegment: Promise<string> | undefined;
  /**
   * A hard state whose commit index alone an unsynced save moved, not yet written: it goes
   * out with the next batch (or at close). The commit index needs no durability (on a
   * restart the core moves it up to what the application applied), and writing it at once
   * left the segment with unsynced bytes, so that the next synced append could not be one
   * O_DSYNC write and took a write and an fdatasync instead: at one write in flight, every
   * append.
   */
  private deferredHardState: EncodedRecord | undefined;

  private constructor(
    directory: string,
    limits: { entryBytesMax: number; snapshotBytesMax: number; segmentBytes: number },
    state: RaftLogState,
    segments: SegmentInfo[],
    tail: OpenSegment,
    snapshotStored: StoredSnapshotMetadata | undefined,
  ) {
    super(limits, state);
    this.directory = directory;
    this.segmentBytes = limits.segmentBytes;
    this.segments = segments;
    this.tail = tail;
    this.snapshotStored = snapshotStored;
  }

  /** Opens the log in `directory`, creating it (and an empty log) if there is none. */
  static async open(directory: string, options: WalLogStorageOptions = {}): Promise<WalLogStorage> {
    const entryBytesMax = checkPositiveCount('entryBytesMax', options.entryBytesMax ?? ENTRY_BYTES_MAX_DEFAULT);
    const snapshotBytesMax = checkPositiveCount('snapshotBytesMax', options.snapshotBytesMax ?? SNAPSHOT_BYTES_MAX_DEFAULT);
    const segmentBytes = checkPositiveCount('segmentBytes', options.segmentBytes ?? SEGMENT_BYTES_DEFAULT);
    if (segmentBytes < SEGMENT_BYTES_MIN || segmentBytes > SEGMENT_BYTES_MAX || segmentBytes % SEGMENT_BYTES_MIN !== 0) {
      throw new VstorError('INVALID_ARGUMENT', `segmentBytes must be a multiple of ${SEGMENT_BYTES_MIN} from ${SEGMENT_BYTES_MIN} to ${SEGMENT_BYTES_MAX}, got ${segmentBytes}`);
    }

    await mkdir(directory, { recursive: true });
    let listing = await listDirectory(directory);
    await removeFiles(directory, listing.temporaries);
    if (listing.segments.length === 0) {
      await createFirstSegment(directory, segmentBytes);
      await syncDirectory(dirname(directory));
      listing = await listDirectory(directory);
    }

    const replayed = await replaySegments(directory, listing.segments);
    const last = replayed.segments.at(-1)!;
    const lastPath = join(directory, last.name);
    const handle = await open(lastPath, 'r+');
    try {
      // A torn tail is zeroed, so that the next append lands on zeros as on a fresh segment;
      // a segment cut short is filled up again to its preallocated size.
      const { writeOffset, dirtyEnd, fileBytes } = replayed.tail;
      if (dirtyEnd > writeOffset || fileBytes < segmentBytes) {
        await writeZeros(handle, writeOffset, Math.max(dirtyEnd, fileBytes < segmentBytes ? segmentBytes : 0));
      } else {
        // What replay read may still be only in the page cache of a process that died.
        await handle.datasync();
      }
    } finally {
      await handle.close();
    }
    const file = await SegmentFile.open(lastPath);
    try {
      let raftSnapshot: RaftSnapshot = emptyRaftSnapshot();
      if (replayed.snapshot !== undefined) raftSnapshot = await loadSnapshotData(directory, replayed.snapshot, listing.snapshots);
      const keep = replayed.snapshot?.metadata.index;
      await removeFiles(directory, [...listing.snapshots].filter(([index]) => index !== keep).map(([, name]) => name));
      const state: RaftLogState = { hardState: replayed.hardState, raftSnapshot, compactionPoint: replayed.compactionPoint, entries: replayed.entries };
      const { writeOffset, headerBytes } = replayed.tail;
      const tail = { file, writeOffset, syncedBytes: writeOffset, headerBytes };
      return new WalLogStorage(directory, { entryBytesMax, snapshotBytesMax, segmentBytes }, state, replayed.segments, tail, replayed.snapshot);
    } catch (error) {
      await file.close();
      throw error;
    }
  }

  /** How many segment files the log spans now (for tests and status). */
  get segmentCount(): number {
    return this.segments.length;
  }

  protected _bootstrap(confState: ConfState): Promise<void> {
    const metadata = { index: 0, term: 0, confState };
    let raftSnapshot: RaftSnapshot;
    let stored: StoredSnapshotMetadata;
    return this.commit(async () => {
      ({ raftSnapshot, stored } = await this.writeSnapshotFile(metadata, new Uint8Array(0)));
      await this.append([encodeSnapshotRecord(stored)], true);
    }, () => {
      this.state.raftSnapshot = raftSnapshot;
      this.snapshotStored = stored;
    });
  }

  protected _save(update: CheckedUpdate, sync: boolean): Promise<void> {
    const { snapshot } = update;
    const current = this.state.hardState;
    if (!sync && snapshot === undefined && update.entries.length === 0 && update.hardState !== undefined
      && update.hardState.term === current.term && update.hardState.vote === current.vote) {
      const deferred = encodeHardStateRecord(update.hardState);
      return this.commit(async () => {
        this.deferredHardState = deferred;
      }, () => this.applyUpdate({ hardState: update.hardState, snapshot: undefined, entries: [] }));
    }
    const records: EncodedRecord[] = [];
    const storedEntries = update.entries.map((entry) => {
      const { record, stored } = encodeEntryRecord(entry);
      records.push(record);
      return stored;
    });
    // The save's own hard state supersedes a deferred one.
    const hardStateRecord = update.hardState !== undefined ? encodeHardStateRecord(update.hardState) : this.deferredHardState;
    if (hardStateRecord !== undefined) records.push(hardStateRecord);
    let raftSnapshot: RaftSnapshot | undefined;
    let stored: StoredSnapshotMetadata | undefined;
    return this.commit(async () => {
      if (snapshot !== undefined) {
        ({ raftSnapshot, stored } = await this.writeSnapshotFile(snapshot.metadata, snapshot.data));
        const { index, term } = snapshot.metadata;
        records.unshift(encodeSnapshotRecord(stored), encodePositionRecord(RecordType.reset, { index, term }));
      }
      if (records.length > 0) await this.append(records, sync || snapshot !== undefined);
      else if (sync) await this.syncTail();
      if (hardStateRecord !== undefined) this.deferredHardState = undefined;
      if (snapshot !== undefined) {
        // The log before this batch is gone: only the last segment is needed to replay.
        await this.removeObsoleteFiles(this.segments.length - 1, snapshot.metadata.index);
      }
    }, () => {
      this.applyUpdate({ hardState: update.hardState, snapshot: raftSnapshot, entries: storedEntries });
      if (stored !== undefined) this.snapshotStored = stored;
    });
  }

  protected _createSnapshot(index: number, confState: ConfState, data: Uint8Array): Promise<RaftSnapshot> {
    const metadata = { index, term: this.term(index), confState };
    let raftSnapshot: RaftSnapshot;
    let stored: StoredSnapshotMetadata;
    return this.commit(async () => {
      ({ raftSnapshot, stored } = await this.writeSnapshotFile(metadata, data));
      await this.append([encodeSnapshotRecord(stored)], true);
      await this.removeObsoleteFiles(0, index);
    }, () => {
      this.state.raftSnapshot = raftSnapshot;
      this.snapshotStored = stored;
    }).then(() => raftSnapshot);
  }

  protected _compact(compactIndex: number): Promise<void> {
    const { state } = this;
    const compactionPoint = { index: compactIndex, term: this.term(compactIndex) };
    return this.commit(async () => {
      await this.append([encodePositionRecord(RecordType.compact, compactionPoint)], true);
      let keepFrom = 0;
      for (let at = this.segments.length - 1; at > 0; at--) {
        if (this.segments[at]!.header.lastIndex <= compactIndex) {
          keepFrom = at;
          break;
        }
      }
      await this.removeObsoleteFiles(keepFrom, this.state.raftSnapshot.metadata.index);
    }, () => {
      state.entries.splice(0, compactIndex - state.compactionPoint.index);
      state.compactionPoint = compactionPoint;
    });
  }

  protected async _close(): Promise<void> {
    await this.nextSegment?.catch(() => undefined);
    try {
      // A clean stop leaves the commit index where it was, not where the last append had it.
      if (this.deferredHardState !== undefined && !this.writeFailed) await this.append([this.deferredHardState], true);
    } finally {
      this.deferredHardState = undefined;
      await this.tail.file.close();
    }
  }

  /**
   * Appends one batch to the last segment, first starting a new segment if the batch does
   * not fit in what is left (unless the segment holds nothing but its header).
   */
  private async append(records: readonly EncodedRecord[], sync: boolean): Promise<void> {
    let frames = frameBatch(records, this.tail.syncedBytes);
    if (this.tail.writeOffset + frames.length > this.segmentBytes && this.tail.writeOffset > this.tail.headerBytes) {
      await this.cut();
      frames = frameBatch(records, this.tail.syncedBytes);
    }
    const tail = this.tail;
    // A durable (O_DSYNC) write makes only its own range durable, not unsynced ones before it.
    const durable = sync && tail.syncedBytes === tail.writeOffset;
    await tail.file.write(frames, tail.writeOffset, durable);
    tail.writeOffset += frames.length;
    if (durable) tail.syncedBytes = tail.writeOffset;
    else if (sync) await this.syncTail();
    if (this.nextSegment === undefined && tail.writeOffset > this.segmentBytes / 2) void this.prepareNextSegment();
  }

  private async syncTail(): Promise<void> {
    const tail = this.tail;
    if (tail.syncedBytes === tail.writeOffset) return;
    const through = tail.writeOffset;
    await tail.file.datasync();
    tail.syncedBytes = through;
  }

  /** Starts zero-filling the next segment's file; a failure surfaces at the cut that needs it. */
  private prepareNextSegment(): Promise<string> {
    const path = join(this.directory, NEXT_SEGMENT_NAME);
    const prepared = createZeroFilledFile(path, this.segmentBytes).then(() => path);
    prepared.catch(() => undefined);
    this.nextSegment = prepared;
    return prepared;
  }

  /**
   * Starts the next segment: the current one is synced whole (so that only the last segment
   * can ever have a torn tail), the prepared file gets its header batch and is synced, and
   * only then gets its name.
   */
  private async cut(): Promise<void> {
    await this.syncTail();
    const prepared = this.nextSegment ?? this.prepareNextSegment();
    this.nextSegment = undefined;
    const temporary = await prepared;
    const previous = this.segments.at(-1)!;
    const header: SegmentHeader = {
      sequence: previous.sequence + 1,
      previousSegmentBytes: this.tail.writeOffset,
      lastIndex: this.lastIndex(),
      compactionPoint: { ...this.state.compactionPoint },
    };
    const name = segmentName(header.sequence, header.lastIndex + 1);
    const file = await SegmentFile.open(temporary);
    try {
      const frames = frameBatch(headerRecords(header, this.state, this.snapshotStored), 0);
      await file.write(frames, 0, true);
      await rename(temporary, join(this.directory, name.name));
      await syncDirectory(this.directory);
      const old = this.tail;
      this.tail = { file, writeOffset: frames.length, syncedBytes: frames.length, headerBytes: frames.length };
      this.segments.push({ ...name, header });
      await old.file.close();
    } catch (error) {
      if (this.tail.file !== file) await file.close().catch(() => undefined);
      throw error;
    }
  }

  /** Writes the snapshot data file durably, before any record names it. */
  private async writeSnapshotFile(metadata: RaftSnapshot['metadata'], data: Uint8Array): Promise<{ raftSnapshot: RaftSnapshot; stored: StoredSnapshotMetadata }> {
    const encoded = encodeSnapshotData(SNAPSHOT_DATA_KEY, data);
    await writeFileDurably(this.directory, snapshotFileName(metadata.index), encoded.value);
    return { raftSnapshot: { metadata, data: encoded.stored }, stored: { metadata, dataBytes: data.length, dataChecksum: encoded.checksum } };
  }

  /**
   * Deletes the segments before `keepFrom` (oldest first, so that a crash leaves a run
   * without a gap) and every snapshot file but the one at `snapshotIndex`. Called only once
   * the record that makes them obsolete is synced. Best effort: a file left behind costs
   * only space, and is deleted on a later call or at open.
   */
  private async removeObsoleteFiles(keepFrom: number, snapshotIndex: number): Promise<void> {
    try {
      const obsolete = this.segments.splice(0, keepFrom);
      await removeFiles(this.directory, obsolete.map((segment) => segment.name));
      const { snapshots } = await listDirectory(this.directory);
      await removeFiles(this.directory, [...snapshots].filter(([index]) => index !== snapshotIndex).map(([, name]) => name));
    } catch {
      // Left for the next time: see above.
    }
  }
}

function headerRecords(header: SegmentHeader, state: RaftLogState, snapshot: StoredSnapshotMetadata | undefined): EncodedRecord[] {
  const records = [encodeSegmentHeader(header), encodeHardStateRecord(state.hardState)];
  if (snapshot !== undefined) records.push(encodeSnapshotRecord(snapshot));
  return records;
}

async function createFirstSegment(directory: string, segmentBytes: number): Promise<void> {
  const temporary = join(directory, NEXT_SEGMENT_NAME);
  await createZeroFilledFile(temporary, segmentBytes);
  const header: SegmentHeader = { sequence: 0, previousSegmentBytes: 0, lastIndex: 0, compactionPoint: { index: 0, term: 0 } };
  const file = await SegmentFile.open(temporary);
  try {
    await file.write(frameBatch([encodeSegmentHeader(header), encodeHardStateRecord({ ...emptyHardState })], 0), 0, true);
  } finally {
    await file.close();
  }
  await rename(temporary, join(directory, segmentName(0, 1).name));
  await syncDirectory(directory);
}

async function loadSnapshotData(directory: string, stored: StoredSnapshotMetadata, files: ReadonlyMap<number, string>): Promise<RaftSnapshot> {
  const { index } = stored.metadata;
  const name = files.get(index);
  if (name === undefined) throw new VstorError('CORRUPTION', `the WAL in ${directory} names a snapshot at index ${index} whose data file ${snapshotFileName(index)} is missing`);
  const { data, checksum } = decodeSnapshotData(SNAPSHOT_DATA_KEY, await readFile(join(directory, name)));
  if (data.length !== stored.dataBytes || checksum !== stored.dataChecksum) {
    throw new VstorError('CORRUPTION', `the snapshot data file ${join(directory, name)} (${data.length} bytes) is not the data the marker at index ${index} was written with (${stored.dataBytes} bytes)`);
  }
  return { metadata: stored.metadata, data };
}
