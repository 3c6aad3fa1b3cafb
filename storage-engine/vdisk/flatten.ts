// Flattening a linked clone: copying in what it reads from its parent chain, so that the
// model can then drop the parent link and every epoch of the clone reads as before.
//
// The parent side is fixed (the clone hangs from a snapshot epoch, which cannot change),
// so a block reads the same from the chain at every epoch of the clone. A clone epoch e
// falls through for a block exactly when the clone has no version of it ≤ e. So a copy is
// needed where the chain reads data and the clone's oldest version of the block (if any)
// is newer than its oldest snapshot; a chain that reads zeros needs nothing, since an
// absent block reads zeros without a parent too.
//
// The copies go to epoch 0, below every epoch of the clone: each epoch that fell through
// now finds the copy, and each that did not still finds its own newer version. Epoch 0
// takes no writes and is in no diff range (a diff covers epochs (from, to] with from ≥ 0),
// so diffs of the clone stay what they were: its own changes since it was cloned. Nothing
// else moves, so a read between two batches is unchanged, and a flatten cut short is
// finished by calling it again: blocks already copied have their version at epoch 0 and
// are passed over. The last batch is synced, so that once flatten returns the model may
// drop the parent link.
//
// Cost: one forward scan of the chain's stored versions, merged (BlockReader.resolvedKinds),
// plus one seek and one copy per data block of the chain; batches of batchBlocksMax blocks
// run under the clone's mutation lock, so writes wait one batch at most.

import type { BatchOperation, BlockEngine } from './block-reader.ts';
import { encodeDataRecord } from './block-record.ts';
import type { ParentLink, VDiskLayout } from './layout.ts';
import { readChain } from './layout.ts';
import { BLOCK_BYTES, EPOCH_MAX, blockKey } from './keys.ts';

/** Copies in every block `vdisk` reads from its parent chain; the caller validated it. */
export async function flatten(engine: BlockEngine, vdisk: VDiskLayout): Promise<void> {
  const parent = vdisk.parent;
  if (parent === undefined) return;
  const oldestSnapshotEpoch = vdisk.snapshotEpochs.length === 0 ? undefined : Math.min(...vdisk.snapshotEpochs);
  // The chain as the clone sees it: each layer clipped to the clone's size and those before.
  const parentLayers = readChain(vdisk, 0).slice(1);
  const endBlockIndex = Math.ceil(vdisk.sizeBytes / BLOCK_BYTES);
  let pending: number[] = [];
  for await (const [blockIndex, kind] of engine.reader.resolvedKinds(parentLayers, 0, endBlockIndex)) {
    if (kind !== 'data') continue;
    pending.push(blockIndex);
    if (pending.length < engine.batchBlocksMax) continue;
    const blockIndexes = pending;
    pending = [];
    await engine.exclusive(vdisk.id, () => copyBlocks(engine, vdisk.id, parent, oldestSnapshotEpoch, blockIndexes, false));
  }
  await engine.exclusive(vdisk.id, () => copyBlocks(engine, vdisk.id, parent, oldestSnapshotEpoch, pending, true));
}

async function copyBlocks(engine: BlockEngine, vdiskId: number, parent: ParentLink, oldestSnapshotEpoch: number | undefined, blockIndexes: readonly number[], sync: boolean): Promise<void> {
  const operations: BatchOperation[] = [];
  for (const blockIndex of blockIndexes) {
    const oldestEpoch = await engine.reader.versionEpoch(vdiskId, blockIndex, EPOCH_MAX, 'oldest');
    // With a version at or below the oldest snapshot, no epoch of the clone falls through.
    if (oldestEpoch !== undefined && (oldestSnapshotEpoch === undefined || oldestEpoch <= oldestSnapshotEpoch)) continue;
    const bytes = await engine.reader.readBlock(parent.vdisk, parent.epoch, blockIndex);
    if (bytes === undefined) continue;
    const key = blockKey(vdiskId, blockIndex, 0);
    operations.push({ type: 'put', key, value: encodeDataRecord(key, bytes) });
  }
  await engine.commit(operations, sync);
}
