// Proves that a snapshot is a consistent image and that restore is all or nothing: the
// chunks respect snapshotChunkBytes; restoring them into a fresh database gives the same
// keys, revision, applied index and watch history; writes after snapshot() do not leak
// into it; a damaged or truncated stream is refused with INVALID_ARGUMENT and leaves the model as
// it was, as is a well-formed stream whose content is inconsistent; and a crash at any
// point of a restore leaves, after reopening, either the old or the new image, never a mix.

import test from 'ava';
import { encodeWriteRequest } from '../../storage-engine/model/codec.ts';
import { isVstorError } from '../../storage-engine/model/errors.ts';
import type { WatchEvent } from '../../storage-engine/model/events.ts';
import { absoluteKey, generationPrefix, META_KEY, Section } from '../../storage-engine/model/layout.ts';
import { KvStateMachine } from '../../storage-engine/model/kv-state-machine.ts';
import { encodeMeta } from '../../storage-engine/model/records.ts';
import type { SnapshotHeader, SnapshotRecord } from '../../storage-engine/model/snapshot-stream.ts';
import { decodeSnapshot, encodeSnapshot } from '../../storage-engine/model/snapshot-stream.ts';
import { bytes, dump, ModelDriver, openModel, put, TestDatabase, text } from './helpers.ts';

async function populate(driver: ModelDriver, count: number): Promise<void> {
  for (let index = 0; index < count; index++) {
    await driver.put(`key/${index % 17}`, `value ${index} ${'x'.repeat(index % 40)}`, { clientId: `client-${index % 5}` });
    if (index % 7 === 0) await driver.deleteRange(`key/${(index * 3) % 17}`);
    if (index % 11 === 0) await driver.txn([], [put(`txn/${index}`, 'a'), put(`txn/${index + 1}`, 'b')]);
  }
}

async function chunksOf(model: KvStateMachine): Promise<Uint8Array[]> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of await model.snapshot()) chunks.push(chunk.slice());
  return chunks;
}

async function historyOf(model: KvStateMachine): Promise<string[]> {
  const watcher = model.watch({ key: Uint8Array.of(0), rangeEnd: Uint8Array.of(0), startRevision: 1 });
  const events: string[] = [];
  while (watcher.position.revision <= model.revision) {
    const next = await watcher.next();
    events.push(...(next.value as WatchEvent[]).map((event) => `${event.type} ${text(event.kv.key)}@${event.kv.modRevision}`));
  }
  watcher.cancel();
  return events;
}

async function freshModel(t: Parameters<typeof openModel>[0], config = {}): Promise<{ model: KvStateMachine; database: TestDatabase }> {
  const database = await TestDatabase.create(t, 'restore');
  const model = new KvStateMachine({ db: database.modelSpace, config });
  await model.open();
  t.teardown(() => model.close());
  return { model, database };
}

test('snapshot then restore into a fresh database gives an identical model', async (t) => {
  const config = { snapshotChunkBytes: 100 };
  const { model, driver } = await openModel(t, config);
  await populate(driver, 60);
  const snapshot = await model.snapshot();
  t.is(snapshot.appliedIndex, model.appliedIndex);
  t.is(snapshot.revision, model.revision);
  const chunks: Uint8Array[] = [];
  for await (const chunk of snapshot) chunks.push(chunk.slice());
  t.true(chunks.length > 10, 'the image spans many chunks');
  t.true(chunks.every((chunk) => chunk.length <= 100 && chunk.length > 0));

  const { model: restored } = await freshModel(t, config);
  const header = await restored.restore(chunks);
  t.deepEqual(header, { appliedIndex: model.appliedIndex, revision: model.revision, historyStartRevision: 1 });
  t.deepEqual(await dump(restored), await dump(model));
  t.is(restored.appliedIndex, model.appliedIndex);
  t.is(restored.revision, model.revision);
  t.deepEqual(await historyOf(restored), await historyOf(model));
  // The two replicas now continue identically.
  const next = encodeWriteRequest({ clientId: 'new', sequence: 1, command: { type: 'put', key: bytes('key/1'), value: bytes('z') } });
  t.deepEqual(await restored.apply(model.appliedIndex + 1, next), await model.apply(model.appliedIndex + 1, next));
  t.deepEqual(await dump(restored), await dump(model));
});

test('a snapshot is the image at the moment it was taken, whatever is applied meanwhile', async (t) => {
  const { model, driver } = await openModel(t, { snapshotChunkBytes: 64 });
  await populate(driver, 20);
  const before = await dump(model);
  const snapshot = await model.snapshot();
  await driver.put('later', 'x');
  await driver.deleteRange('key/', 'key0');
  const chunks: Uint8Array[] = [];
  for await (const chunk of snapshot) chunks.push(chunk.slice());
  const { model: restored } = await freshModel(t);
  await restored.restore(chunks);
  t.deepEqual(await dump(restored), before);
});

