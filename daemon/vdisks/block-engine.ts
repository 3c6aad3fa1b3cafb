// What the vDisk controllers use of the block engine (storage-engine/vdisk/block-store.ts),
// as one interface: BlockStore's I/O, diff and lock, and the calls that rollback, flatten,
// delete and restart need (rollback, flatten, purge, vdiskIds, interruptedRollbacks, paged
// diff). BlockStore implements it; the interface is what the controllers depend on, so a
// test can hand them an engine that fails or stalls on purpose.

import type { BlockStoreCounters, VDiskLayout, WriteOptions } from '../../storage-engine/vdisk/block-store.ts';
import type { BlockRange, Extent } from '../../storage-engine/vdisk/extents.ts';

export interface DiffOptions {
  /** Ranges before this block are left out. */
  startBlockIndex?: number;
  /** At most this many ranges. */
  rangesMax?: number;
}

export interface InterruptedRollback {
  vdiskId: number;
  headEpoch: number;
  snapshotEpoch: number;
}

export interface BlockEngine {
  readonly counters: BlockStoreCounters;
  write(vdisk: VDiskLayout, epoch: number, offsetBytes: number, bytes: Uint8Array, options?: WriteOptions): Promise<void>;
  read(vdisk: VDiskLayout, epoch: number, offsetBytes: number, lengthBytes: number): Promise<Uint8Array>;
  trim(vdisk: VDiskLayout, epoch: number, offsetBytes: number, lengthBytes: number, options?: WriteOptions): Promise<void>;
  writeZeroes(vdisk: VDiskLayout, epoch: number, offsetBytes: number, lengthBytes: number, options?: WriteOptions): Promise<void>;
  flush(): Promise<void>;
  allocated(vdisk: VDiskLayout, epoch: number, offsetBytes: number, lengthBytes: number): Promise<Extent[]>;
  /** One page of the blocks changed in (fromEpoch, toEpoch]; nextStartBlockIndex undefined after the last. */
  diffPage(vdisk: VDiskLayout, fromEpoch: number, toEpoch: number, options?: DiffOptions): Promise<{ ranges: BlockRange[]; nextStartBlockIndex: number | undefined }>;
  /** Makes the head epoch read as the snapshot epoch does (resumable after a crash). */
  rollback(vdisk: VDiskLayout, headEpoch: number, snapshotEpoch: number): Promise<void>;
  /** Copies into a clone every block it reads from its parent chain. */
  flatten(vdisk: VDiskLayout): Promise<void>;
  /** Deletes every block and change row of a vDisk; returns how many keys went. */
  purge(vdiskId: number): Promise<number>;
  /** The ids that have any block stored. */
  vdiskIds(): Promise<number[]>;
  /** Rollbacks that a crash cut short, to finish at start. */
  interruptedRollbacks(): Promise<InterruptedRollback[]>;
  exclusive<T>(vdiskId: number, work: () => Promise<T>): Promise<T>;
}
