// The scrubber: reclaims block versions that no live epoch can read any more, and verifies
// the checksum of every version it passes (DESIGN.md "vDisks": deleting a snapshot leaves
// garbage that a background scrubber reclaims).
//
// A read at epoch e sees the newest version ≤ e. So, given the live epochs of a vDisk (its
// remaining snapshot epochs, the epochs its clones hang from, and its head), a version is
// needed only if it is the newest ≤ some live epoch; every other version is garbage. On a
// vDisk without parent, a tombstone with nothing kept below it reads as the zeros that an
// absent version reads as too, so it goes as well.
//
// The work is cut into passes of a bounded number of rows, each run under the block store's
// per-vDisk mutation lock: a pass never deletes a key a concurrent write has just rewritten,
// and writes wait at most one pass. The change index is left alone: diff needs it between
// any two live epochs. Corrupt versions are counted and named, never deleted: deciding what
// to do with them is an operator's call, and a read of them keeps failing loudly meanwhile.

import { VstorError } from '../errors.ts';
import { decodeBlockRecord } from './block-record.ts';
import type { BlockStore, VDiskLayout } from './block-store.ts';
import type { BlockKeyFields } from './keys.ts';
import { BLOCK_BYTES, blocksBounds, decodeBlockKey } from './keys.ts';

export interface ScrubOptions {
  /** Rows read per pass under the vDisk's lock (a pass may finish its last block). */
  rowsPerPassMax: number;
}

/** Running counts: the daemon exports them as metrics while a scrub is under way. */
export interface ScrubProgress {
  blocksScanned: number;
  versionsScanned: number;
  versionsReclaimed: number;
  corruptVersions: number;
  passes: number;
}

export interface ScrubReport extends ScrubProgress {
  /** Where each corrupt version is, as "vdisk V block B epoch E". */
  corruptLocations: string[];
}

/** At most this many corrupt locations are kept in a report; the count goes on. */
const CORRUPT_LOCATIONS_MAX = 100;

interface StoredVersion {
  key: Uint8Array;
  fields: BlockKeyFields;
  kind: 'data' | 'tombstone' | 'corrupt';
}

export class Scrubber {
  readonly progress: ScrubProgress = { blocksScanned: 0, versionsScanned: 0, versionsReclaimed: 0, corruptVersions: 0, passes: 0 };
  private readonly store: BlockStore;
  private readonly rowsPerPassMax: number;

  constructor(store: BlockStore, options: ScrubOptions) {
    if (!Number.isSafeInteger(options.rowsPerPassMax) || options.rowsPerPassMax < 1) {
      throw new VstorError('INVALID_ARGUMENT', `rowsPerPassMax must be a positive integer, got ${options.rowsPerPassMax}`);
    }
    this.store = store;
    this.rowsPerPassMax = options.rowsPerPassMax;
  }

  /**
   * Scrubs one vDisk. Every epoch anything may still read must be named, in `liveEpochs`
   * or among the layout's snapshot epochs (both are kept): the head, each snapshot, and
   * each epoch a clone hangs from. A clone reads this vDisk at its parent epoch, and this
   * vDisk's layout knows nothing of its clones: that epoch is kept only because the model
   * keeps a snapshot with clones, or because the caller lists it. Progress counts
   * accumulate over calls; the report counts this call only.
   */
  async scrubVDisk(vdisk: VDiskLayout, liveEpochs: readonly number[]): Promise<ScrubReport> {
    if (liveEpochs.length === 0) throw new VstorError('INVALID_ARGUMENT', `vdisk ${vdisk.id}: a scrub needs at least the head epoch`);
    for (const epoch of liveEpochs) {
      if (!Number.isInteger(epoch) || epoch < 0) throw new VstorError('INVALID_ARGUMENT', `vdisk ${vdisk.id}: live epoch ${epoch} is not a non-negative integer`);
    }
    const sortedEpochs = [...new Set([...liveEpochs, ...vdisk.snapshotEpochs])].sort((a, b) => a - b);
    const report: ScrubReport = { blocksScanned: 0, versionsScanned: 0, versionsReclaimed: 0, corruptVersions: 0, passes: 0, corruptLocations: [] };
    const endBlockIndex = Math.ceil(vdisk.sizeBytes / BLOCK_BYTES);
    let nextBlockIndex = 0;
    while (nextBlockIndex < endBlockIndex) {
      const resumeAt = await this.store.exclusive(vdisk.id, () => this.pass(vdisk, sortedEpochs, nextBlockIndex, endBlockIndex, report));
      nextBlockIndex = resumeAt;
    }
    return report;
  }

