// The vDisk manager of one member in process (daemon/vdisks/manager.ts), on a real model
// and a real block database: a snapshot taken while writes are in flight never changes
// afterwards (writes take the head epoch inside the gate, not from before the snapshot);
// changes another member makes reach this member's catalog, and a write that looks out of
// range or names an unknown vDisk is checked again before it is refused; the scrubber
// reclaims what a deleted snapshot alone read; the NBD backend serves NAME and NAME@SNAP.
import test from 'ava';
import type { ExecutionContext } from 'ava';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { VDiskManager } from '../../daemon/vdisks/manager.ts';
import { VDiskMetadata } from '../../daemon/vdisks/metadata.ts';
import { VDiskNbdBackend } from '../../daemon/vdisks/nbd-backend.ts';
import type { VDiskRecord } from '../../daemon/vdisks/record.ts';
import { decodeVDiskRecord, vdiskKey } from '../../daemon/vdisks/record.ts';
import { isVstorError } from '../../storage-engine/errors.ts';
import type { BlockStore } from '../../storage-engine/vdisk/block-store.ts';
import { SharedModel } from '../rpc/fake-node.ts';
import { ModelOnly, SoleMember } from './model-only.ts';

const BLOCK = 4096;
const MiB = 1 << 20;

async function openManager(t: ExecutionContext): Promise<{ manager: VDiskManager; model: ModelOnly; other: VDiskMetadata }> {
  const shared = await SharedModel.open(t);
  const model = new ModelOnly(shared, 'member-1');
  const directory = await mkdtemp(join(tmpdir(), 'vstor-vdisk-manager-'));
  const manager = new VDiskManager({
    model, cluster: new SoleMember(), directory, requestBytesMax: MiB, logger: pino({ level: 'silent' }),
    scrubIntervalMs: 3_600_000, capacityIntervalMs: 3_600_000,
  });
  await manager.open();
  t.teardown(async () => {
    await manager.close();
    await rm(directory, { recursive: true, force: true });
  });
  // Another member proposing through the same model.
  return { manager, model, other: new VDiskMetadata({ model: new ModelOnly(shared, 'member-2') }) };
}

/**
 * A vDisk `name` whose block 0 holds 1s, written without FUA; the manager's block store, and
 * its flush as it was, for a test to replace and then restore.
 */
async function diskWithUnflushedBlock(manager: VDiskManager, name: string): Promise<{ store: BlockStore; flush: () => Promise<void> }> {
  await manager.createVDisk({ name, sizeBytes: MiB }, undefined, {});
  await manager.write({ name, offsetBytes: 0, data: filled(1), fua: false }, {});
  const store = manager.engine as BlockStore;
  return { store, flush: store.flush.bind(store) };
}

async function recordInModel(model: ModelOnly, name: string): Promise<VDiskRecord> {
  const kv = await model.getSystem(vdiskKey(name));
  if (kv === undefined) throw new Error(`vdisk ${name} is not in the model`);
  return decodeVDiskRecord(kv.value, name);
}

