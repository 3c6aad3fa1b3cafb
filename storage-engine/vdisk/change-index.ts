// Reading the change index for diffs, one page at a time (keys.ts has the layout).
//
// The index is ordered epoch first: (vdisk, epoch, block). The blocks written in epochs
// (from, to] are one contiguous key range, so a whole diff costs the rows of what changed.
// But within that range the blocks are sorted per epoch only, not across epochs, so a page
// "from block b on" is not one range: it is one run per epoch that has rows, each starting
// at (epoch, b). The scan below seeks to each such run and merges the runs into a bounded
// range set; an epoch without rows costs nothing, because a seek from one epoch's run lands
// directly on the next epoch that has rows. A page costs the rows it returns plus about one
// row and one seek per epoch with rows, never the disk's size.
//
// Paging by block rather than by an (epoch, block) cursor keeps the pages sorted and
// disjoint: concatenated, they are the diff, each block once (a range may come split at a
// page's end; extents.ts BoundedRangeSet says when). An (epoch, block) cursor would cost
// no per-epoch seeks, but its pages would overlap and repeat blocks changed in several
// epochs, which a consumer would have to merge over the whole diff.

import { VstorError } from '../errors.ts';
import type { BlockDatabase, BlockStoreCounters } from './block-reader.ts';
import type { BlockRange } from './extents.ts';
import { BoundedRangeSet } from './extents.ts';
import { changeKey, decodeChangeKey } from './keys.ts';

/** Keys fetched per round trip while scanning a run. */
const KEYS_PER_CHUNK = 1000;

export interface ChangedRangesPage {
  ranges: BlockRange[];
  /** Where the next page starts, or undefined when this page ends the diff. */
  nextStartBlockIndex: number | undefined;
}

/**
 * The first `rangesMax` ranges of blocks ≥ startBlockIndex written in epochs
 * (fromEpoch, toEpoch] of one vDisk, sorted and merged.
 */
export async function changedRangesPage(
  db: BlockDatabase,
  counters: BlockStoreCounters,
  vdiskId: number,
  fromEpoch: number,
  toEpoch: number,
  startBlockIndex: number,
  rangesMax: number,
): Promise<ChangedRangesPage> {
  const set = new BoundedRangeSet(rangesMax);
  const lt = changeKey(vdiskId, toEpoch + 1, 0);
  let epoch = fromEpoch + 1;
  while (epoch <= toEpoch) {
    let seekEpoch: number | undefined;
    // Keys come in chunks (one thread-pool round trip each), not one awaited step per key.
    const keys = db.keys({ gte: changeKey(vdiskId, epoch, startBlockIndex), lt });
    try {
      scan: for (let chunk = await keys.nextv(KEYS_PER_CHUNK); chunk.length > 0; chunk = await keys.nextv(KEYS_PER_CHUNK)) {
        for (const key of chunk) {
          counters.changeRowsScanned++;
          const fields = decodeChangeKey(key);
          if (fields === undefined) throw new VstorError('CORRUPTION', `a key in vdisk ${vdiskId}'s change index is not a change key`);
          if (fields.epoch !== epoch) {
            // The run of `epoch` ended and the scan went on into the next epoch with rows.
            epoch = fields.epoch;
            if (fields.blockIndex < startBlockIndex) {
              seekEpoch = epoch;
              break scan;
            }
          }
          if (fields.blockIndex >= set.endBlockIndex) {
            // The rest of this epoch's run is beyond the page.
            seekEpoch = epoch + 1;
            break scan;
          }
          set.add(fields.blockIndex);
        }
      }
    } finally {
      await keys.close();
    }
    if (seekEpoch === undefined) break;
    epoch = seekEpoch;
  }
  const { ranges, complete } = set.firstRanges();
  const last = ranges[ranges.length - 1];
  return { ranges, nextStartBlockIndex: complete || last === undefined ? undefined : last.firstBlockIndex + last.blockCount };
}
