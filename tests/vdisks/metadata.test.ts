// vDisk metadata changes (daemon/vdisks/metadata.ts) on a real model: each change is one
// txn that writes every record it touches at one revision or none; a record changed by
// someone else between the read and the txn makes the txn fail and the change decide
// again on fresh reads (bounded); ids come from a counter and are never reused; a retried
// change is recognised by the pair the record kept; shrinks, duplicate names, snapshots
// with clones and too-deep clone chains are refused with the state untouched.
import test from 'ava';
import type { ExecutionContext } from 'ava';
import { VDiskMetadata } from '../../daemon/vdisks/metadata.ts';
import type { VDiskRecord } from '../../daemon/vdisks/record.ts';
import { decodeVDiskRecord, VDISK_NEXT_ID_KEY, vdiskKey } from '../../daemon/vdisks/record.ts';
import { isVstorError } from '../../storage-engine/errors.ts';
import type { KeyValue } from '../../storage-engine/model/index.ts';
import { CLONE_DEPTH_MAX } from '../../storage-engine/vdisk/block-store.ts';
import { SharedModel } from '../rpc/fake-node.ts';
import { ModelOnly } from './model-only.ts';

const MiB = 1 << 20;

async function setup(t: ExecutionContext): Promise<{ model: ModelOnly; other: ModelOnly; metadata: VDiskMetadata; otherMetadata: VDiskMetadata }> {
  const shared = await SharedModel.open(t);
  const model = new ModelOnly(shared, 'member-1');
  const other = new ModelOnly(shared, 'member-2');
  let clock = 1_000;
  const now = () => clock++;
  return { model, other, metadata: new VDiskMetadata({ model, now }), otherMetadata: new VDiskMetadata({ model: other, now }) };
}

async function stored(model: ModelOnly, name: string): Promise<{ record: VDiskRecord; revision: number } | undefined> {
  const kv = await model.getSystem(vdiskKey(name));
  return kv === undefined ? undefined : { record: decodeVDiskRecord(kv.value, name), revision: kv.modRevision };
}

async function expectCode(t: ExecutionContext, call: Promise<unknown>, code: string, message?: RegExp): Promise<void> {
  const error = await t.throwsAsync(call);
  t.true(isVstorError(error, code as never), `expected ${code}, got ${String(error)}`);
  if (message !== undefined) t.regex(error!.message, message);
}

test('ids come from the counter, one per vdisk, and a deleted one is never given again', async (t) => {
  const { model, metadata } = await setup(t);
  const a = await metadata.create({ name: 'a', sizeBytes: MiB, owner: 'n1' }, undefined);
  const b = await metadata.create({ name: 'b', sizeBytes: MiB, owner: 'n2' }, undefined);
  t.deepEqual([a.id, b.id], [1, 2]);
  t.like(a, { name: 'a', sizeBytes: MiB, owner: 'n1', headEpoch: 1, snapshots: [], createdAtMs: 1000 });
  t.is(a.revision, (await stored(model, 'a'))!.revision);
  await metadata.delete('b', b.id);
  t.is(await stored(model, 'b'), undefined);
  const again = await metadata.create({ name: 'b', sizeBytes: MiB, owner: 'n2' }, undefined);
  t.is(again.id, 3);
  t.is(new TextDecoder().decode((await model.getSystem(VDISK_NEXT_ID_KEY))!.value), '4');
  t.true(model.barriers >= 4, 'every change reads after a barrier');
});

test('a name is taken once; a retry of the create that took it is answered with success', async (t) => {
  const { model, metadata } = await setup(t);
  const identity = { clientId: 'client-a', sequence: 5 };
  const created = await metadata.create({ name: 'a', sizeBytes: MiB, owner: 'n1' }, identity);
  const writes = model.writes.length;
  const retried = await metadata.create({ name: 'a', sizeBytes: MiB, owner: 'n3' }, identity);
  t.deepEqual(retried, created, 'the retry finds its own change, owner and all');
  t.is(model.writes.length, writes, 'and writes nothing');
  await expectCode(t, metadata.create({ name: 'a', sizeBytes: MiB, owner: 'n1' }, { clientId: 'client-a', sequence: 6 }), 'ALREADY_EXISTS');
  await expectCode(t, metadata.create({ name: 'a', sizeBytes: MiB, owner: 'n1' }, undefined), 'ALREADY_EXISTS');
});

