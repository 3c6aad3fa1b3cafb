// What the Raft model knows of a vDisk, as far as its blocks are concerned, and the clone
// chain a read follows. The block store never decides any of this: the daemon passes it in.

import { BLOCK_BYTES } from './keys.ts';

export interface VDiskLayout {
  readonly id: number;
  readonly sizeBytes: number;
  /** Closed epochs that snapshots still read, in any order; all below the head epoch. */
  readonly snapshotEpochs: readonly number[];
  /** For a linked clone: the parent vDisk and the snapshot epoch it was cloned from. */
  readonly parent?: ParentLink;
}

export interface ParentLink {
  readonly vdisk: VDiskLayout;
  readonly epoch: number;
}

/** One vDisk of a clone chain, as a read at some epoch of the chain's first vDisk sees it. */
export interface ChainLayer {
  readonly vdiskId: number;
  /** The epoch read in this vDisk: the caller's epoch first, then each clone's parent epoch. */
  readonly epoch: number;
  /** Blocks at or past this index read as zeros from this layer on. */
  readonly endBlockIndex: number;
}

/**
 * The layers a read at `epoch` of `vdisk` goes through, nearest first. A block the nearest
 * layer has no version of falls through to the next. A block beyond any layer's size
 * reads zeros from there on, so each layer's end is clipped to the ends before it: a
 * parent's block past the end of a smaller clone never shows.
 */
export function readChain(vdisk: VDiskLayout, epoch: number): ChainLayer[] {
  const layers: ChainLayer[] = [];
  let layout: VDiskLayout | undefined = vdisk;
  let layoutEpoch = epoch;
  let endBlockIndex = Number.POSITIVE_INFINITY;
  while (layout !== undefined) {
    endBlockIndex = Math.min(endBlockIndex, Math.ceil(layout.sizeBytes / BLOCK_BYTES));
    layers.push({ vdiskId: layout.id, epoch: layoutEpoch, endBlockIndex });
    layoutEpoch = layout.parent?.epoch ?? 0;
    layout = layout.parent?.vdisk;
  }
  return layers;
}
