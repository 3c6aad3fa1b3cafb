// Rolling a vDisk's head back to one of its snapshots, at a cost proportional to what
// changed since that snapshot, in bounded batches, and safe to interrupt.
//
// Let S be the target snapshot epoch and N the newest snapshot epoch (N ≥ S; snapshots
// taken after S stay, untouched). Only blocks with change rows in (S, head] can read
// differently at the head than at S, and every stored version has a change row at its own
// epoch, so the change index of (S, head] says which blocks to visit. Two phases:
//
//   1. Versions newer than N are read by the head alone. For each change row in
//      (N, head], delete the block's versions in (N, head] and the row itself. A block
//      the head then reads from an epoch ≤ S reads as at S already.
//   2. Only if N > S: for each change row in (S, N], if the block's newest version ≤ N is
//      newer than S (a later snapshot changed it), write at the head what a read at S
//      returns, parent fall-through included: a copy of the bytes, or a tombstone when S
//      reads zeros (an absent version would show the later snapshot's data instead). The
//      copy gets a change row at the head, so diffs from the later snapshots see it.
//
// Diffs stay exact between live epochs: the rows of (x, N] are untouched, and the head now
// differs from any live snapshot x only where S does, which rows in (x, S] or the copies'
// rows at the head report.
//
// Crash safety: an intent record (keys.ts) is written before the first batch and deleted
// after the last, in a synced batch. Each batch is atomic and every step is idempotent
// (phase 1 deletes what it handled; phase 2 rewrites the same copies), so a rollback cut
// short is finished by running it again with the same epochs; interruptedRollbacks() lists
// the ones to re-run before the vDisk serves again. The caller holds the vDisk's mutation
// lock throughout, so no write lands between batches.

import { VstorError } from '../errors.ts';
import type { BatchOperation, BlockEngine } from './block-reader.ts';
import { readKeys } from './block-reader.ts';
import { encodeDataRecord, encodeTombstoneRecord } from './block-record.ts';
import type { VDiskLayout } from './layout.ts';
import { blockKey, changeKey, changesBounds, decodeChangeKey, rollbackIntentKey, rollbackIntentsBounds, vdiskIdOfKey } from './keys.ts';

export interface RollbackIntent {
  vdiskId: number;
  headEpoch: number;
  snapshotEpoch: number;
}

const INTENT_VALUE_BYTES = 8;
const EMPTY = new Uint8Array(0);

function encodeIntent(headEpoch: number, snapshotEpoch: number): Uint8Array {
  const value = new Uint8Array(INTENT_VALUE_BYTES);
  const view = new DataView(value.buffer);
  view.setUint32(0, headEpoch);
  view.setUint32(4, snapshotEpoch);
  return value;
}

/** Every rollback that was started and did not finish, in vDisk id order. */
export async function interruptedRollbacks(engine: BlockEngine): Promise<RollbackIntent[]> {
  const intents: RollbackIntent[] = [];
  for await (const [key, value] of engine.db.iterator(rollbackIntentsBounds())) {
    const vdiskId = vdiskIdOfKey(key);
    if (value.length !== INTENT_VALUE_BYTES) throw new VstorError('CORRUPTION', `vdisk ${vdiskId}'s rollback intent has ${value.length} bytes, expected ${INTENT_VALUE_BYTES}`);
    const view = new DataView(value.buffer, value.byteOffset, value.byteLength);
    intents.push({ vdiskId, headEpoch: view.getUint32(0), snapshotEpoch: view.getUint32(4) });
  }
  return intents;
}

/** Rolls the head back to `snapshotEpoch`; the caller validated and holds the lock. */
export async function rollBack(engine: BlockEngine, vdisk: VDiskLayout, headEpoch: number, snapshotEpoch: number): Promise<void> {
  const newestSnapshotEpoch = Math.max(...vdisk.snapshotEpochs);
  const intentKey = rollbackIntentKey(vdisk.id);
  await engine.db.put(intentKey, encodeIntent(headEpoch, snapshotEpoch));
  await dropHeadVersions(engine, vdisk.id, newestSnapshotEpoch, headEpoch);
  if (newestSnapshotEpoch > snapshotEpoch) await copyOverLaterSnapshots(engine, vdisk, headEpoch, snapshotEpoch, newestSnapshotEpoch);
  await engine.commit([{ type: 'del', key: intentKey }], true);
}

/** Phase 1: deletes every version in (newestSnapshotEpoch, headEpoch] and its change rows. */
async function dropHeadVersions(engine: BlockEngine, vdiskId: number, newestSnapshotEpoch: number, headEpoch: number): Promise<void> {
  const rowBounds = changesBounds(vdiskId, newestSnapshotEpoch, headEpoch);
  for (;;) {
    // Each batch deletes the rows it read, so the next one starts at the front again.
    const rows = await readKeys(engine.db, rowBounds, engine.batchBlocksMax);
    engine.counters.changeRowsScanned += rows.length;
    if (rows.length === 0) return;
    const operations: BatchOperation[] = [];
    const visited = new Set<number>();
    for (const row of rows) {
      operations.push({ type: 'del', key: row });
      const blockIndex = changeRowBlock(vdiskId, row);
      if (visited.has(blockIndex)) continue;
      visited.add(blockIndex);
      const versions = { gte: blockKey(vdiskId, blockIndex, newestSnapshotEpoch + 1), lt: blockKey(vdiskId, blockIndex, headEpoch + 1) };
      for await (const key of engine.db.keys(versions)) {
        engine.counters.blockRowsScanned++;
        operations.push({ type: 'del', key });
      }
    }
    await engine.commit(operations, false);
  }
}

/** Phase 2: hides what snapshots after the target changed, behind copies of the target. */
async function copyOverLaterSnapshots(engine: BlockEngine, vdisk: VDiskLayout, headEpoch: number, snapshotEpoch: number, newestSnapshotEpoch: number): Promise<void> {
  const rowBounds = changesBounds(vdisk.id, snapshotEpoch, newestSnapshotEpoch);
  let after: Uint8Array | undefined;
  for (;;) {
    const rows = await readKeys(engine.db, after === undefined ? rowBounds : { gt: after, lt: rowBounds.lt }, engine.batchBlocksMax);
    engine.counters.changeRowsScanned += rows.length;
    if (rows.length === 0) return;
    const operations: BatchOperation[] = [];
    const visited = new Set<number>();
    for (const row of rows) {
      const blockIndex = changeRowBlock(vdisk.id, row);
      if (visited.has(blockIndex)) continue;
      visited.add(blockIndex);
      const newestEpoch = await engine.reader.versionEpoch(vdisk.id, blockIndex, newestSnapshotEpoch, 'newest');
      if (newestEpoch === undefined || newestEpoch <= snapshotEpoch) continue;
      const bytes = await engine.reader.readBlock(vdisk, snapshotEpoch, blockIndex);
      const key = blockKey(vdisk.id, blockIndex, headEpoch);
      operations.push({ type: 'put', key, value: bytes === undefined ? encodeTombstoneRecord(key) : encodeDataRecord(key, bytes) });
      operations.push({ type: 'put', key: changeKey(vdisk.id, headEpoch, blockIndex), value: EMPTY });
    }
    await engine.commit(operations, false);
    after = rows[rows.length - 1];
  }
}

function changeRowBlock(vdiskId: number, row: Uint8Array): number {
  const fields = decodeChangeKey(row);
  if (fields === undefined) throw new VstorError('CORRUPTION', `a key in vdisk ${vdiskId}'s change index is not a change key`);
  return fields.blockIndex;
}