test('a clone writes the child, the parent\'s clone list and the id counter at one revision', async (t) => {
  const { model, metadata } = await setup(t);
  const base = await metadata.create({ name: 'base', sizeBytes: 4 * MiB, owner: 'n2' }, undefined);
  await metadata.addSnapshot('base', base.id, 'gold', undefined);
  await metadata.resize('base', 8 * MiB, undefined);
  const clone = await metadata.clone('base', 'gold', 'vm-1', { clientId: 'c', sequence: 1 });
  t.like(clone, { name: 'vm-1', id: 2, owner: 'n2', sizeBytes: 4 * MiB, headEpoch: 1, parent: { name: 'base', id: base.id, snapshot: 'gold', epoch: 1 } });
  const parent = await stored(model, 'base');
  const counter = await model.getSystem(VDISK_NEXT_ID_KEY);
  t.deepEqual(parent!.record.snapshots[0]!.clones, ['vm-1']);
  t.is(parent!.revision, clone.revision);
  t.is(counter!.modRevision, clone.revision);
  t.is(model.writes.length, 4, 'create, snapshot, resize, clone: one txn each');
  // A retry finds the clone it made.
  t.deepEqual(await metadata.clone('base', 'gold', 'vm-1', { clientId: 'c', sequence: 1 }), clone);
  await expectCode(t, metadata.clone('base', 'gold', 'vm-1', undefined), 'ALREADY_EXISTS');
  await expectCode(t, metadata.clone('base', 'silver', 'vm-2', undefined), 'NOT_FOUND', /no snapshot silver/);
  await expectCode(t, metadata.clone('nope', 'gold', 'vm-2', undefined), 'NOT_FOUND');
});

test('a change that loses a race reads again and keeps both changes', async (t) => {
  const { model, metadata, otherMetadata } = await setup(t);
  const disk = await metadata.create({ name: 'd', sizeBytes: MiB, owner: 'n1' }, undefined);
  // Between this member's read and its txn, another member grows the vDisk.
  let raced = false;
  model.beforeWrite = async () => {
    if (raced) return;
    raced = true;
    await otherMetadata.resize('d', 2 * MiB, undefined);
  };
  const snapshotted = await metadata.addSnapshot('d', disk.id, 's1', undefined);
  t.is(model.writes.length, 3, 'the first txn failed its compare and a second one applied');
  t.like(snapshotted.vdisk, { sizeBytes: 2 * MiB, headEpoch: 2 });
  t.like(snapshotted.snapshot, { name: 's1', epoch: 1, sizeBytes: 2 * MiB });
  const final = await stored(model, 'd');
  t.like(final!.record, { sizeBytes: 2 * MiB, headEpoch: 2 });
  t.deepEqual(final!.record.snapshots.map((snapshot) => snapshot.name), ['s1']);
});

test('a change that keeps losing gives up after its attempts with UNAVAILABLE', async (t) => {
  const { model, metadata, otherMetadata } = await setup(t);
  await metadata.create({ name: 'd', sizeBytes: MiB, owner: 'n1' }, undefined);
  let size = MiB;
  model.beforeWrite = async () => {
    size += 512;
    await otherMetadata.resize('d', size, undefined);
  };
  const limited = new VDiskMetadata({ model, attemptsMax: 3 });
  await expectCode(t, limited.resize('d', 64 * MiB, undefined), 'UNAVAILABLE', /3 attempts/);
  t.is((await stored(model, 'd'))!.record.sizeBytes, size, 'only the other member\'s changes took effect');
});