  /** One pass from `firstBlockIndex`; returns the block index the next pass starts at. */
  protected async pass(vdisk: VDiskLayout, sortedEpochs: readonly number[], firstBlockIndex: number, endBlockIndex: number, report: ScrubReport): Promise<number> {
    this.count(report, 'passes', 1);
    const deletions: Array<{ type: 'del'; key: Uint8Array }> = [];
    let rows = 0;
    let versions: StoredVersion[] = [];
    let resumeAt = endBlockIndex;
    for await (const [key, value] of this.store.database.iterator(blocksBounds(vdisk.id, firstBlockIndex, endBlockIndex))) {
      const fields = decodeBlockKey(key);
      if (fields === undefined) throw new VstorError('CORRUPTION', `a key in vdisk ${vdisk.id}'s block range is not a block key`);
      const current = versions[0];
      if (current !== undefined && current.fields.blockIndex !== fields.blockIndex) {
        this.collect(vdisk, sortedEpochs, versions, deletions, report);
        versions = [];
        if (rows >= this.rowsPerPassMax) {
          resumeAt = fields.blockIndex;
          break;
        }
      }
      rows++;
      this.count(report, 'versionsScanned', 1);
      let kind: StoredVersion['kind'];
      try {
        kind = decodeBlockRecord(key, value).kind;
      } catch (error) {
        if (!(error instanceof VstorError) || error.code !== 'CORRUPTION') throw error;
        kind = 'corrupt';
        this.count(report, 'corruptVersions', 1);
        if (report.corruptLocations.length < CORRUPT_LOCATIONS_MAX) {
          report.corruptLocations.push(`vdisk ${fields.vdiskId} block ${fields.blockIndex} epoch ${fields.epoch}`);
        }
      }
      versions.push({ key, fields, kind });
    }
    if (versions.length > 0) this.collect(vdisk, sortedEpochs, versions, deletions, report);
    if (deletions.length > 0) await this.store.deleteVersions(deletions);
    this.count(report, 'versionsReclaimed', deletions.length);
    return resumeAt;
  }

  /** Adds to `deletions` the versions of one block (ascending epochs) that nothing reads. */
  protected collect(vdisk: VDiskLayout, sortedEpochs: readonly number[], versions: StoredVersion[], deletions: Array<{ type: 'del'; key: Uint8Array }>, report: ScrubReport): void {
    this.count(report, 'blocksScanned', 1);
    const kept = new Set<number>();
    let versionIndex = -1;
    for (const epoch of sortedEpochs) {
      while (versionIndex + 1 < versions.length && versions[versionIndex + 1]!.fields.epoch <= epoch) versionIndex++;
      if (versionIndex >= 0) kept.add(versionIndex);
    }
    // Without a parent to hide, tombstones at the bottom of what is kept read like nothing.
    // A corrupt version below one stops this: it stays, and the tombstone must hide it.
    if (vdisk.parent === undefined) {
      for (let index = 0; index < versions.length; index++) {
        const kind = versions[index]!.kind;
        if (kind === 'corrupt') break;
        if (!kept.has(index)) continue;
        if (kind !== 'tombstone') break;
        kept.delete(index);
      }
    }
    versions.forEach((version, index) => {
      // A corrupt version stays where an operator can find it.
      if (!kept.has(index) && version.kind !== 'corrupt') deletions.push({ type: 'del', key: version.key });
    });
  }

  private count(report: ScrubReport, field: keyof ScrubProgress, amount: number): void {
    report[field] += amount;
    this.progress[field] += amount;
  }
}
