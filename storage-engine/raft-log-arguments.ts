// Validation of what callers hand the durable Raft log, done once at its public edge so that
// bad input never reaches the disk (DESIGN.md, "Errors"). Each check returns a copy made of
// fresh objects, so that a caller who later mutates its own objects cannot change what the
// store holds in memory (entry and snapshot bytes are copied later, into their records).

import type { ConfState, Entry, HardState, RaftSnapshot } from '../consensus/types.ts';
import { entryBytes, EntryType } from '../consensus/types.ts';
import { VstorError } from './errors.ts';

/** Nodes per list of a ConfState; far above any real cluster, low enough to bound a record. */
export const CONF_STATE_NODES_MAX = 1024;

function invalid(message: string): VstorError {
  return new VstorError('INVALID_ARGUMENT', message);
}

/** A non-negative safe integer. */
export function checkCount(what: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw invalid(`${what} must be a non-negative safe integer, got ${String(value)}`);
  }
  return value;
}

export function checkPositiveCount(what: string, value: unknown): number {
  const count = checkCount(what, value);
  if (count === 0) throw invalid(`${what} must be positive`);
  return count;
}

function checkBytes(what: string, value: unknown): Uint8Array {
  if (!(value instanceof Uint8Array)) throw invalid(`${what} must be a Uint8Array`);
  return value;
}

export function checkHardState(hardState: unknown): HardState {
  if (typeof hardState !== 'object' || hardState === null) throw invalid('the hard state must be an object');
  const { term, vote, commit } = hardState as Record<string, unknown>;
  return {
    term: checkCount('hardState.term', term),
    vote: checkCount('hardState.vote', vote),
    commit: checkCount('hardState.commit', commit),
  };
}

export function checkConfState(confState: unknown): ConfState {
  if (typeof confState !== 'object' || confState === null) throw invalid('the conf state must be an object');
  const fields = confState as Record<string, unknown>;
  const nodes = (name: string): number[] => {
    const list = fields[name];
    if (!Array.isArray(list)) throw invalid(`confState.${name} must be an array`);
    if (list.length > CONF_STATE_NODES_MAX) throw invalid(`confState.${name} has ${list.length} nodes, more than ${CONF_STATE_NODES_MAX}`);
    return list.map((node: unknown) => checkPositiveCount(`a node id in confState.${name}`, node));
  };
  if (typeof fields.autoLeave !== 'boolean') throw invalid('confState.autoLeave must be a boolean');
  return {
    voters: nodes('voters'),
    learners: nodes('learners'),
    votersOutgoing: nodes('votersOutgoing'),
    learnersNext: nodes('learnersNext'),
    autoLeave: fields.autoLeave,
  };
}

export function checkSnapshotData(data: unknown, snapshotBytesMax: number): Uint8Array {
  const bytes = checkBytes('the snapshot data', data);
  if (bytes.length > snapshotBytesMax) {
    throw new VstorError('INVALID_ARGUMENT', `the snapshot data is ${bytes.length} bytes, more than snapshotBytesMax ${snapshotBytesMax}`);
  }
  return bytes;
}

export function checkRaftSnapshot(snapshot: unknown, snapshotBytesMax: number): RaftSnapshot {
  if (typeof snapshot !== 'object' || snapshot === null) throw invalid('the snapshot must be an object');
  const { metadata, data } = snapshot as Record<string, unknown>;
  if (typeof metadata !== 'object' || metadata === null) throw invalid('snapshot.metadata must be an object');
  const { index, term, confState } = metadata as Record<string, unknown>;
  return {
    metadata: {
      index: checkCount('snapshot.metadata.index', index),
      term: checkCount('snapshot.metadata.term', term),
      confState: checkConfState(confState),
    },
    data: checkSnapshotData(data, snapshotBytesMax),
  };
}

/**
 * Entries must be contiguous and their terms must never decrease: both hold for every Raft
 * log, so a violation is a caller's bug that must not be made durable.
 */
export function checkEntries(entries: unknown, entryBytesMax: number): Entry[] {
  if (!Array.isArray(entries)) throw invalid('entries must be an array');
  const checked: Entry[] = [];
  for (const [position, entry] of (entries as unknown[]).entries()) {
    if (typeof entry !== 'object' || entry === null) throw invalid(`entries[${position}] must be an object`);
    const fields = entry as Record<string, unknown>;
    const index = checkPositiveCount(`entries[${position}].index`, fields.index);
    const term = checkCount(`entries[${position}].term`, fields.term);
    if (fields.type !== EntryType.Normal && fields.type !== EntryType.ConfChange) {
      throw invalid(`entries[${position}].type must be an EntryType, got ${String(fields.type)}`);
    }
    const data = checkBytes(`entries[${position}].data`, fields.data);
    const checkedEntry: Entry = { index, term, type: fields.type, data };
    if (entryBytes(checkedEntry) > entryBytesMax) {
      throw new VstorError('INVALID_ARGUMENT', `entry ${index} is ${entryBytes(checkedEntry)} bytes, more than entryBytesMax ${entryBytesMax}`);
    }
    const previous = checked[checked.length - 1];
    if (previous !== undefined && index !== previous.index + 1) {
      throw invalid(`entries are not contiguous: index ${index} follows ${previous.index}`);
    }
    if (previous !== undefined && term < previous.term) {
      throw invalid(`entry ${index} has term ${term}, below the term ${previous.term} of entry ${previous.index}`);
    }
    checked.push(checkedEntry);
  }
  return checked;
}