/** The record of vDisk `name` once the model has its snapshot `snapshot` (within 5 s). */
async function untilSnapshotInModel(model: ModelOnly, name: string, snapshot: string): Promise<VDiskRecord> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const record = await recordInModel(model, name);
    if (record.snapshots.some((candidate) => candidate.name === snapshot)) return record;
    if (Date.now() > deadline) throw new Error(`snapshot ${name}@${snapshot} did not reach the model within 5 s`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

function filled(value: number, lengthBytes = BLOCK): Uint8Array {
  return new Uint8Array(lengthBytes).fill(value);
}

async function eventually<T>(what: string, probe: () => T | undefined): Promise<T> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within 5 s`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

test('a snapshot taken while writes are in flight never changes afterwards', async (t) => {
  const { manager } = await openManager(t);
  await manager.createVDisk({ name: 'd', sizeBytes: MiB }, undefined, {});
  const blocks = 16;
  const taken: Array<{ name: string; bytes: Uint8Array }> = [];
  const inFlight: Promise<void>[] = [];
  for (let round = 1; round <= 8; round++) {
    // Each round rewrites every block with the round's value, and snapshots in the middle.
    for (let block = 0; block < blocks; block++) inFlight.push(manager.write({ name: 'd', offsetBytes: block * BLOCK, data: filled(round), fua: false }, {}));
    const name = `s${round}`;
    await manager.createSnapshot('d', name, undefined, {});
    taken.push({ name, bytes: await manager.read({ name: 'd', snapshot: name, offsetBytes: 0, lengthBytes: blocks * BLOCK }, {}) });
  }
  await Promise.all(inFlight);
  for (const { name, bytes } of taken) {
    t.deepEqual(await manager.read({ name: 'd', snapshot: name, offsetBytes: 0, lengthBytes: blocks * BLOCK }, {}), bytes, `snapshot ${name} is as it was when taken`);
  }
  t.deepEqual(await manager.read({ name: 'd', offsetBytes: 0, lengthBytes: blocks * BLOCK }, {}), filled(8, blocks * BLOCK), 'the head has the last round');
  const info = await manager.getVDisk('d', { serializable: false });
  t.is(info.headEpoch, 9);
  t.deepEqual(info.snapshots.map((snapshot) => snapshot.epoch), [1, 2, 3, 4, 5, 6, 7, 8]);
});

test('a snapshot\'s flush and model change run together; the call is answered, and writes and reads of it go on, once both have landed', async (t) => {
  const { manager, model } = await openManager(t);
  const { store, flush } = await diskWithUnflushedBlock(manager, 'f');
  let release: () => void = () => {};
  let flushes = 0;
  store.flush = async () => {
    flushes++;
    await new Promise<void>((resolve) => { release = resolve; });
    await flush();
  };
  let answered = false;
  const creating = manager.createSnapshot('f', 's', undefined, {}).then((created) => { answered = true; return created; });
  // The model has the snapshot while the flush is still held.
  const recorded = await untilSnapshotInModel(model, 'f', 's');
  t.is(recorded.headEpoch, 2);
  t.is(flushes, 1);
  let wrote = false;
  const writing = manager.write({ name: 'f', offsetBytes: 0, data: filled(2), fua: false }, {}).then(() => { wrote = true; });
  // The model shows the snapshot already; its blocks are not read before they are durable.
  let snapshotRead = false;
  const reading = manager.read({ name: 'f', snapshot: 's', offsetBytes: 0, lengthBytes: BLOCK }, {}).then((bytes) => { snapshotRead = true; return bytes; });
  await new Promise((resolve) => setTimeout(resolve, 50));
  t.false(answered, 'not answered before the flush landed');
  t.false(wrote, 'a write waits for the snapshot to be done');
  t.false(snapshotRead, 'a read of the snapshot waits for its flush');
  release();
  const created = await creating;
  await writing;
  t.deepEqual(await reading, filled(1));
  t.is(created.snapshot.epoch, 1);
  t.deepEqual(await manager.read({ name: 'f', snapshot: 's', offsetBytes: 0, lengthBytes: BLOCK }, {}), filled(1));
  t.deepEqual(await manager.read({ name: 'f', offsetBytes: 0, lengthBytes: BLOCK }, {}), filled(2));
});

test('a snapshot whose flush fails is withdrawn from the model, and the call fails naming the flush', async (t) => {
  const { manager, model } = await openManager(t);
  const { store, flush } = await diskWithUnflushedBlock(manager, 'w');
  store.flush = async () => {
    throw new Error('disk on fire');
  };
  const identity = { clientId: 'c1', sequence: 7 };
  const error = await t.throwsAsync(manager.createSnapshot('w', 'doomed', identity, {}));
  t.regex(error.message, /snapshot w@doomed not created: the block engine's flush failed: disk on fire/);
  t.deepEqual((await recordInModel(model, 'w')).snapshots, [], 'no snapshot stays in the model');
  t.deepEqual(manager.catalog.get('w')?.record.snapshots, [], 'nor in the owner\'s catalog');
  // The same call again, once the engine flushes: made anew, not taken for done.
  store.flush = flush;
  const created = await manager.createSnapshot('w', 'doomed', identity, {});
  t.is(created.snapshot.name, 'doomed');
  t.deepEqual(await manager.read({ name: 'w', snapshot: 'doomed', offsetBytes: 0, lengthBytes: BLOCK }, {}), filled(1));
});

test('a snapshot whose flush fails but that was cloned meanwhile stays, and the call fails saying to delete it', async (t) => {
  const { manager, model, other } = await openManager(t);
  const { store } = await diskWithUnflushedBlock(manager, 'k');
  let fail: (error: Error) => void = () => {};
  store.flush = () => new Promise<void>((_, reject) => { fail = reject; });
  const creating = manager.createSnapshot('k', 'cloned', undefined, {});
  await untilSnapshotInModel(model, 'k', 'cloned');
  // Another member clones the snapshot before the flush fails: it can no longer be withdrawn.
  await other.clone('k', 'cloned', 'k-clone', undefined);
  fail(new Error('disk on fire'));
  const error = await t.throwsAsync(creating);
  t.regex(error.message, /snapshot k@cloned: the block engine's flush failed \(disk on fire\), and the snapshot, already recorded, could not be withdrawn \(.*has clones.*\); delete it/);
  t.deepEqual((await recordInModel(model, 'k')).snapshots.map((snapshot) => [snapshot.name, snapshot.clones]), [['cloned', ['k-clone']]]);
});

test('changes made through another member reach this one; I/O on them is checked again before a refusal', async (t) => {
  const { manager, other } = await openManager(t);
  // Created elsewhere: the first write here finds it, if need be after a read barrier.
  await other.create({ name: 'e', sizeBytes: MiB, owner: 'n1' }, undefined);
  await manager.write({ name: 'e', offsetBytes: 0, data: filled(1), fua: false }, {});
  // Grown elsewhere: a write past the old end is checked again, and taken.
  await other.resize('e', 2 * MiB, undefined);
  await manager.write({ name: 'e', offsetBytes: 2 * MiB - BLOCK, data: filled(2), fua: true }, {});
  t.deepEqual(await manager.read({ name: 'e', offsetBytes: 2 * MiB - BLOCK, lengthBytes: BLOCK }, {}), filled(2));
  const outside = await t.throwsAsync(manager.write({ name: 'e', offsetBytes: 2 * MiB, data: filled(3), fua: false }, {}));
  t.true(isVstorError(outside, 'OUT_OF_RANGE'));
  // The catalog hears of both through its watch.
  await eventually('the catalog to have the new size', () => (manager.catalog.get('e')?.record.sizeBytes === 2 * MiB ? true : undefined));
  const info = await manager.getVDisk('e', { serializable: true });
  t.is(info.sizeBytes, 2 * MiB);
  // Deleted elsewhere: gone here too.
  await other.delete('e', info.id);
  await eventually('the catalog to lose the vdisk', () => (manager.catalog.get('e') === undefined ? true : undefined));
  t.true(isVstorError(await t.throwsAsync(manager.read({ name: 'e', offsetBytes: 0, lengthBytes: 1 }, {})), 'NOT_FOUND'));
});

test('the scrubber reclaims what only a deleted snapshot read, and the head reads the same', async (t) => {
  const { manager } = await openManager(t);
  await manager.createVDisk({ name: 'g', sizeBytes: MiB }, undefined, {});
  await manager.write({ name: 'g', offsetBytes: 0, data: filled(1, 8 * BLOCK), fua: false }, {});
  await manager.createSnapshot('g', 'old', undefined, {});
  await manager.write({ name: 'g', offsetBytes: 0, data: filled(2, 8 * BLOCK), fua: false }, {});
  await manager.scrubNow();
  t.is(manager.scrubStatus().progress.versionsReclaimed, 0, 'the snapshot still reads the old versions');
  const afterDelete = await manager.deleteSnapshot('g', 'old', undefined);
  // The catalog has the record the txn wrote as soon as the call is answered.
  t.deepEqual(manager.catalog.get('g'), { record: manager.catalog.get('g')!.record, revision: afterDelete.revision });
  t.deepEqual(manager.catalog.get('g')!.record.snapshots, []);
  await manager.scrubNow();
  const status = manager.scrubStatus();
  t.is(status.progress.versionsReclaimed, 8);
  t.is(status.runsCompleted, 2);
  t.is(status.progress.corruptVersions, 0);
  t.deepEqual(await manager.read({ name: 'g', offsetBytes: 0, lengthBytes: 8 * BLOCK }, {}), filled(2, 8 * BLOCK));
});

test('the NBD backend: NAME reads and writes the head, NAME@SNAP is a read-only snapshot', async (t) => {
  const { manager } = await openManager(t);
  // A small per-call range makes block status and trim split into several calls.
  const backend = new VDiskNbdBackend(manager, 4 * BLOCK);
  await manager.createVDisk({ name: 'vm', sizeBytes: MiB }, undefined, {});
  const disk = await backend.open('vm');
  t.like(disk, { name: 'vm', sizeBytes: MiB, readOnly: false });
  await disk.write(3 * BLOCK, filled(7, 2 * BLOCK), false);
  await disk.flush();
  await manager.createSnapshot('vm', 'before', undefined, {});
  await disk.write(3 * BLOCK, filled(8, BLOCK), true);
  await disk.trim(4 * BLOCK, BLOCK, false);

  const snapshot = await backend.open('vm@before');
  t.like(snapshot, { name: 'vm@before', sizeBytes: MiB, readOnly: true });
  t.deepEqual(await snapshot.read(3 * BLOCK, 2 * BLOCK), filled(7, 2 * BLOCK));
  t.deepEqual(await disk.read(3 * BLOCK, 2 * BLOCK), new Uint8Array([...filled(8), ...new Uint8Array(BLOCK)]));
  t.true(isVstorError(await t.throwsAsync(snapshot.write(0, filled(1), false)), 'FAILED_PRECONDITION'));
  t.true(isVstorError(await t.throwsAsync(snapshot.trim(0, BLOCK, false)), 'FAILED_PRECONDITION'));
  await snapshot.flush();

  t.deepEqual(await disk.blockStatus(0, 12 * BLOCK), [
    { offsetBytes: 0, lengthBytes: 3 * BLOCK, kind: 'hole' },
    { offsetBytes: 3 * BLOCK, lengthBytes: BLOCK, kind: 'data' },
    { offsetBytes: 4 * BLOCK, lengthBytes: 8 * BLOCK, kind: 'hole' },
  ]);
  t.deepEqual(await snapshot.blockStatus(0, 12 * BLOCK), [
    { offsetBytes: 0, lengthBytes: 3 * BLOCK, kind: 'hole' },
    { offsetBytes: 3 * BLOCK, lengthBytes: 2 * BLOCK, kind: 'data' },
    { offsetBytes: 5 * BLOCK, lengthBytes: 7 * BLOCK, kind: 'hole' },
  ]);

  // The size is the size at open: a resize shows in the next open.
  await manager.resizeVDisk('vm', 2 * MiB, undefined);
  t.is(disk.sizeBytes, MiB);
  t.is((await backend.open('vm')).sizeBytes, 2 * MiB);

  t.deepEqual((await backend.list()).map((info) => [info.name, info.sizeBytes, info.readOnly]), [['vm', 2 * MiB, false], ['vm@before', MiB, true]]);
  for (const unknown of ['nope', 'vm@nope', 'vm@', 'bad name', '']) t.true(isVstorError(await t.throwsAsync(backend.open(unknown)), 'NOT_FOUND'), unknown);
  disk.close();
  t.true(isVstorError(await t.throwsAsync(disk.read(0, 1)), 'NOT_OPEN'));
});

test('an NBD export stays on the vdisk it opened: after a delete and a create under its name, its I/O fails', async (t) => {
  const { manager, other } = await openManager(t);
  const backend = new VDiskNbdBackend(manager);
  const first = await manager.createVDisk({ name: 'reborn', sizeBytes: MiB }, undefined, {});
  const disk = await backend.open('reborn');
  await disk.write(0, filled(1), false);
  await manager.deleteVDisk('reborn', undefined, {});
  t.true(isVstorError(await t.throwsAsync(disk.read(0, BLOCK)), 'NOT_FOUND'), 'the deleted vdisk is gone');

  // Created again through another member: this member's catalog may not have it yet.
  await other.create({ name: 'reborn', sizeBytes: MiB, owner: 'n1' }, undefined);
  const second = await manager.getVDisk('reborn', { serializable: false });
  t.not(second.id, first.id);
  for (const attempt of [disk.write(0, filled(2), true), disk.read(0, BLOCK), disk.trim(0, BLOCK, false), disk.writeZeroes(0, BLOCK, false), disk.flush(), disk.blockStatus(0, BLOCK)]) {
    const error = await t.throwsAsync(attempt);
    t.true(isVstorError(error, 'NOT_FOUND'), String(error));
    t.regex(error!.message, new RegExp(`reborn \\(id ${first.id}\\) was deleted; the name now names vdisk id ${second.id}`));
  }
  t.deepEqual(await manager.read({ name: 'reborn', offsetBytes: 0, lengthBytes: BLOCK }, {}), new Uint8Array(BLOCK), 'the new vdisk was not written');
  const fresh = await backend.open('reborn');
  await fresh.write(0, filled(3), false);
  t.deepEqual(await fresh.read(0, BLOCK), filled(3), 'a new connection reaches the new vdisk');
});

test('a block whose checksum fails is an I/O error, a count and one log line naming where, never data', async (t) => {
  const lines: string[] = [];
  const shared = await SharedModel.open(t);
  const directory = await mkdtemp(join(tmpdir(), 'vstor-vdisk-corrupt-'));
  const manager = new VDiskManager({
    model: new ModelOnly(shared, 'member-1'), cluster: new SoleMember(), directory, requestBytesMax: MiB,
    logger: pino({ level: 'info' }, { write: (line: string) => lines.push(line) }),
    scrubIntervalMs: 3_600_000, capacityIntervalMs: 3_600_000,
  });
  await manager.open();
  t.teardown(async () => {
    await manager.close();
    await rm(directory, { recursive: true, force: true });
  });
  await manager.createVDisk({ name: 'c', sizeBytes: MiB }, undefined, {});
  await manager.write({ name: 'c', offsetBytes: 3 * BLOCK, data: filled(7), fua: true }, {});
  // Flip one payload byte of the stored block, as a bad sector would.
  const store = manager.engine as BlockStore;
  let corrupted = 0;
  for await (const [key, value] of store.database.iterator()) {
    if (value.length < BLOCK) continue;
    const bad = Uint8Array.from(value);
    bad[bad.length - 1]! ^= 0xff;
    await store.database.put(key, bad);
    corrupted++;
  }
  t.is(corrupted, 1, 'exactly the one written block was stored');
  for (let attempt = 0; attempt < 3; attempt++) {
    const error = await t.throwsAsync(manager.read({ name: 'c', offsetBytes: 0, lengthBytes: 8 * BLOCK }, {}));
    t.true(isVstorError(error, 'CORRUPTION'), String(error));
  }
  // The blocks around it still read.
  t.deepEqual(await manager.read({ name: 'c', offsetBytes: 0, lengthBytes: 3 * BLOCK }, {}), new Uint8Array(3 * BLOCK));
  t.is(store.counters.corruptBlocks, 3);
  const logged = lines.map((line) => JSON.parse(line) as { msg: string; vdisk?: string; block?: number }).filter((line) => line.msg.startsWith('block checksum mismatch'));
  t.is(logged.length, 1, 'one line however often the block is read');
  t.like(logged[0], { vdisk: 'c', block: 3 });
});
