// Proves that a restart loses nothing and repeats nothing: after close and reopen the model
// has the same keys, revision, applied index and watch history; the entries the Raft loop
// replays from before the applied index are skipped; and the model shares its database
// with other components without touching their keys.

import test from 'ava';
import { encodeWriteRequest } from '../../storage-engine/model/codec.ts';
import { KvStateMachine } from '../../storage-engine/model/kv-state-machine.ts';
import type { WatchEvent } from '../../storage-engine/model/events.ts';
import { bytes, dump, openModel, text } from './helpers.ts';

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
