// What the VDisks service needs from the daemon, in the daemon's terms (rpc/node-api.ts is
// the same idea for KV and Cluster). The service checks each request's shape and limits
// (rpc/vdisk-checks.ts) and translates between the wire and these calls; the daemon
// (daemon/vdisks/) decides where a call runs — here, on the owner, or on the leader — and
// forwards it there (rpc/vdisk-peers.ts), so the service never routes.
import type { BlockRange, Extent } from '../storage-engine/vdisk/extents.ts';

export type { BlockRange, Extent };

export interface VDiskSnapshotInfo {
  name: string;
  /** The vDisk epoch the snapshot closed. */
  epoch: number;
  /** The vDisk's size when the snapshot was taken. */
  sizeBytes: number;
  createdAtMs: number;
  /** Linked clones made from the snapshot, by name. */
  clones: string[];
}

export interface VDiskParentInfo {
  name: string;
  id: number;
  snapshot: string;
  epoch: number;
}

export interface VDiskInfo {
  name: string;
  id: number;
  sizeBytes: number;
  /** The member that holds the blocks. */
  owner: string;
  headEpoch: number;
  parent?: VDiskParentInfo;
  /** Oldest first. */
  snapshots: VDiskSnapshotInfo[];
  createdAtMs: number;
  /** The model revision of the last change to the vDisk's metadata. */
  revision: number;
}

/**
 * A client's (client_id, sequence) for one metadata change. The vDisk record keeps the pair
 * of its last change, so a retry of a change that was applied (its answer lost) is
 * recognised and answered with success.
 */
export interface ChangeIdentity {
  clientId: string;
  sequence: number;
}

/** How a call reached this member. */
export interface VDiskCallContext {
  /** The member that forwarded the call here; a forwarded call is never forwarded again. */
  forwardedBy?: string;
  /** When the client stops waiting (ms since the epoch); a forwarded call inherits it. */
  deadlineMs?: number;
  /**
   * The id of the vDisk the caller means: an NBD export pins the vDisk it opened. A call on
   * a name that by now names another vDisk (deleted and created again) is refused with
   * NOT_FOUND rather than served by the other one. A forwarded call carries it along.
   */
  vdiskId?: number;
}

export interface CreateVDiskSpec {
  name: string;
  sizeBytes: number;
  /** The member to place it on; absent lets the leader choose. */
  node?: string;
}

export interface ReadSpec {
  name: string;
  snapshot?: string;
  offsetBytes: number;
  lengthBytes: number;
}

export interface WriteSpec {
  name: string;
  offsetBytes: number;
  data: Uint8Array;
  fua: boolean;
}

export interface RangeSpec {
  name: string;
  offsetBytes: number;
  lengthBytes: number;
  fua: boolean;
}

export interface AllocationSpec {
  name: string;
  snapshot?: string;
  offsetBytes: number;
  lengthBytes: number;
}

export interface DiffSpec {
  name: string;
  /** Absent: epoch 0, before anything was written. */
  fromSnapshot?: string;
  /** Absent: the head. */
  toSnapshot?: string;
  startBlockIndex: number;
  rangesMax: number;
}

export interface DiffPage {
  /** Sorted, merged, every range at or after the page's start. */
  ranges: BlockRange[];
  more: boolean;
  /** Where the next page starts when `more`. */
  nextStartBlockIndex: number;
}

/**
 * The daemon's vDisk operations. Every call may be made on any member and fails with a
 * VstorError: NOT_FOUND for an unknown vDisk or snapshot, ALREADY_EXISTS, OUT_OF_RANGE for
 * a range past the end, FAILED_PRECONDITION for a state that forbids the change (a shrink,
 * a snapshot with clones), UNAVAILABLE (retryable) when the member that must serve it cannot
 * be reached. For write, trim and writeZeroes, an error marked retryable guarantees that
 * the blocks were not touched.
 */
export interface VDiskNode {
  createVDisk(spec: CreateVDiskSpec, identity: ChangeIdentity | undefined, context: VDiskCallContext): Promise<VDiskInfo>;
  listVDisks(options: { serializable: boolean }): Promise<VDiskInfo[]>;
  getVDisk(name: string, options: { serializable: boolean }): Promise<VDiskInfo>;
  deleteVDisk(name: string, identity: ChangeIdentity | undefined, context: VDiskCallContext): Promise<void>;
  resizeVDisk(name: string, sizeBytes: number, identity: ChangeIdentity | undefined, context: VDiskCallContext): Promise<VDiskInfo>;

  read(spec: ReadSpec, context: VDiskCallContext): Promise<Uint8Array>;
  write(spec: WriteSpec, context: VDiskCallContext): Promise<void>;
  trim(spec: RangeSpec, context: VDiskCallContext): Promise<void>;
  writeZeroes(spec: RangeSpec, context: VDiskCallContext): Promise<void>;
  flush(name: string, context: VDiskCallContext): Promise<void>;
  allocationMap(spec: AllocationSpec, context: VDiskCallContext): Promise<Extent[]>;

  createSnapshot(name: string, snapshot: string, identity: ChangeIdentity | undefined, context: VDiskCallContext): Promise<{ vdisk: VDiskInfo; snapshot: VDiskSnapshotInfo }>;
  deleteSnapshot(name: string, snapshot: string, identity: ChangeIdentity | undefined, context: VDiskCallContext): Promise<VDiskInfo>;
  rollback(name: string, snapshot: string, context: VDiskCallContext): Promise<VDiskInfo>;
  clone(name: string, snapshot: string, cloneName: string, identity: ChangeIdentity | undefined, context: VDiskCallContext): Promise<VDiskInfo>;
  flatten(name: string, identity: ChangeIdentity | undefined, context: VDiskCallContext): Promise<VDiskInfo>;
  diff(spec: DiffSpec, context: VDiskCallContext): Promise<DiffPage>;
}

/** The limits the VDisks service checks requests against; the daemon's config. */
export interface VDiskLimits {
  /** The longest read or write, in bytes. */
  requestBytesMax: number;
  /** The largest vDisk, in bytes. */
  vdiskBytesMax: number;
}
