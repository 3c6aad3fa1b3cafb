// Reads a durable Raft log back into memory when it is opened, and refuses to return one it
// cannot fully account for: every record's checksum is verified, the entries must run
// without a gap from the compaction point, their terms must never decrease, and the
// snapshot metadata must match the snapshot data it was written with. Any doubt is a
// CORRUPTION error, because a replica that silently lost a log entry can elect a leader
// that lacks committed writes.

import type { Entry, HardState, RaftSnapshot } from '../consensus/types.ts';
import { emptyHardState, emptyRaftSnapshot } from '../consensus/types.ts';
import type { Database } from './engine.ts';
import { VstorError } from './errors.ts';
import type { RaftLogKeys } from './raft-log-keys.ts';
import type { LogPosition } from './raft-log-records.ts';
import { decodeEntry, decodeHardState, decodeLogPosition, decodeSnapshotData, decodeSnapshotMetadata } from './raft-log-records.ts';

/** The whole retained log, as DurableLogStorage holds it in memory. */
export interface RaftLogState {
  hardState: HardState;
  raftSnapshot: RaftSnapshot;
  /** The last entry discarded from the front of the log: firstIndex() - 1 and its term. */
  compactionPoint: LogPosition;
  /** Entries compactionPoint.index + 1 … lastIndex, in order. */
  entries: Entry[];
}

async function loadRaftSnapshot(db: Database, keys: RaftLogKeys): Promise<RaftSnapshot> {
  const [metadataValue, dataValue] = await Promise.all([db.get(keys.snapshotMetadata), db.get(keys.snapshotData)]);
  if (metadataValue === undefined && dataValue === undefined) return emptyRaftSnapshot();
  if (metadataValue === undefined || dataValue === undefined) {
    throw new VstorError('CORRUPTION', `the snapshot ${metadataValue === undefined ? 'data' : 'metadata'} record is present without its pair`);
  }
  const stored = decodeSnapshotMetadata(keys.snapshotMetadata, metadataValue);
  const { data, checksum } = decodeSnapshotData(keys.snapshotData, dataValue);
  if (data.length !== stored.dataBytes || checksum !== stored.dataChecksum) {
    throw new VstorError('CORRUPTION', `the snapshot data (${data.length} bytes) is not the data the metadata at index ${stored.metadata.index} was written with (${stored.dataBytes} bytes)`);
  }
  return { metadata: stored.metadata, data };
}

async function loadEntries(db: Database, keys: RaftLogKeys, compactionPoint: LogPosition): Promise<Entry[]> {
  const entries: Entry[] = [];
  let previous: { index: number; term: number } = compactionPoint;
  for await (const [key, value] of db.rows(keys.entryRange)) {
    const index = keys.indexOfEntryKey(key);
    if (index !== previous.index + 1) {
      throw new VstorError(
        'CORRUPTION',
        index <= compactionPoint.index
          ? `entry ${index} is still stored although the log was compacted up to ${compactionPoint.index}`
          : `the log has a gap: entry ${previous.index + 1} is missing before entry ${index}`,
      );
    }
    const entry = decodeEntry(key, value, index);
    if (entry.term < previous.term) {
      throw new VstorError('CORRUPTION', `entry ${index} has term ${entry.term}, below the term ${previous.term} of entry ${previous.index}`);
    }
    entries.push(entry);
    previous = entry;
  }
  return entries;
}

export async function loadRaftLog(db: Database, keys: RaftLogKeys): Promise<RaftLogState> {
  const [hardStateValue, compactionPointValue] = await Promise.all([db.get(keys.hardState), db.get(keys.compactionPoint)]);
  const hardState = hardStateValue === undefined ? { ...emptyHardState } : decodeHardState(keys.hardState, hardStateValue);
  const compactionPoint = compactionPointValue === undefined ? { index: 0, term: 0 } : decodeLogPosition(keys.compactionPoint, compactionPointValue);
  const raftSnapshot = await loadRaftSnapshot(db, keys);
  const entries = await loadEntries(db, keys, compactionPoint);
  return { hardState, raftSnapshot, compactionPoint, entries };
}
