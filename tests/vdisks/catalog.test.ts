// The catalog (daemon/vdisks/catalog.ts): a member's view of every vDisk record, loaded at
// open and kept by a watch; by name and by id; a record it cannot read is left out and
// marks the view incomplete (so nobody concludes an id is unknown) until it is replaced
// or deleted.
import test from 'ava';
import { pino } from 'pino';
import { VDiskCatalog } from '../../daemon/vdisks/catalog.ts';
import { VDiskMetadata } from '../../daemon/vdisks/metadata.ts';
import { vdiskKey } from '../../daemon/vdisks/record.ts';
import { SharedModel } from '../rpc/fake-node.ts';
import { ModelOnly } from './model-only.ts';

async function until(what: string, condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`${what}: not within 5 s`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

test('records present at open and changed afterwards are known by name and id', async (t) => {
  const model = new ModelOnly(await SharedModel.open(t));
  const metadata = new VDiskMetadata({ model });
  const before = await metadata.create({ name: 'before', sizeBytes: 1 << 20, owner: 'n1' }, undefined);
  const catalog = new VDiskCatalog(model, pino({ level: 'silent' }));
  await catalog.open();
  t.teardown(() => catalog.close());
  t.is(catalog.get('before')?.record.id, before.id);
  t.is(catalog.getById(before.id)?.record.name, 'before');

  const after = await metadata.create({ name: 'after', sizeBytes: 1 << 20, owner: 'n2' }, undefined);
  await until('the new vdisk to arrive', () => catalog.get('after') !== undefined);
  await metadata.resize('before', 2 << 20, undefined);
  await until('the resize to arrive', () => catalog.get('before')?.record.sizeBytes === 2 << 20);
  t.is(catalog.get('before')?.revision, (await model.getSystem(vdiskKey('before')))!.modRevision);
  await metadata.delete('before', before.id);
  await until('the deletion to arrive', () => catalog.get('before') === undefined);
  t.is(catalog.getById(before.id), undefined);
  t.deepEqual(catalog.entries().map((entry) => entry.record.name), ['after']);
  t.is(catalog.getById(after.id)?.record.owner, 'n2');
  // A refresh after the deletion changes nothing.
  t.is(await catalog.refresh('before'), undefined);
});

test('an unreadable record is left out and makes the view incomplete until it is gone', async (t) => {
  const model = new ModelOnly(await SharedModel.open(t));
  const catalog = new VDiskCatalog(model, pino({ level: 'silent' }));
  await catalog.open();
  t.teardown(() => catalog.close());
  t.true(catalog.complete);
  await model.writeSystem({ type: 'put', key: vdiskKey('weird'), value: new TextEncoder().encode('{"format":1}') });
  await until('the bad record to be seen', () => !catalog.complete);
  t.is(catalog.get('weird'), undefined);
  await model.writeSystem({ type: 'deleteRange', key: vdiskKey('weird') });
  await until('the view to be complete again', () => catalog.complete);
  t.true(catalog.complete);
});

test('a record this member learned is not read again when the watch brings the same revision', async (t) => {
  const model = new ModelOnly(await SharedModel.open(t));
  const metadata = new VDiskMetadata({ model });
  const catalog = new VDiskCatalog(model, pino({ level: 'silent' }));
  await catalog.open();
  t.teardown(() => catalog.close());
  await metadata.create({ name: 'mine', sizeBytes: 1 << 20, owner: 'n1' }, undefined);
  await until('the vdisk to arrive', () => catalog.get('mine') !== undefined);
  const known = catalog.get('mine')!.record;
  // The catalog learns a record at the revision the next write will have, before that write
  // is applied; the write itself stores bytes that do not decode. Had the watch's copy been
  // decoded, the record would be dropped as unreadable.
  const revision = model.modelRevision() + 1;
  const learned = { ...known, sizeBytes: 2 << 20 };
  model.beforeWrite = () => {
    model.beforeWrite = () => {};
    catalog.learn(learned, revision);
  };
  await model.writeSystem({ type: 'put', key: vdiskKey('mine'), value: new TextEncoder().encode('not a record') });
  t.is(model.modelRevision(), revision);
  // The watch delivers in order: once a later change has arrived, so has that one.
  await metadata.create({ name: 'later', sizeBytes: 1 << 20, owner: 'n1' }, undefined);
  await until('the later vdisk to arrive', () => catalog.get('later') !== undefined);
  t.is(catalog.get('mine')?.record, learned, 'the learned record is kept');
  t.true(catalog.complete);
  // A later revision is read as usual.
  await model.writeSystem({ type: 'put', key: vdiskKey('mine'), value: new TextEncoder().encode('still not a record') });
  await until('the unreadable record to be seen', () => !catalog.complete);
  t.is(catalog.get('mine'), undefined);
});

test('a change the watch brings to a known record is decoded when the record is next asked for', async (t) => {
  const model = new ModelOnly(await SharedModel.open(t));
  const metadata = new VDiskMetadata({ model });
  const logged: string[] = [];
  const catalog = new VDiskCatalog(model, pino({ level: 'error' }, { write: (line: string) => void logged.push(line) }));
  await catalog.open();
  t.teardown(() => catalog.close());
  const created = await metadata.create({ name: 'busy', sizeBytes: 1 << 20, owner: 'n2' }, undefined);
  await until('the vdisk to arrive', () => catalog.get('busy') !== undefined);
  // Two changes in a row: the newest is what a reader gets, by name, by id and in the list.
  await metadata.resize('busy', 2 << 20, undefined);
  await metadata.resize('busy', 3 << 20, undefined);
  const sentinel = await metadata.create({ name: 'sentinel', sizeBytes: 1 << 20, owner: 'n2' }, undefined);
  // The watch delivers in order: once the sentinel is known, so are both resizes.
  await until('the sentinel to arrive', () => catalog.getById(sentinel.id) !== undefined);
  t.is(catalog.getById(created.id)?.record.sizeBytes, 3 << 20);
  t.is(catalog.get('busy')?.revision, (await model.getSystem(vdiskKey('busy')))!.modRevision);
  await metadata.resize('busy', 4 << 20, undefined);
  await metadata.create({ name: 'sentinel-2', sizeBytes: 1 << 20, owner: 'n2' }, undefined);
  await until('the second sentinel to arrive', () => catalog.get('sentinel-2') !== undefined);
  t.deepEqual(catalog.entries().map((entry) => [entry.record.name, entry.record.sizeBytes]), [['busy', 4 << 20], ['sentinel', 1 << 20], ['sentinel-2', 1 << 20]]);

  // Bytes that do not decode, over a known record: nothing is decoded (nothing logged) until
  // the record is asked for; then it is left out, and the view is incomplete.
  await model.writeSystem({ type: 'put', key: vdiskKey('busy'), value: new TextEncoder().encode('not a record') });
  await metadata.create({ name: 'sentinel-3', sizeBytes: 1 << 20, owner: 'n2' }, undefined);
  await until('the third sentinel to arrive', () => catalog.get('sentinel-3') !== undefined);
  t.deepEqual(logged, []);
  t.is(catalog.getById(created.id), undefined);
  t.is(logged.length, 1);
  t.regex(logged[0]!, /a vdisk record cannot be read/);
  t.false(catalog.complete);
  // Asked for again, it is not decoded again.
  t.is(catalog.get('busy'), undefined);
  t.is(logged.length, 1);
});
