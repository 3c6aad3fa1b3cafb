// vDisk metadata as the Raft model stores it (DESIGN.md "The model"): one record per vDisk
// under the reserved key `\0vstor/vdisk/<name>`, and the id counter `\0vstor/vdisk-next-id`
// that makes ids unique for the life of the cluster (block keys are by id, so a reused id
// would read a deleted vDisk's leftovers).
//
// A record is JSON with a format number, checked in full when read: a record this build
// cannot read is UNSUPPORTED_FORMAT, one that breaks an invariant is CORRUPTION, so that a
// bad record stops the operation on it rather than steering blocks to the wrong place.

import type { ChangeIdentity, VDiskInfo } from '../../rpc/vdisk-api.ts';
import { nameProblem } from '../../rpc/vdisk-checks.ts';
import { VstorError } from '../../storage-engine/errors.ts';
import type { VDiskLayout } from '../../storage-engine/vdisk/block-store.ts';
import { CLONE_DEPTH_MAX } from '../../storage-engine/vdisk/block-store.ts';
import { EPOCH_MAX, VDISK_BYTES_MAX, VDISK_ID_MAX } from '../../storage-engine/vdisk/keys.ts';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export const VDISK_KEY_PREFIX = '\u0000vstor/vdisk/';
export const VDISK_PREFIX = encoder.encode(VDISK_KEY_PREFIX);
export const VDISK_NEXT_ID_KEY = encoder.encode('\u0000vstor/vdisk-next-id');
export const VDISK_RECORD_FORMAT = 1;
/** Snapshots one vDisk may have: its record stays small (one model value). */
export const SNAPSHOTS_PER_VDISK_MAX = 256;
/** Clones listed on one vDisk's snapshots, together. */
export const CLONES_PER_VDISK_MAX = 1024;

export interface SnapshotRecord {
  name: string;
  epoch: number;
  sizeBytes: number;
  createdAtMs: number;
  clones: string[];
}

export interface ParentRecord {
  name: string;
  id: number;
  snapshot: string;
  epoch: number;
}

export interface VDiskRecord {
  id: number;
  name: string;
  sizeBytes: number;
  owner: string;
  /** The epoch writes go to; every snapshot epoch is below it. */
  headEpoch: number;
  parent?: ParentRecord;
  /** Ordered by epoch, oldest first. */
  snapshots: SnapshotRecord[];
  createdAtMs: number;
  /** The client's pair of the last change, to recognise its retry. */
  lastChange?: ChangeIdentity;
}

export function vdiskKey(name: string): Uint8Array {
  return encoder.encode(VDISK_KEY_PREFIX + name);
}

/** The vDisk name of a record key, or undefined for a key outside the prefix. */
export function nameOfKey(key: Uint8Array): string | undefined {
  const text = decoder.decode(key);
  return text.startsWith(VDISK_KEY_PREFIX) ? text.slice(VDISK_KEY_PREFIX.length) : undefined;
}

export function encodeVDiskRecord(record: VDiskRecord): Uint8Array {
  const document: Record<string, unknown> = {
    format: VDISK_RECORD_FORMAT,
    id: record.id,
    name: record.name,
    sizeBytes: record.sizeBytes,
    owner: record.owner,
    headEpoch: record.headEpoch,
    snapshots: record.snapshots,
    createdAtMs: record.createdAtMs,
  };
  if (record.parent !== undefined) document.parent = record.parent;
  if (record.lastChange !== undefined) document.lastChange = record.lastChange;
  return encoder.encode(JSON.stringify(document));
}

function corrupt(where: string, problem: string): VstorError {
  return new VstorError('CORRUPTION', `vdisk record ${where}: ${problem}`);
}

function integerIn(where: string, field: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    throw corrupt(where, `${field} must be an integer in [${min}, ${max}], got ${JSON.stringify(value)}`);
  }
  return value;
}

function nameIn(where: string, field: string, value: unknown): string {
  const problem = nameProblem(value);
  if (problem !== undefined) throw corrupt(where, `${field} ${problem}`);
  return value as string;
}

