// Proves that a restart loses nothing and repeats nothing: after close and reopen the model
// has the same keys, revision, applied index and watch history; the entries the Raft loop
// replays from before the applied index are skipped; the history gives back every event's
// previous key-value (stored without its key, which is the event's); events trimmed from
// the history stay on disk until a bulk clear (or the next open) and nothing reads them
// meanwhile; the model shares its database with other components without touching their
// keys; a database written in another layout version is refused, not misread; and a batch
// the database refuses stops the model.

import test from 'ava';
import { encodeWriteRequest } from '../../storage-engine/model/codec.ts';
import { KvStateMachine } from '../../storage-engine/model/kv-state-machine.ts';
import type { WatchEvent } from '../../storage-engine/model/events.ts';
import { isVstorError } from '../../storage-engine/model/errors.ts';
import { absoluteKey, META_KEY, Section, sectionBounds } from '../../storage-engine/model/layout.ts';
import { bytes, dump, kv, openModel, put, TestDatabase, text } from './helpers.ts';

test('close and reopen keeps keys, revision, applied index and watch history', async (t) => {
  const { model, database, driver } = await openModel(t);
  await driver.put('a', '1');
  await driver.put('b', '1');
  await driver.deleteRange('a');
  await model.apply(driver.nextIndex, new Uint8Array(0));
  const before = await dump(model);
  const appliedIndex = model.appliedIndex;
  await model.close();
  await database.restart();

  const reopened = new KvStateMachine({ db: database.modelSpace });
  await reopened.open();
  t.teardown(() => reopened.close());
  t.deepEqual(await dump(reopened), before);
  t.is(reopened.appliedIndex, appliedIndex);
  t.is(reopened.revision, 4);

  const watcher = reopened.watch({ key: Uint8Array.of(0), rangeEnd: Uint8Array.of(0), startRevision: 1 });
  const first = await watcher.next();
  watcher.cancel();
  t.deepEqual(
    (first.value as WatchEvent[]).map((event) => `${event.type} ${text(event.kv.key)}@${event.kv.modRevision}`),
    ['put a@2', 'put b@3', 'delete a@4'],
  );
});

test('entries replayed after a restart are skipped, not applied twice', async (t) => {
  const { model, database } = await openModel(t);
  const entries = ['x', 'y', 'z'].map((value, offset) =>
    encodeWriteRequest({ clientId: `client-${offset}`, sequence: 1, command: { type: 'put', key: bytes('k'), value: bytes(value) } }),
  );
  for (const [offset, entry] of entries.entries()) await model.apply(offset + 1, entry);
  await model.close();
  await database.restart();
  const reopened = new KvStateMachine({ db: database.modelSpace });
  await reopened.open();
  t.teardown(() => reopened.close());
  // The Raft loop may hand back everything since its own last known applied index.
  for (const [offset, entry] of entries.entries()) t.deepEqual(await reopened.apply(offset + 1, entry), { kind: 'skipped', index: offset + 1 });
  t.is((await reopened.get(bytes('k')))?.version, 3);
  t.is(reopened.revision, 4);
});

test('the model lives beside other data in the same database without touching it', async (t) => {
  const { model, database, driver } = await openModel(t);
  await database.level.put(bytes('raft-log/1'), bytes('entry'));
  await driver.put('a', '1');
  const snapshot = await model.snapshot();
  const target = new KvStateMachine({ db: database.level.sublevel<Uint8Array, Uint8Array>('copy', { keyEncoding: 'view', valueEncoding: 'view' }) });
  await target.open();
  t.teardown(() => target.close());
  await target.restore(snapshot);
  t.deepEqual(await dump(target), await dump(model));
  t.is(text((await database.level.get(bytes('raft-log/1')))!), 'entry');
});

test('sync() makes the applied state durable and keeps the model usable', async (t) => {
  const { model, driver } = await openModel(t);
  await driver.put('a', '1');
  await model.sync();
  await driver.put('a', '2');
  t.is(text((await model.get(bytes('a')))!.value), '2');
});

test('after a restart the watch history still gives each event its whole prevKv, key included', async (t) => {
  const { model, database, driver } = await openModel(t);
  await driver.put('a', '1');
  await driver.put('a', '22');
  await driver.txn([], [put('b', 'x'), put('a', '333')]);
  await driver.deleteRange('a', 'c');
  await model.close();
  await database.restart();
  const reopened = new KvStateMachine({ db: database.modelSpace });
  await reopened.open();
  t.teardown(() => reopened.close());
  const watcher = reopened.watch({ key: Uint8Array.of(0), rangeEnd: Uint8Array.of(0), startRevision: 1, prevKv: true });
  const events: WatchEvent[] = [];
  while (events.length < 6) {
    const { value } = await watcher.next();
    events.push(...(value as WatchEvent[]));
  }
  watcher.cancel();
  t.deepEqual(
    events.map((event) => [event.type, event.kv, event.prevKv]),
    [
      ['put', kv('a', '1', 2, 2, 1), undefined],
      ['put', kv('a', '22', 2, 3, 2), kv('a', '1', 2, 2, 1)],
      ['put', kv('b', 'x', 4, 4, 1), undefined],
      ['put', kv('a', '333', 2, 4, 3), kv('a', '22', 2, 3, 2)],
      ['delete', { key: bytes('a'), value: new Uint8Array(0), createRevision: 0, modRevision: 5, version: 0 }, kv('a', '333', 2, 4, 3)],
      ['delete', { key: bytes('b'), value: new Uint8Array(0), createRevision: 0, modRevision: 5, version: 0 }, kv('b', 'x', 4, 4, 1)],
    ],
  );
});

