// Proves at-most-once application: a request applied again under the same client id and
// sequence has one effect and gets the first response back, even after a restart or a
// snapshot restore; an older sequence changes nothing; and the bounded session table
// evicts the least recently used client, by Raft index, the same way on every replica. A
// client's session and its last response are one stored record, so that an eviction or an
// update touches one key.

import test from 'ava';
import { encodeWriteRequest } from '../../storage-engine/model/codec.ts';
import type { WriteRequest } from '../../storage-engine/model/commands.ts';
import { KvStateMachine } from '../../storage-engine/model/kv-state-machine.ts';
import { generationPrefix, keySuffix, Section, sectionBounds } from '../../storage-engine/model/layout.ts';
import { bytes, dump, kv, openModel, TestDatabase, text } from './helpers.ts';

const increment = (clientId: string, sequence: number, value: string): WriteRequest => ({
  clientId,
  sequence,
  command: { type: 'put', key: bytes('counter'), value: bytes(value), prevKv: true },
});

test('the same client id and sequence applied twice has one effect and the same response', async (t) => {
  const { model } = await openModel(t);
  const first = await model.apply(1, encodeWriteRequest(increment('c', 1, 'one')));
  const retry = await model.apply(2, encodeWriteRequest(increment('c', 1, 'one')));
  t.is(first.kind, 'response');
  t.is(retry.kind, 'response');
  if (first.kind !== 'response' || retry.kind !== 'response') return;
  t.false(first.duplicate);
  t.true(retry.duplicate);
  t.deepEqual(retry.response, first.response);
  t.deepEqual(await model.get(bytes('counter')), kv('counter', 'one', 2, 2, 1));
  t.is(model.revision, 2);
  t.is(model.appliedIndex, 2, 'the duplicate entry still counts as applied');
});

test('a retry carrying a different payload is still answered from the first application', async (t) => {
  const { model } = await openModel(t);
  await model.apply(1, encodeWriteRequest(increment('c', 1, 'one')));
  await model.apply(2, encodeWriteRequest(increment('c', 2, 'two')));
  const retry = await model.apply(3, encodeWriteRequest(increment('c', 2, 'something else')));
  t.like(retry, { kind: 'response', duplicate: true });
  if (retry.kind !== 'response') return;
  t.deepEqual(retry.response, { type: 'put', header: { revision: 3 }, prevKv: kv('counter', 'one', 2, 2, 1) });
  t.deepEqual(await model.get(bytes('counter')), kv('counter', 'two', 2, 3, 2));
});

test('an older sequence changes nothing and fails with FAILED_PRECONDITION', async (t) => {
  const { model } = await openModel(t);
  await model.apply(1, encodeWriteRequest(increment('c', 1, 'one')));
  await model.apply(2, encodeWriteRequest(increment('c', 2, 'two')));
  const stale = await model.apply(3, encodeWriteRequest(increment('c', 1, 'one')));
  t.like(stale, { kind: 'response', duplicate: true, response: { type: 'error', code: 'FAILED_PRECONDITION' } });
  t.deepEqual(await model.get(bytes('counter')), kv('counter', 'two', 2, 3, 2));
});

test('an error response is kept too: the retry of a write that failed fails the same way', async (t) => {
  const { model } = await openModel(t, { writeKeysMax: 2, txnOperationsMax: 2, watcherQueueEventsMax: 2, watchHistoryEventsMax: 2 });
  await model.apply(1, encodeWriteRequest({ clientId: 'w', sequence: 1, command: { type: 'put', key: bytes('a'), value: bytes('1') } }));
  await model.apply(2, encodeWriteRequest({ clientId: 'w', sequence: 2, command: { type: 'put', key: bytes('b'), value: bytes('1') } }));
  await model.apply(3, encodeWriteRequest({ clientId: 'w', sequence: 3, command: { type: 'put', key: bytes('c'), value: bytes('1') } }));
  const wipe: WriteRequest = { clientId: 'x', sequence: 1, command: { type: 'deleteRange', key: bytes('a'), rangeEnd: bytes('z') } };
  const first = await model.apply(4, encodeWriteRequest(wipe));
  t.like(first, { kind: 'response', duplicate: false, response: { type: 'error', code: 'RESOURCE_EXHAUSTED' } });
  const retry = await model.apply(5, encodeWriteRequest(wipe));
  t.like(retry, { kind: 'response', duplicate: true });
  if (first.kind === 'response' && retry.kind === 'response') t.deepEqual(retry.response, first.response);
  t.is((await dump(model)).kvs.length, 3);
});