function objectIn(where: string, field: string, value: unknown): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw corrupt(where, `${field} must be an object`);
  return value as Record<string, unknown>;
}

/** Reads and checks a record; `expectedName` is the name its key carries. */
export function decodeVDiskRecord(bytes: Uint8Array, expectedName?: string): VDiskRecord {
  const where = expectedName ?? '(unnamed)';
  let parsed: unknown;
  try {
    parsed = JSON.parse(decoder.decode(bytes));
  } catch {
    throw corrupt(where, 'is not JSON');
  }
  const document = objectIn(where, 'record', parsed);
  if (document.format !== VDISK_RECORD_FORMAT) {
    throw new VstorError('UNSUPPORTED_FORMAT', `vdisk record ${where}: format ${JSON.stringify(document.format)} is not ${VDISK_RECORD_FORMAT}; upgrade this member`);
  }
  const name = nameIn(where, 'name', document.name);
  if (expectedName !== undefined && name !== expectedName) throw corrupt(where, `name ${name} does not match its key`);
  const headEpoch = integerIn(where, 'headEpoch', document.headEpoch, 1, EPOCH_MAX);
  const sizeBytes = integerIn(where, 'sizeBytes', document.sizeBytes, 1, VDISK_BYTES_MAX);
  if (typeof document.owner !== 'string' || document.owner.length === 0) throw corrupt(where, 'owner must be a member name');
  if (!Array.isArray(document.snapshots) || document.snapshots.length > SNAPSHOTS_PER_VDISK_MAX) {
    throw corrupt(where, `snapshots must be a list of at most ${SNAPSHOTS_PER_VDISK_MAX}`);
  }
  const snapshotNames = new Set<string>();
  let previousEpoch = 0;
  let cloneCount = 0;
  const snapshots = document.snapshots.map((value, index): SnapshotRecord => {
    const field = `snapshots[${index}]`;
    const snapshot = objectIn(where, field, value);
    const snapshotName = nameIn(where, `${field}.name`, snapshot.name);
    if (snapshotNames.has(snapshotName)) throw corrupt(where, `${field}.name ${snapshotName} is repeated`);
    snapshotNames.add(snapshotName);
    const epoch = integerIn(where, `${field}.epoch`, snapshot.epoch, previousEpoch + 1, headEpoch - 1);
    previousEpoch = epoch;
    if (!Array.isArray(snapshot.clones)) throw corrupt(where, `${field}.clones must be a list`);
    cloneCount += snapshot.clones.length;
    return {
      name: snapshotName,
      epoch,
      sizeBytes: integerIn(where, `${field}.sizeBytes`, snapshot.sizeBytes, 1, VDISK_BYTES_MAX),
      createdAtMs: integerIn(where, `${field}.createdAtMs`, snapshot.createdAtMs, 0, Number.MAX_SAFE_INTEGER),
      clones: snapshot.clones.map((clone, cloneIndex) => nameIn(where, `${field}.clones[${cloneIndex}]`, clone)),
    };
  });
  if (cloneCount > CLONES_PER_VDISK_MAX) throw corrupt(where, `lists ${cloneCount} clones, more than ${CLONES_PER_VDISK_MAX}`);
  const record: VDiskRecord = {
    id: integerIn(where, 'id', document.id, 1, VDISK_ID_MAX),
    name,
    sizeBytes,
    owner: document.owner,
    headEpoch,
    snapshots,
    createdAtMs: integerIn(where, 'createdAtMs', document.createdAtMs, 0, Number.MAX_SAFE_INTEGER),
  };
  if (document.parent !== undefined) {
    const parent = objectIn(where, 'parent', document.parent);
    record.parent = {
      name: nameIn(where, 'parent.name', parent.name),
      id: integerIn(where, 'parent.id', parent.id, 1, VDISK_ID_MAX),
      snapshot: nameIn(where, 'parent.snapshot', parent.snapshot),
      epoch: integerIn(where, 'parent.epoch', parent.epoch, 1, EPOCH_MAX),
    };
  }
  if (document.lastChange !== undefined) {
    const change = objectIn(where, 'lastChange', document.lastChange);
    if (typeof change.clientId !== 'string' || change.clientId.length === 0) throw corrupt(where, 'lastChange.clientId must be a non-empty string');
    record.lastChange = { clientId: change.clientId, sequence: integerIn(where, 'lastChange.sequence', change.sequence, 1, Number.MAX_SAFE_INTEGER) };
  }
  return record;
}

