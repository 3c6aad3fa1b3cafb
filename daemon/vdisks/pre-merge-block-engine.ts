// A stand-in for the block engine calls that are being added to BlockStore in parallel
// (issue 4's engine work): rollback, flatten, purge, vdiskIds and interruptedRollbacks
// answer UNIMPLEMENTED, and a paged diff is cut from BlockStore's whole diff. Everything
// else is BlockStore's own. Delete this file when that work is merged, and give the
// daemon the BlockStore itself as its BlockEngine.

import { VstorError } from '../../storage-engine/errors.ts';
import type { BlockStore, BlockStoreCounters, VDiskLayout, WriteOptions } from '../../storage-engine/vdisk/block-store.ts';
import type { BlockRange, Extent } from '../../storage-engine/vdisk/extents.ts';
import type { BlockEngine, DiffOptions, InterruptedRollback } from './block-engine.ts';

function unimplemented(call: string): VstorError {
  return new VstorError('UNIMPLEMENTED', `${call} needs the block engine's ${call}(), which this build does not have yet`);
}

export class PreMergeBlockEngine implements BlockEngine {
  constructor(private readonly store: BlockStore) {}

  get counters(): BlockStoreCounters {
    return this.store.counters;
  }

  write(vdisk: VDiskLayout, epoch: number, offsetBytes: number, bytes: Uint8Array, options?: WriteOptions): Promise<void> {
    return this.store.write(vdisk, epoch, offsetBytes, bytes, options);
  }

  read(vdisk: VDiskLayout, epoch: number, offsetBytes: number, lengthBytes: number): Promise<Uint8Array> {
    return this.store.read(vdisk, epoch, offsetBytes, lengthBytes);
  }

  trim(vdisk: VDiskLayout, epoch: number, offsetBytes: number, lengthBytes: number, options?: WriteOptions): Promise<void> {
    return this.store.trim(vdisk, epoch, offsetBytes, lengthBytes, options);
  }

  writeZeroes(vdisk: VDiskLayout, epoch: number, offsetBytes: number, lengthBytes: number, options?: WriteOptions): Promise<void> {
    return this.store.writeZeroes(vdisk, epoch, offsetBytes, lengthBytes, options);
  }

  flush(): Promise<void> {
    return this.store.flush();
  }

  allocated(vdisk: VDiskLayout, epoch: number, offsetBytes: number, lengthBytes: number): Promise<Extent[]> {
    return this.store.allocated(vdisk, epoch, offsetBytes, lengthBytes);
  }

  async diff(vdisk: VDiskLayout, fromEpoch: number, toEpoch: number, options: DiffOptions = {}): Promise<BlockRange[]> {
    const start = options.startBlockIndex ?? 0;
    const page: BlockRange[] = [];
    for (const range of await this.store.diff(vdisk, fromEpoch, toEpoch)) {
      const end = range.firstBlockIndex + range.blockCount;
      if (end <= start) continue;
      const first = Math.max(start, range.firstBlockIndex);
      page.push({ firstBlockIndex: first, blockCount: end - first });
      if (options.rangesMax !== undefined && page.length >= options.rangesMax) break;
    }
    return page;
  }

  rollback(_vdisk: VDiskLayout, _headEpoch: number, _snapshotEpoch: number): Promise<void> {
    return Promise.reject(unimplemented('rollback'));
  }

  flatten(_vdisk: VDiskLayout): Promise<void> {
    return Promise.reject(unimplemented('flatten'));
  }

  purge(_vdiskId: number): Promise<number> {
    return Promise.reject(unimplemented('purge'));
  }

  vdiskIds(): Promise<number[]> {
    return Promise.reject(unimplemented('vdiskIds'));
  }

  interruptedRollbacks(): Promise<InterruptedRollback[]> {
    return Promise.reject(unimplemented('interruptedRollbacks'));
  }

  exclusive<T>(vdiskId: number, work: () => Promise<T>): Promise<T> {
    return this.store.exclusive(vdiskId, work);
  }
}