test('shrinking is refused naming both sizes; the same size changes nothing', async (t) => {
  const { model, metadata } = await setup(t);
  await metadata.create({ name: 'd', sizeBytes: 8 * MiB, owner: 'n1' }, undefined);
  await expectCode(t, metadata.resize('d', 4 * MiB, undefined), 'FAILED_PRECONDITION', /8388608 bytes; shrinking it to 4194304 bytes/);
  const writes = model.writes.length;
  t.is((await metadata.resize('d', 8 * MiB, undefined)).sizeBytes, 8 * MiB);
  t.is(model.writes.length, writes);
  await expectCode(t, metadata.resize('missing', 8 * MiB, undefined), 'NOT_FOUND');
});

test('a vdisk or snapshot with clones cannot be deleted; deleting the clone unlists it', async (t) => {
  const { model, metadata } = await setup(t);
  const base = await metadata.create({ name: 'base', sizeBytes: MiB, owner: 'n1' }, undefined);
  await metadata.addSnapshot('base', base.id, 'gold', undefined);
  const clone = await metadata.clone('base', 'gold', 'vm-1', undefined);
  await metadata.clone('base', 'gold', 'vm-2', undefined);
  await expectCode(t, metadata.delete('base', base.id), 'FAILED_PRECONDITION', /gold: vm-1, vm-2/);
  await expectCode(t, metadata.deleteSnapshot('base', 'gold', undefined), 'FAILED_PRECONDITION', /vm-1, vm-2/);
  await expectCode(t, metadata.delete('base', base.id + 100), 'UNAVAILABLE', /no longer/);
  const removed = await metadata.delete('vm-1', clone.id);
  t.is(removed.name, 'vm-1');
  t.deepEqual((await stored(model, 'base'))!.record.snapshots[0]!.clones, ['vm-2']);
  const unlinked = await metadata.unlinkParent('vm-2', clone.id + 1, undefined);
  t.is(unlinked.parent, undefined);
  t.deepEqual((await stored(model, 'base'))!.record.snapshots[0]!.clones, []);
  const afterSnapshotDelete = await metadata.deleteSnapshot('base', 'gold', { clientId: 'c', sequence: 3 });
  t.deepEqual(afterSnapshotDelete.vdisk.snapshots, []);
  t.deepEqual(afterSnapshotDelete.record.snapshots, []);
  t.is(afterSnapshotDelete.revision, (await stored(model, 'base'))!.revision, 'answers the revision it wrote');
  // The retry of that delete finds it done.
  t.deepEqual((await metadata.deleteSnapshot('base', 'gold', { clientId: 'c', sequence: 3 })).vdisk, afterSnapshotDelete.vdisk);
  await expectCode(t, metadata.deleteSnapshot('base', 'gold', undefined), 'NOT_FOUND');
});

test('snapshots: one name once, epochs in order, the head moves on', async (t) => {
  const { metadata } = await setup(t);
  const disk = await metadata.create({ name: 'd', sizeBytes: MiB, owner: 'n1' }, undefined);
  const first = await metadata.addSnapshot('d', disk.id, 'one', { clientId: 'c', sequence: 1 });
  const second = await metadata.addSnapshot('d', disk.id, 'two', undefined);
  t.deepEqual([first.snapshot.epoch, second.snapshot.epoch, second.vdisk.headEpoch], [1, 2, 3]);
  await expectCode(t, metadata.addSnapshot('d', disk.id, 'two', undefined), 'ALREADY_EXISTS');
  await expectCode(t, metadata.addSnapshot('d', disk.id + 1, 'three', undefined), 'UNAVAILABLE');
});

/** A member whose view of the model lags: reads of the keys in `stale` answer the old value until its next read barrier. */
class LaggingModel extends ModelOnly {
  readonly stale = new Map<string, KeyValue | undefined>();