test('a database of another layout version is refused with UNSUPPORTED_FORMAT and left as it is', async (t) => {
  const database = await TestDatabase.create(t);
  // Layout 1 (before sessions and responses shared a record), generation 0.
  const formerMeta = Uint8Array.of(1, 0);
  await database.modelSpace.put(META_KEY, formerMeta);
  await database.modelSpace.put(absoluteKey(0, Uint8Array.of(0x52, ...bytes('client'))), Uint8Array.of(1));
  const model = new KvStateMachine({ db: database.modelSpace });
  const error = await t.throwsAsync(model.open());
  t.true(isVstorError(error, 'UNSUPPORTED_FORMAT'), String(error));
  t.regex(error?.message ?? '', /layout version 1, and this vstor reads only version 2/);
  t.is(model.status, 'closed');
  t.deepEqual(Uint8Array.from((await database.modelSpace.get(META_KEY)) ?? []), formerMeta);
  t.deepEqual(Uint8Array.from((await database.modelSpace.get(absoluteKey(0, Uint8Array.of(0x52, ...bytes('client'))))) ?? []), Uint8Array.of(1));
});

test('trimmed events leave the disk in bulk clears and are never read meanwhile: not by watchers, snapshots or a restart', async (t) => {
  const limits = { watchHistoryEventsMax: 4, writeKeysMax: 2, txnOperationsMax: 2, watcherQueueEventsMax: 4, deadEventsMax: 6 };
  const { model, database, driver } = await openModel(t, limits);
  const storedEventCount = async () => (await database.modelSpace.keys(sectionBounds(0, Section.events)).all()).length;
  for (let version = 1; version <= 5; version++) await driver.put('k', `v${version}`);
  t.is(model.historyStartRevision, 3);
  t.is(await storedEventCount(), 5, 'the trimmed event of revision 2 is still on disk');
  t.true(isVstorError(t.throws(() => model.watch({ key: bytes('k'), startRevision: 2 })), 'COMPACTED'));
  const watcher = model.watch({ key: bytes('k'), startRevision: 3, prevKv: true });
  const { value } = await watcher.next();
  watcher.cancel();
  t.deepEqual((value as WatchEvent[]).map((event) => `${text(event.kv.value)} after ${text(event.prevKv!.value)}`), ['v2 after v1', 'v3 after v2', 'v4 after v3', 'v5 after v4']);

  const copy = new KvStateMachine({ db: database.sublevel('copy'), config: limits });
  await copy.open();
  t.teardown(() => copy.close());
  await copy.restore(await model.snapshot());
  t.deepEqual(await dump(copy), await dump(model));
  t.is(copy.historyStartRevision, 3);
  t.is((await database.sublevel('copy').keys(sectionBounds(1, Section.events)).all()).length, 4, 'a snapshot carries no dead event');

  for (let version = 6; version <= 10; version++) await driver.put('k', `v${version}`);
  await model.sync(); // queued after the clear that the sixth dead event started
  t.is(await storedEventCount(), 4, 'the clear left exactly the history');

  await driver.put('k', 'v11');
  await driver.put('k', 'v12');
  t.is(await storedEventCount(), 6);
  await model.close();
  await database.restart();
  const reopened = new KvStateMachine({ db: database.modelSpace, config: limits });
  await reopened.open();
  t.teardown(() => reopened.close());
  t.is(await storedEventCount(), 4, 'open clears what was left');
  const resumed = reopened.watch({ key: bytes('k'), startRevision: reopened.historyStartRevision });
  const after = await resumed.next();
  resumed.cancel();
  t.deepEqual((after.value as WatchEvent[]).map((event) => text(event.kv.value)), ['v9', 'v10', 'v11', 'v12']);
});

test('a batch the database refuses stops the model: nothing later is applied on top of an unknown state', async (t) => {
  const { model, database, driver } = await openModel(t);
  await driver.put('a', '1');
  await database.level.close();
  // Key a is in the key cache, so nothing is read: the batch's write is the first to fail.
  const entry = encodeWriteRequest({ clientId: 'late', sequence: 1, command: { type: 'put', key: bytes('a'), value: bytes('2') } });
  await t.throwsAsync(model.apply(driver.nextIndex, entry));
  const error = await t.throwsAsync(model.apply(driver.nextIndex, entry));
  t.true(isVstorError(error, 'UNAVAILABLE'), String(error));
  t.regex(error?.message ?? '', /stopped after a failed write/);
  t.is(model.appliedIndex, 1);
});
