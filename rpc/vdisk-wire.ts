// The vDisk types of rpc/vdisk-api.ts in the wire's shapes and back: the service answers
// with these, and a member that forwards a call to another (rpc/vdisk-peers.ts) turns the
// answer back into the daemon's types.
import type { AllocationExtent, AllocationExtent__Output } from '../proto/gen/vstor/v1/AllocationExtent.ts';
import type { BlockRange as WireBlockRange, BlockRange__Output } from '../proto/gen/vstor/v1/BlockRange.ts';
import type { VDisk, VDisk__Output } from '../proto/gen/vstor/v1/VDisk.ts';
import type { VDiskSnapshot, VDiskSnapshot__Output } from '../proto/gen/vstor/v1/VDiskSnapshot.ts';
import { VstorError } from './errors.ts';
import type { BlockRange, Extent, VDiskInfo, VDiskSnapshotInfo } from './vdisk-api.ts';

/** The unary method of each call kind that VDisks.Session carries (vdisk.proto): a call on
 * a session is counted under that method, and goes as that call to a server without
 * Session or when it is too large for the stream. */
export const VDISK_SESSION_UNARY_METHODS = {
  getVdisk: 'GetVDisk', read: 'Read', write: 'Write', trim: 'Trim', writeZeroes: 'WriteZeroes', flush: 'Flush',
  createSnapshot: 'CreateSnapshot', listSnapshots: 'ListSnapshots', deleteSnapshot: 'DeleteSnapshot',
} as const;

export function snapshotToWire(snapshot: VDiskSnapshotInfo): VDiskSnapshot {
  return { name: snapshot.name, epoch: snapshot.epoch, sizeBytes: snapshot.sizeBytes, createdAtMs: snapshot.createdAtMs, clones: [...snapshot.clones] };
}

export function vdiskToWire(vdisk: VDiskInfo): VDisk {
  return {
    name: vdisk.name,
    id: vdisk.id,
    sizeBytes: vdisk.sizeBytes,
    owner: vdisk.owner,
    headEpoch: vdisk.headEpoch,
    parent: vdisk.parent === undefined ? null : { ...vdisk.parent },
    snapshots: vdisk.snapshots.map(snapshotToWire),
    createdAtMs: vdisk.createdAtMs,
    revision: vdisk.revision,
  };
}

export function extentToWire(extent: Extent): AllocationExtent {
  return { offsetBytes: extent.offsetBytes, lengthBytes: extent.lengthBytes, hole: extent.kind === 'hole' };
}

export function blockRangeToWire(range: BlockRange): WireBlockRange {
  return { firstBlockIndex: range.firstBlockIndex, blockCount: range.blockCount };
}

/** A uint64 of an answer, which must have arrived exact (below 2^53; rpc/proto-files.ts). */
function exact(field: string, value: number): number {
  if (!Number.isSafeInteger(value)) throw new VstorError('INTERNAL', `${field}: ${value} is not an exact integer`);
  return value;
}

export function snapshotFromWire(wire: VDiskSnapshot__Output): VDiskSnapshotInfo {
  return {
    name: wire.name,
    epoch: exact('snapshot.epoch', wire.epoch),
    sizeBytes: exact('snapshot.size_bytes', wire.sizeBytes),
    createdAtMs: exact('snapshot.created_at_ms', wire.createdAtMs),
    clones: [...wire.clones],
  };
}

export function vdiskFromWire(wire: VDisk__Output | null): VDiskInfo {
  if (wire === null) throw new VstorError('INTERNAL', 'the answer carries no vdisk');
  const vdisk: VDiskInfo = {
    name: wire.name,
    id: wire.id,
    sizeBytes: exact('vdisk.size_bytes', wire.sizeBytes),
    owner: wire.owner,
    headEpoch: exact('vdisk.head_epoch', wire.headEpoch),
    snapshots: wire.snapshots.map(snapshotFromWire),
    createdAtMs: exact('vdisk.created_at_ms', wire.createdAtMs),
    revision: exact('vdisk.revision', wire.revision),
  };
  if (wire.parent !== null) {
    vdisk.parent = { name: wire.parent.name, id: wire.parent.id, snapshot: wire.parent.snapshot, epoch: exact('vdisk.parent.epoch', wire.parent.epoch) };
  }
  return vdisk;
}

export function extentFromWire(wire: AllocationExtent__Output): Extent {
  return { offsetBytes: exact('extent.offset_bytes', wire.offsetBytes), lengthBytes: exact('extent.length_bytes', wire.lengthBytes), kind: wire.hole ? 'hole' : 'data' };
}

export function blockRangeFromWire(wire: BlockRange__Output): BlockRange {
  return { firstBlockIndex: exact('range.first_block_index', wire.firstBlockIndex), blockCount: exact('range.block_count', wire.blockCount) };
}