/** The id the next vDisk gets: 1 while the counter does not exist. */
export function decodeNextId(bytes: Uint8Array | undefined): number {
  if (bytes === undefined) return 1;
  const text = decoder.decode(bytes);
  const id = Number(text);
  if (!/^[1-9][0-9]*$/.test(text) || !Number.isSafeInteger(id)) throw corrupt('vdisk-next-id', `${JSON.stringify(text)} is not a positive integer`);
  return id;
}

export function encodeNextId(id: number): Uint8Array {
  return encoder.encode(String(id));
}

/** Whether `identity` made the record's last change: a retry of it. */
export function isRetryOf(record: VDiskRecord | undefined, identity: ChangeIdentity | undefined): boolean {
  return record?.lastChange !== undefined && identity !== undefined &&
    record.lastChange.clientId === identity.clientId && record.lastChange.sequence === identity.sequence;
}

export function vdiskInfo(record: VDiskRecord, revision: number): VDiskInfo {
  const info: VDiskInfo = {
    name: record.name,
    id: record.id,
    sizeBytes: record.sizeBytes,
    owner: record.owner,
    headEpoch: record.headEpoch,
    snapshots: record.snapshots.map((snapshot) => ({ ...snapshot, clones: [...snapshot.clones] })),
    createdAtMs: record.createdAtMs,
    revision,
  };
  if (record.parent !== undefined) info.parent = { ...record.parent };
  return info;
}

/**
 * The block engine's view of a vDisk: its id, size and snapshot epochs, and for a clone its
 * parent's layout at the snapshot it was cloned from, with the size the parent had then.
 * `lookup` finds a parent's record by name; a missing parent or one with another id is
 * CORRUPTION, since a snapshot with clones can be neither deleted nor renamed.
 */
export function layoutOf(record: VDiskRecord, lookup: (name: string) => VDiskRecord | undefined, depth = 1): VDiskLayout {
  if (depth > CLONE_DEPTH_MAX) throw new VstorError('CORRUPTION', `vdisk ${record.name}: its parent chain is longer than ${CLONE_DEPTH_MAX} vdisks`);
  const snapshotEpochs = record.snapshots.map((snapshot) => snapshot.epoch);
  if (record.parent === undefined) return { id: record.id, sizeBytes: record.sizeBytes, snapshotEpochs };
  const link = record.parent;
  const parentRecord = lookup(link.name);
  if (parentRecord === undefined || parentRecord.id !== link.id) {
    throw new VstorError('CORRUPTION', `vdisk ${record.name}: its parent ${link.name} (id ${link.id}) is not in the model`);
  }
  const snapshot = parentRecord.snapshots.find((candidate) => candidate.name === link.snapshot);
  if (snapshot === undefined || snapshot.epoch !== link.epoch) {
    throw new VstorError('CORRUPTION', `vdisk ${record.name}: its parent ${link.name} has no snapshot ${link.snapshot} at epoch ${link.epoch}`);
  }
  const parentLayout = layoutOf(parentRecord, lookup, depth + 1);
  return {
    id: record.id,
    sizeBytes: record.sizeBytes,
    snapshotEpochs,
    parent: { vdisk: { ...parentLayout, sizeBytes: snapshot.sizeBytes }, epoch: link.epoch },
  };
}

/** Every epoch something may still read on this vDisk: the head, every snapshot (clones
 * hang from snapshots, which cannot be deleted while they have clones). */
export function liveEpochsOf(record: VDiskRecord): number[] {
  return [...record.snapshots.map((snapshot) => snapshot.epoch), record.headEpoch];
}