  override async readBarrier(): Promise<void> {
    await super.readBarrier();
    this.stale.clear();
  }

  override getSystem(key: Uint8Array): Promise<KeyValue | undefined> {
    const hex = Buffer.from(key).toString('hex');
    return this.stale.has(hex) ? Promise.resolve(this.stale.get(hex)) : super.getSystem(key);
  }

  async freeze(key: Uint8Array): Promise<void> {
    this.stale.set(Buffer.from(key).toString('hex'), await super.getSystem(key));
  }
}

test('a snapshot decides from this member\'s view without a read barrier when the view is current', async (t) => {
  const { model, metadata } = await setup(t);
  const disk = await metadata.create({ name: 'd', sizeBytes: MiB, owner: 'n1' }, undefined);
  const barriers = model.barriers;
  const created = await metadata.addSnapshot('d', disk.id, 's1', undefined);
  t.is(model.barriers, barriers, 'no barrier');
  t.is(created.snapshot.epoch, 1);
  t.is(model.writes.length, 2, 'the create and one snapshot txn');
});

/** Counts the model reads of vdisk records. */
class CountingModel extends ModelOnly {
  recordReads = 0;

  override getSystem(key: Uint8Array): Promise<KeyValue | undefined> {
    if (Buffer.from(key).equals(Buffer.from(vdiskKey('d')))) this.recordReads++;
    return super.getSystem(key);
  }
}

test('a snapshot planned on the record the owner knows reads nothing from the model; a stale one fails its compare and is planned again', async (t) => {
  const shared = await SharedModel.open(t);
  const model = new CountingModel(shared, 'member-1');
  const metadata = new VDiskMetadata({ model });
  const otherMetadata = new VDiskMetadata({ model: new ModelOnly(shared, 'member-2') });
  await metadata.create({ name: 'd', sizeBytes: MiB, owner: 'n1' }, undefined);
  const known = (await stored(model, 'd'))!;
  model.recordReads = 0;
  const first = await metadata.addSnapshot('d', known.record.id, 's1', undefined, known);
  t.is(model.recordReads, 0, 'planned on the known record');
  t.deepEqual([first.snapshot.epoch, first.changed], [1, true]);

  // `known` is now behind: another member's snapshot moved the head since.
  await otherMetadata.addSnapshot('d', known.record.id, 'theirs', undefined);
  const barriers = model.barriers;
  const second = await metadata.addSnapshot('d', known.record.id, 's2', undefined, { record: first.record, revision: first.revision });
  t.is(model.barriers, barriers + 1, 'planned again after a barrier');
  t.true(model.recordReads > 0, 'on a fresh read');
  t.deepEqual((await stored(model, 'd'))!.record.snapshots.map((snapshot) => [snapshot.name, snapshot.epoch]), [['s1', 1], ['theirs', 2], ['s2', 3]]);
  t.is(second.vdisk.headEpoch, 4);
});

test('a snapshot decided on a stale view fails its compare, and a refusal from one is decided again after a barrier', async (t) => {
  const shared = await SharedModel.open(t);
  const lagging = new LaggingModel(shared, 'member-1');
  const other = new ModelOnly(shared, 'member-2');
  const metadata = new VDiskMetadata({ model: lagging });
  const otherMetadata = new VDiskMetadata({ model: other });
  const disk = await metadata.create({ name: 'd', sizeBytes: MiB, owner: 'n1' }, undefined);

  // Another member's snapshot has not reached this member yet: the first txn, decided on
  // the old record (head epoch 1), must not apply.
  await lagging.freeze(vdiskKey('d'));
  await otherMetadata.addSnapshot('d', disk.id, 'theirs', undefined);
  const barriers = lagging.barriers;
  const mine = await metadata.addSnapshot('d', disk.id, 'mine', undefined);
  t.is(lagging.barriers, barriers + 1, 'decided again after one barrier');
  t.deepEqual([mine.snapshot.epoch, mine.vdisk.headEpoch], [2, 3]);
  t.deepEqual((await stored(other, 'd'))!.record.snapshots.map((snapshot) => [snapshot.name, snapshot.epoch]), [['theirs', 1], ['mine', 2]]);

  // This member still sees a snapshot that was deleted: ALREADY_EXISTS would be wrong.
  await lagging.freeze(vdiskKey('d'));
  await otherMetadata.deleteSnapshot('d', 'mine', undefined);
  const again = await metadata.addSnapshot('d', disk.id, 'mine', undefined);
  t.is(again.snapshot.epoch, 3);
  // And a refusal that holds after the barrier is given.
  await expectCode(t, metadata.addSnapshot('d', disk.id, 'theirs', undefined), 'ALREADY_EXISTS');
});

