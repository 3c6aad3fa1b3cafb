// Shared by the vDisk tests: a real classic-level database in a temp directory that can be
// closed and opened again (a restart), removed on teardown; and a block store whose job
// batches can be made to fail, which stands for a crash between two batches.

import type { ExecutionContext } from 'ava';
import { ClassicLevel } from 'classic-level';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BatchOperation, BlockDatabase } from '../../storage-engine/vdisk/block-store.ts';
import { BlockStore } from '../../storage-engine/vdisk/block-store.ts';

export const KiB = 1024;
export const MiB = 1024 * KiB;
export const TiB = 1024 * 1024 * MiB;

export interface TestDirectory {
  /** Opens (again) the database in the directory; the previous one must be closed. */
  open(): Promise<BlockDatabase>;
}

export async function testDirectory(t: ExecutionContext): Promise<TestDirectory> {
  const directory = await mkdtemp(join(tmpdir(), 'vstor-vdisk-'));
  const opened: BlockDatabase[] = [];
  t.teardown(async () => {
    for (const db of opened) await db.close();
    await rm(directory, { recursive: true, force: true });
  });
  return {
    async open(): Promise<BlockDatabase> {
      const db = new ClassicLevel<Uint8Array, Uint8Array>(directory, { keyEncoding: 'view', valueEncoding: 'view' });
      await db.open();
      opened.push(db);
      return db;
    },
  };
}

export class SimulatedCrash extends Error {
  constructor() {
    super('simulated crash between two batches');
    this.name = 'SimulatedCrash';
  }
}

/** A block store whose next job batch after `commitsBeforeCrash` more throws instead. */
export class InterruptibleStore extends BlockStore {
  commitsBeforeCrash: number | undefined;
  /** Job batches written, for tests that want to see the work was cut into several. */
  commits = 0;

  protected override async commit(operations: BatchOperation[], sync: boolean): Promise<void> {
    if (this.commitsBeforeCrash !== undefined) {
      if (this.commitsBeforeCrash === 0) {
        this.commitsBeforeCrash = undefined;
        throw new SimulatedCrash();
      }
      this.commitsBeforeCrash--;
    }
    this.commits++;
    await super.commit(operations, sync);
  }
}

export function pattern(lengthBytes: number, seed: number): Uint8Array {
  const bytes = new Uint8Array(lengthBytes);
  for (let index = 0; index < lengthBytes; index++) bytes[index] = (index * 31 + seed * 17 + 1) & 0xff || 1;
  return bytes;
}

export function filled(lengthBytes: number, value: number): Uint8Array {
  return new Uint8Array(lengthBytes).fill(value);
}