test('clients are independent: the same sequence from two clients applies twice', async (t) => {
  const { model } = await openModel(t);
  await model.apply(1, encodeWriteRequest(increment('a', 1, 'from-a')));
  const other = await model.apply(2, encodeWriteRequest(increment('b', 1, 'from-b')));
  t.like(other, { kind: 'response', duplicate: false });
  t.deepEqual(await model.get(bytes('counter')), kv('counter', 'from-b', 2, 3, 2));
});

test('a full session table evicts the client touched longest ago', async (t) => {
  const { model } = await openModel(t, { clientsMax: 2 });
  const request = (clientId: string, sequence: number): WriteRequest => ({
    clientId,
    sequence,
    command: { type: 'put', key: bytes(clientId), value: bytes(String(sequence)) },
  });
  let index = 0;
  const apply = (clientId: string, sequence: number) => model.apply(++index, encodeWriteRequest(request(clientId, sequence)));
  await apply('a', 1);
  await apply('b', 1);
  await apply('a', 2); // a is now the most recently used
  await apply('c', 1); // the table is full: b, touched at index 2, goes
  t.like(await apply('a', 2), { duplicate: true }, 'a is remembered');
  t.like(await apply('c', 1), { duplicate: true }, 'c is remembered');
  t.like(await apply('b', 1), { duplicate: false }, 'b was forgotten, so its retry applies again');
});

test('sessions survive a restart and a snapshot restore', async (t) => {
  const { model, database } = await openModel(t);
  await model.apply(1, encodeWriteRequest(increment('c', 1, 'one')));
  await model.close();
  await database.restart();
  const reopened = new KvStateMachine({ db: database.modelSpace });
  await reopened.open();
  t.teardown(() => reopened.close());
  t.like(await reopened.apply(2, encodeWriteRequest(increment('c', 1, 'one'))), { duplicate: true });

  const target = await TestDatabase.create(t, 'restored');
  const restored = new KvStateMachine({ db: target.modelSpace });
  await restored.open();
  t.teardown(() => restored.close());
  await restored.restore(await reopened.snapshot());
  t.like(await restored.apply(3, encodeWriteRequest(increment('c', 1, 'one'))), { duplicate: true });
  t.like(await restored.apply(4, encodeWriteRequest(increment('c', 2, 'two'))), { duplicate: false });
});

test('a session and its response are one stored record: a retry after a restart gets the whole response, an eviction leaves nothing behind', async (t) => {
  const { model, database } = await openModel(t, { clientsMax: 2 });
  const first = await model.apply(1, encodeWriteRequest(increment('a', 1, 'one')));
  const second = await model.apply(2, encodeWriteRequest(increment('b', 1, 'two')));
  await model.apply(3, encodeWriteRequest(increment('c', 1, 'three'))); // evicts a
  const sessionsBounds = sectionBounds(0, Section.sessions);
  const storedClients = async () => (await database.modelSpace.keys(sessionsBounds).all()).map((key) => text(keySuffix(key)));
  t.deepEqual(await storedClients(), ['b', 'c'], 'one record per remembered client; the evicted one is gone');
  const formerResponseKeys = (await database.modelSpace.keys({ gte: generationPrefix(0), lt: generationPrefix(1) }).all()).filter((key) => key[5] === 0x52);
  t.deepEqual(formerResponseKeys, [], 'no separate response records');
  await model.close();
  await database.restart();
  const reopened = new KvStateMachine({ db: database.modelSpace, config: { clientsMax: 2 } });
  await reopened.open();
  t.teardown(() => reopened.close());
  const retry = await reopened.apply(4, encodeWriteRequest(increment('b', 1, 'two')));
  t.like(retry, { kind: 'response', duplicate: true });
  if (retry.kind !== 'response' || second.kind !== 'response') return;
  t.deepEqual(retry.response, second.response);
  t.deepEqual(retry.response, { type: 'put', header: { revision: 3 }, prevKv: kv('counter', 'one', 2, 2, 1) });
  t.like(await reopened.apply(5, encodeWriteRequest(increment('a', 1, 'one'))), { duplicate: false }, 'a was evicted');
  t.like(first, { kind: 'response', duplicate: false });
});