test('restore replaces the whole model, dropping keys the image does not have', async (t) => {
  const { model: source, driver } = await openModel(t);
  await driver.put('only-in-source', '1');
  const { model: target } = await freshModel(t);
  const targetDriver = new ModelDriver(target);
  for (let index = 0; index < 5; index++) await targetDriver.put(`only-in-target/${index}`, '1');
  await target.restore(await chunksOf(source));
  t.deepEqual(await dump(target), await dump(source));
  t.is(target.appliedIndex, 1);
});

test('a damaged, truncated or foreign stream is refused and the model is left as it was', async (t) => {
  const { model: source, driver } = await openModel(t, { snapshotChunkBytes: 128 });
  await populate(driver, 30);
  const chunks = await chunksOf(source);
  const { model: target, database: targetDatabase } = await freshModel(t, { snapshotChunkBytes: 128 });
  const targetDriver = new ModelDriver(target);
  await targetDriver.put('mine', 'kept');
  const before = await dump(target);

  const flipped = chunks.map((chunk) => chunk.slice());
  flipped[3]![17]! ^= 0x01;
  const truncated = [...chunks.slice(0, -1), chunks[chunks.length - 1]!.subarray(0, 3)];
  const extended = [...chunks, Uint8Array.of(0)];
  const foreign = [bytes('not a snapshot at all')];
  for (const [name, stream] of [['flipped', flipped], ['truncated', truncated], ['extended', extended], ['foreign', foreign]] as const) {
    const error = await t.throwsAsync(target.restore(stream));
    t.true(isVstorError(error, 'INVALID_ARGUMENT'), `${name}: ${String(error)}`);
    t.deepEqual(await dump(target), before, name);
    t.is(target.appliedIndex, 1, name);
  }
  // And a stream whose source fails half way.
  async function* failing(): AsyncGenerator<Uint8Array> {
    yield* chunks.slice(0, 5);
    throw new Error('connection reset');
  }
  await t.throwsAsync(target.restore(failing()), { message: 'connection reset' });
  t.deepEqual(await dump(target), before);
  const leftovers = await targetDatabase.modelSpace.keys({ gte: generationPrefix(1), lt: generationPrefix(2) }).all();
  t.deepEqual(leftovers, [], 'nothing of the refused images is left behind');
});

test('a crash before the switch leaves the old image; a crash after it leaves the new one', async (t) => {
  const { model, database, driver } = await openModel(t);
  await driver.put('old', '1');
  const oldImage = await dump(model);

  // Crash in the middle of a restore: part of the next generation written, no switch.
  await database.modelSpace.put(absoluteKey(1, Uint8Array.of(Section.keys, ...bytes('half-restored'))), bytes('garbage'));
  await model.close();
  await database.restart();
  const afterEarlyCrash = new KvStateMachine({ db: database.modelSpace });
  await afterEarlyCrash.open();
  t.deepEqual(await dump(afterEarlyCrash), oldImage);
  t.is(await database.modelSpace.get(absoluteKey(1, Uint8Array.of(Section.keys, ...bytes('half-restored')))), undefined, 'the partial image is cleared');

  // A completed restore, then a crash before the old generation was cleared: simulate by
  // putting old-generation keys back after the switch.
  const { model: source, driver: sourceDriver } = await openModel(t);
  await sourceDriver.put('new', '1');
  await afterEarlyCrash.restore(await chunksOf(source));
  await database.modelSpace.put(absoluteKey(0, Uint8Array.of(Section.keys, ...bytes('stale'))), bytes('stale'));
  await afterEarlyCrash.close();
  await database.restart();
  const afterLateCrash = new KvStateMachine({ db: database.modelSpace });
  await afterLateCrash.open();
  t.teardown(() => afterLateCrash.close());
  t.deepEqual(await dump(afterLateCrash), await dump(source));
  t.is(await database.modelSpace.get(absoluteKey(0, Uint8Array.of(Section.keys, ...bytes('stale')))), undefined);
  t.deepEqual(Uint8Array.from((await database.modelSpace.get(META_KEY)) ?? []), encodeMeta({ generation: 1 }));
});

