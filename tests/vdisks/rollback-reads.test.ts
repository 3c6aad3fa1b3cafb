// Reads during a rollback (daemon/vdisks/owner.ts). The engine rolls a head back in
// batches, and between them the head reads as neither before nor after: a block that a
// later snapshot changed reads as that snapshot until the last batch. Found end to end (a
// reader looping through a rollback to s1 saw s2's bytes); here the engine's rollback is
// held at its start, so the test does not depend on catching a batch boundary: a read of
// the head waits for the rollback and then returns the snapshot's bytes, while a read of a
// snapshot, which a rollback never rewrites, goes on.
import test from 'ava';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import type { BlockEngine } from '../../daemon/vdisks/block-engine.ts';
import { VDiskManager } from '../../daemon/vdisks/manager.ts';
import { VDiskNbdBackend } from '../../daemon/vdisks/nbd-backend.ts';
import type { BlockStore } from '../../storage-engine/vdisk/block-store.ts';
import { SharedModel } from '../rpc/fake-node.ts';
import { ModelOnly, SoleMember } from './model-only.ts';

const BLOCK = 4096;
const MiB = 1 << 20;

/** The store, except that rollback() waits for `release` before it starts. */
function holdingRollback(store: BlockStore, held: { started: boolean; release: Promise<void> }): BlockEngine {
  return new Proxy(store, {
    get(target, key) {
      if (key === 'rollback') {
        return async (...args: Parameters<BlockStore['rollback']>): Promise<void> => {
          held.started = true;
          await held.release;
          return target.rollback(...args);
        };
      }
      const value: unknown = Reflect.get(target, key, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

function filled(value: number, lengthBytes: number): Uint8Array {
  return new Uint8Array(lengthBytes).fill(value);
}

async function until(what: string, condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`${what}: not within 5 s`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

test('a read of the head waits for a rollback under way; a snapshot read does not', async (t) => {
  const shared = await SharedModel.open(t);
  const directory = await mkdtemp(join(tmpdir(), 'vstor-rollback-reads-'));
  let releaseRollback = (): void => {};
  const held = { started: false, release: new Promise<void>((resolve) => (releaseRollback = resolve)) };
  const manager = new VDiskManager({
    model: new ModelOnly(shared, 'member-1'), cluster: new SoleMember(), directory, requestBytesMax: MiB, logger: pino({ level: 'silent' }),
    scrubIntervalMs: 3_600_000, capacityIntervalMs: 3_600_000, engine: (store) => holdingRollback(store, held),
  });
  await manager.open();
  t.teardown(async () => {
    releaseRollback();
    await manager.close();
    await rm(directory, { recursive: true, force: true });
  });

  const span = 8 * BLOCK;
  await manager.createVDisk({ name: 'd', sizeBytes: MiB }, undefined, {});
  await manager.write({ name: 'd', offsetBytes: 0, data: filled(0xa1, span), fua: false }, {});
  await manager.createSnapshot('d', 's1', undefined, {});
  await manager.write({ name: 'd', offsetBytes: 0, data: filled(0xb2, span), fua: false }, {});
  await manager.createSnapshot('d', 's2', undefined, {});
  await manager.write({ name: 'd', offsetBytes: 0, data: filled(0xc3, span), fua: false }, {});

  const rollback = manager.rollback('d', 's1', {});
  await until('the rollback to start', () => held.started);
  const headSettled = { done: false };
  const headRead = manager.read({ name: 'd', offsetBytes: 0, lengthBytes: span }, {}).finally(() => (headSettled.done = true));
  const nbdHead = await new VDiskNbdBackend(manager).open('d');
  const nbdRead = nbdHead.read(0, span).finally(() => (headSettled.done = true));
  const mapRead = manager.allocationMap({ name: 'd', offsetBytes: 0, lengthBytes: span }, {}).finally(() => (headSettled.done = true));

  // A snapshot is never rewritten by a rollback: its reads are served meanwhile.
  t.deepEqual(await manager.read({ name: 'd', snapshot: 's2', offsetBytes: 0, lengthBytes: span }, {}), filled(0xb2, span));
  t.deepEqual((await manager.diff({ name: 'd', fromSnapshot: 's1', toSnapshot: 's2', startBlockIndex: 0, rangesMax: 16 }, {})).ranges, [{ firstBlockIndex: 0, blockCount: 8 }]);
  await new Promise((resolve) => setTimeout(resolve, 100));
  t.false(headSettled.done, 'no read of the head is answered while the rollback is under way');

  releaseRollback();
  await rollback;
  t.deepEqual(await headRead, filled(0xa1, span), 'the head read waited and sees the snapshot');
  t.deepEqual(await nbdRead, filled(0xa1, span), 'so does a read through an NBD export');
  t.deepEqual(await mapRead, [{ offsetBytes: 0, lengthBytes: span, kind: 'data' }]);
  t.deepEqual(await manager.read({ name: 'd', snapshot: 's2', offsetBytes: 0, lengthBytes: span }, {}), filled(0xb2, span), 's2 still reads as it was');
  nbdHead.close();
});
