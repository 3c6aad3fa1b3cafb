// Giving back everything a deleted vDisk stored, and finding vDisks the model forgot.
//
// A vDisk's rows are three contiguous key ranges, one per family (keys.ts): its block
// versions, its change rows and its rollback intent. Purge deletes them in batches of
// bounded rows under the vDisk's mutation lock; it is idempotent, so a purge cut short is
// finished by running it again, and a purge of an id with no rows deletes nothing. The
// daemon purges a vDisk after the model has deleted it, and at start-up purges every id
// vdiskIds() lists that the model does not know (a crash between the two leaves orphans).

import type { BlockEngine } from './block-reader.ts';
import { readKeys } from './block-reader.ts';
import { VDISK_ID_MAX, VDISK_KEY_PREFIXES, familyBoundsFrom, familyBoundsOf, vdiskIdOfKey } from './keys.ts';

/** Deletes every row of one vDisk; returns how many there were. */
export async function purge(engine: BlockEngine, vdiskId: number): Promise<number> {
  let deletedRows = 0;
  for (const prefix of VDISK_KEY_PREFIXES) {
    const bounds = familyBoundsOf(prefix, vdiskId);
    for (;;) {
      const batchRows = await engine.exclusive(vdiskId, async () => {
        const keys = await readKeys(engine.db, bounds, engine.batchBlocksMax);
        if (keys.length === 0) return 0;
        await engine.commit(keys.map((key) => ({ type: 'del' as const, key })), false);
        return keys.length;
      });
      if (batchRows === 0) break;
      deletedRows += batchRows;
    }
  }
  return deletedRows;
}

/** The ids of every vDisk with any row, ascending: one seek per id and family. */
export async function vdiskIds(engine: BlockEngine): Promise<number[]> {
  const ids = new Set<number>();
  for (const prefix of VDISK_KEY_PREFIXES) {
    let firstVDiskId = 0;
    for (;;) {
      const [key] = await readKeys(engine.db, familyBoundsFrom(prefix, firstVDiskId), 1);
      if (key === undefined) break;
      const vdiskId = vdiskIdOfKey(key);
      ids.add(vdiskId);
      if (vdiskId === VDISK_ID_MAX) break;
      firstVDiskId = vdiskId + 1;
    }
  }
  return [...ids].sort((a, b) => a - b);
}