test('closing a snapshot early releases it, and closing the model ends an unfinished stream', async (t) => {
  const { model, driver } = await openModel(t, { snapshotChunkBytes: 32 });
  await populate(driver, 20);
  const abandoned = await model.snapshot();
  const iterator = abandoned[Symbol.asyncIterator]();
  await iterator.next();
  await abandoned.close();
  t.true(isVstorError(await t.throwsAsync(iterator.next()), 'UNAVAILABLE'));
  t.throws(() => abandoned[Symbol.asyncIterator](), { message: /only once/ });

  const unfinished = await model.snapshot();
  const reader = unfinished[Symbol.asyncIterator]();
  await reader.next();
  await model.close();
  t.true(isVstorError(await t.throwsAsync(reader.next()), 'UNAVAILABLE'));
});

/** Decodes a snapshot, lets `edit` change its header and records, and encodes it again
 * with a valid checksum: damage that only the content checks can find. */
async function rewritten(
  chunks: Uint8Array[],
  edit: (header: SnapshotHeader, records: SnapshotRecord[]) => [SnapshotHeader, SnapshotRecord[]],
): Promise<Uint8Array[]> {
  let header: SnapshotHeader | undefined;
  const records: SnapshotRecord[] = [];
  for await (const item of decodeSnapshot(chunks, 1 << 20)) {
    if (item.type === 'header') header = item.header;
    else records.push(item.record);
  }
  const [editedHeader, editedRecords] = edit(header!, records);
  async function* source(): AsyncGenerator<SnapshotRecord> {
    yield* editedRecords;
  }
  const output: Uint8Array[] = [];
  for await (const chunk of encodeSnapshot(editedHeader, source(), 1024)) output.push(chunk.slice());
  return output;
}

test('a well-formed stream whose content is inconsistent is refused, naming what is wrong', async (t) => {
  const { model: source, driver } = await openModel(t);
  await populate(driver, 12);
  const chunks = await chunksOf(source);
  const { model: target } = await freshModel(t);
  const before = await dump(target);
  const section = (record: SnapshotRecord) => record.relativeKey[0];
  const cases: Array<[string, (header: SnapshotHeader, records: SnapshotRecord[]) => [SnapshotHeader, SnapshotRecord[]], RegExp]> = [
    ['an event missing from the history', (header, records) => [header, records.filter((record, index) => !(section(record) === Section.events && index % 5 === 2))], /watch history/],
    [
      'a session without its response',
      (header, records) => [header, records.map((record) => (section(record) === Section.sessions ? { ...record, value: record.value.subarray(0, 2) } : record))],
      /session record: response: missing/,
    ],
    [
      'a session whose response does not decode',
      (header, records) => [header, records.map((record) => (section(record) === Section.sessions ? { ...record, value: Uint8Array.of(...record.value, 0xff) } : record))],
      /response/,
    ],
    ['a record of the former response section', (header, records) => [header, [...records, { relativeKey: Uint8Array.of(0x52, ...bytes('c')), value: Uint8Array.of(1) }]], /unknown section 82/],
    [
      'a key newer than the header',
      (header, records) => [{ ...header, revision: 3, historyStartRevision: 4 }, records.filter((record) => section(record) !== Section.events)],
      /modified at revision \d+, after the snapshot's 3/,
    ],
    ['records out of order', (header, records) => [header, [records[1]!, records[0]!, ...records.slice(2)]], /increasing key order/],
  ];
  for (const [name, edit, message] of cases) {
    const error = await t.throwsAsync(target.restore(await rewritten(chunks, edit)));
    t.true(isVstorError(error, 'INVALID_ARGUMENT'), `${name}: ${String(error)}`);
    t.regex(error?.message ?? '', message, name);
    t.deepEqual(await dump(target), before, name);
  }
  t.deepEqual(await dump(target), before);
  // The unedited stream, rewritten, is still accepted: the edits were the only damage.
  await target.restore(await rewritten(chunks, (header, records) => [header, records]));
  t.deepEqual(await dump(target), await dump(source));
});

test('an image with more sessions than this replica allows is refused, on restore and on open', async (t) => {
  const { model: source, database, driver } = await openModel(t);
  for (const clientId of ['a', 'b', 'c']) await driver.put('k', clientId, { clientId });
  const { model: target } = await freshModel(t, { clientsMax: 2 });
  t.true(isVstorError(await t.throwsAsync(target.restore(await chunksOf(source))), 'FAILED_PRECONDITION'));
  await source.close();
  const narrower = new KvStateMachine({ db: database.modelSpace, config: { clientsMax: 2 } });
  const error = await t.throwsAsync(narrower.open());
  t.true(isVstorError(error, 'FAILED_PRECONDITION'));
  t.regex(error?.message ?? '', /config\.clientsMax/);
  t.is(narrower.status, 'closed');
});