test('a snapshot deleted on the record this member knows takes no barrier and no model read; a stale one is planned again', async (t) => {
  const shared = await SharedModel.open(t);
  const model = new CountingModel(shared, 'member-1');
  const metadata = new VDiskMetadata({ model });
  const otherMetadata = new VDiskMetadata({ model: new ModelOnly(shared, 'member-2') });
  const disk = await metadata.create({ name: 'd', sizeBytes: MiB, owner: 'n1' }, undefined);
  await metadata.addSnapshot('d', disk.id, 'a', undefined);
  const withA = await metadata.addSnapshot('d', disk.id, 'b', undefined);
  model.recordReads = 0;
  const barriers = model.barriers;
  const first = await metadata.deleteSnapshot('d', 'a', undefined, { record: withA.record, revision: withA.revision });
  t.is(model.recordReads, 0, 'planned on the known record');
  t.is(model.barriers, barriers, 'without a read barrier');
  t.deepEqual(first.record.snapshots.map((snapshot) => snapshot.name), ['b']);
  t.deepEqual((await stored(model, 'd'))!, { record: first.record, revision: first.revision }, 'answers the record and revision it wrote');

  // Behind: another member cloned b since, so b may not go; the known record has no clone.
  await otherMetadata.clone('d', 'b', 'vm', undefined);
  await expectCode(t, metadata.deleteSnapshot('d', 'b', undefined, { record: first.record, revision: first.revision }), 'FAILED_PRECONDITION', /vm/);
  t.is(model.barriers, barriers + 1, 'the stale plan failed its compare and was made again after a barrier');
  t.deepEqual((await stored(model, 'd'))!.record.snapshots.map((snapshot) => [snapshot.name, snapshot.clones]), [['b', ['vm']]], 'nothing changed');

  // A known record that still lists a snapshot deleted elsewhere: NOT_FOUND, decided after a barrier.
  const known = (await stored(model, 'd'))!;
  await otherMetadata.addSnapshot('d', disk.id, 'c', undefined);
  await otherMetadata.deleteSnapshot('d', 'c', undefined);
  const stale = { record: { ...known.record, snapshots: [...known.record.snapshots, { name: 'c', epoch: 9, sizeBytes: MiB, createdAtMs: 1, clones: [] }] }, revision: known.revision };
  await expectCode(t, metadata.deleteSnapshot('d', 'c', undefined, stale), 'NOT_FOUND');
});

test('a clone chain deeper than the engine follows is refused', async (t) => {
  const { metadata } = await setup(t);
  let name = 'level-1';
  let disk = await metadata.create({ name, sizeBytes: MiB, owner: 'n1' }, undefined);
  for (let level = 2; level <= CLONE_DEPTH_MAX; level++) {
    await metadata.addSnapshot(name, disk.id, 's', undefined);
    const next = `level-${level}`;
    disk = await metadata.clone(name, 's', next, undefined);
    name = next;
  }
  await metadata.addSnapshot(name, disk.id, 's', undefined);
  await expectCode(t, metadata.clone(name, 's', 'too-deep', undefined), 'FAILED_PRECONDITION', /flatten/);
});
