// Proves the model's etcd semantics, operation by operation: the revision starts at 1 and
// grows by one per write entry that changes something; each key's createRevision,
// modRevision and version move as etcd's do (version back to 0 on delete, a recreated key
// gets a new createRevision); range reads honour limit, more, count, reverse, keysOnly,
// countOnly, prefix and the [0x00] rangeEnd; a txn's compares decide its branch, its writes
// share one revision, and a txn that cannot complete applies nothing.

import test from 'ava';
import { AssertionError } from '../../storage-engine/model/errors.ts';
import { RANGE_END_UNBOUNDED } from '../../storage-engine/model/key-range.ts';
import { encodeWriteRequest } from '../../storage-engine/model/codec.ts';
import { bytes, del, dump, kv, openModel, put, text } from './helpers.ts';

test('an empty model is at revision 1 with nothing applied', async (t) => {
  const { model } = await openModel(t);
  t.is(model.revision, 1);
  t.is(model.appliedIndex, 0);
  t.is(await model.get(bytes('a')), undefined);
  t.deepEqual(await model.range({ key: bytes('a'), rangeEnd: RANGE_END_UNBOUNDED }), {
    header: { revision: 1 },
    kvs: [],
    more: false,
    count: 0,
  });
});

test('put creates a key at a new revision, and each later put bumps version and modRevision', async (t) => {
  const { model, driver } = await openModel(t);
  t.deepEqual(await driver.put('a', '1'), { type: 'put', header: { revision: 2 } });
  t.deepEqual(await model.get(bytes('a')), kv('a', '1', 2, 2, 1));
  t.deepEqual(await driver.put('b', '1'), { type: 'put', header: { revision: 3 } });
  t.deepEqual(await driver.put('a', '2', { prevKv: true }), {
    type: 'put',
    header: { revision: 4 },
    prevKv: kv('a', '1', 2, 2, 1),
  });
  t.deepEqual(await model.get(bytes('a')), kv('a', '2', 2, 4, 2));
  // Putting the same value is still a change, as in etcd.
  t.deepEqual(await driver.put('a', '2'), { type: 'put', header: { revision: 5 } });
  t.deepEqual(await model.get(bytes('a')), kv('a', '2', 2, 5, 3));
  t.is(model.revision, 5);
  t.is(model.appliedIndex, 4);
});

test('delete removes keys, returns what it deleted on request, and a recreated key starts over', async (t) => {
  const { model, driver } = await openModel(t);
  await driver.put('a', '1');
  await driver.put('a', '2');
  t.deepEqual(await driver.deleteRange('a', undefined, { prevKv: true }), {
    type: 'deleteRange',
    header: { revision: 4 },
    deleted: 1,
    prevKvs: [kv('a', '2', 2, 3, 2)],
  });
  t.is(await model.get(bytes('a')), undefined);
  // Deleting nothing changes nothing: no new revision.
  t.deepEqual(await driver.deleteRange('a'), { type: 'deleteRange', header: { revision: 4 }, deleted: 0, prevKvs: [] });
  await driver.put('a', '3');
  t.deepEqual(await model.get(bytes('a')), kv('a', '3', 5, 5, 1));
});

test('range deletes honour rangeEnd, [0x00] as no end, and report every key in one revision', async (t) => {
  const { model, driver } = await openModel(t);
  for (const key of ['a', 'b', 'c', 'd', 'e']) await driver.put(key, key);
  t.deepEqual(await driver.deleteRange('b', 'd'), { type: 'deleteRange', header: { revision: 7 }, deleted: 2, prevKvs: [] });
  t.deepEqual((await dump(model)).kvs.map((entry) => entry.split('=')[0]), ['a', 'd', 'e']);
  t.deepEqual(await driver.deleteRange('d', 'all', { prevKv: true }), {
    type: 'deleteRange',
    header: { revision: 8 },
    deleted: 2,
    prevKvs: [kv('d', 'd', 5, 5, 1), kv('e', 'e', 6, 6, 1)],
  });
  // A rangeEnd not after the key is an empty range.
  t.deepEqual(await driver.deleteRange('a', 'a'), { type: 'deleteRange', header: { revision: 8 }, deleted: 0, prevKvs: [] });
  t.deepEqual((await dump(model)).kvs, ['a=a c2 m2 v1']);
});

test('range reads: limit, more and count, reverse, keysOnly, countOnly, prefix and open ends', async (t) => {
  const { model, driver } = await openModel(t);
  for (const key of ['app/1', 'app/2', 'app/3', 'apq', 'b']) await driver.put(key, `v-${key}`);
  const keysOf = (response: { kvs: Array<{ key: Uint8Array }> }) => response.kvs.map((entry) => text(entry.key));

  const prefixed = await model.range({ key: bytes('app/'), prefix: true });
  t.deepEqual(keysOf(prefixed), ['app/1', 'app/2', 'app/3']);
  t.is(prefixed.count, 3);
  t.false(prefixed.more);
  t.is(prefixed.header.revision, 6);

  const limited = await model.range({ key: bytes('app/'), prefix: true, limit: 2 });
  t.deepEqual(keysOf(limited), ['app/1', 'app/2']);
  t.is(limited.count, 3);
  t.true(limited.more);

  const reversed = await model.range({ key: bytes('a'), rangeEnd: bytes('b'), reverse: true, limit: 2 });
  t.deepEqual(keysOf(reversed), ['apq', 'app/3']);
  t.is(reversed.count, 4);
  t.true(reversed.more);

  const keysOnly = await model.range({ key: bytes('app/1'), keysOnly: true });
  t.deepEqual(keysOnly.kvs, [{ ...kv('app/1', '', 2, 2, 1) }]);

  const counted = await model.range({ key: Uint8Array.of(0), rangeEnd: RANGE_END_UNBOUNDED, countOnly: true });
  t.deepEqual(counted, { header: { revision: 6 }, kvs: [], more: false, count: 5 });

  t.deepEqual(keysOf(await model.range({ key: bytes('apq'), rangeEnd: RANGE_END_UNBOUNDED })), ['apq', 'b']);
  t.deepEqual(keysOf(await model.range({ key: bytes('b'), rangeEnd: bytes('a') })), []);
  t.deepEqual(keysOf(await model.range({ key: bytes('app/') })), [], 'no rangeEnd is the single key');
});

test('range requests out of their limits are INVALID_ARGUMENT naming the field', async (t) => {
  const { model } = await openModel(t, { rangeKeysMax: 10, keyBytesMax: 8 });
  for (const [request, field] of [
    [{ key: bytes('a'), limit: 11 }, /^limit/],
    [{ key: bytes('a'), limit: -1 }, /^limit/],
    [{ key: new Uint8Array(0) }, /^key/],
    [{ key: new Uint8Array(9) }, /^key/],
    [{ key: bytes('a'), rangeEnd: bytes('b'), prefix: true }, /^prefix/],
    [{ key: bytes('a'), reverse: 'yes' }, /^reverse/],
  ] as const) {
    const error = await t.throwsAsync(model.range(request as never), { instanceOf: Error });
    t.is((error as { code?: string }).code, 'INVALID_ARGUMENT');
    t.regex(error?.message ?? '', field);
  }
});

test('txn compares decide the branch; all of its writes share one revision', async (t) => {
  const { model, driver } = await openModel(t);
  await driver.put('a', 'x');
  const response = await driver.txn(
    [
      { target: 'value', key: bytes('a'), result: '=', value: bytes('x') },
      { target: 'version', key: bytes('a'), result: '=', version: 1 },
      { target: 'createRevision', key: bytes('a'), result: '=', createRevision: 2 },
      { target: 'modRevision', key: bytes('a'), result: '<', modRevision: 3 },
      { target: 'version', key: bytes('missing'), result: '=', version: 0 },
    ],
    [put('a', 'y', true), put('b', '1'), del('missing')],
    [put('failed', '1')],
  );
  t.deepEqual(response, {
    type: 'txn',
    header: { revision: 3 },
    succeeded: true,
    responses: [
      { type: 'put', header: { revision: 3 }, prevKv: kv('a', 'x', 2, 2, 1) },
      { type: 'put', header: { revision: 3 } },
      { type: 'deleteRange', header: { revision: 3 }, deleted: 0, prevKvs: [] },
    ],
  });
  t.deepEqual((await dump(model)).kvs, ['a=y c2 m3 v2', 'b=1 c3 m3 v1']);

  const failed = await driver.txn([{ target: 'value', key: bytes('a'), result: '>', value: bytes('y') }], [put('s', '1')], [put('f', '1')]);
  t.deepEqual(failed, { type: 'txn', header: { revision: 4 }, succeeded: false, responses: [{ type: 'put', header: { revision: 4 } }] });
  t.deepEqual(await model.get(bytes('f')), kv('f', '1', 4, 4, 1));
});

test('each compare result and target behaves as etcd, including on a missing key', async (t) => {
  const { driver } = await openModel(t);
  await driver.put('k', 'm');
  const holds = async (compare: Parameters<typeof driver.txn>[0][number]): Promise<boolean> => {
    const response = await driver.txn([compare], [], []);
    if (response.type !== 'txn') throw new Error('expected a txn response');
    return response.succeeded;
  };
  const value = (result: '=' | '!=' | '<' | '>', against: string, key = 'k') =>
    holds({ target: 'value', key: bytes(key), result, value: bytes(against) });
  t.true(await value('=', 'm'));
  t.false(await value('=', 'n'));
  t.true(await value('!=', 'n'));
  t.true(await value('<', 'n'));
  t.true(await value('>', 'l'));
  t.false(await value('<', 'm'));
  // There is no value to compare on a missing key: every value compare fails, even !=.
  t.false(await value('!=', 'anything', 'missing'));
  t.false(await value('=', '', 'missing'));
  const numeric = (target: 'version' | 'createRevision' | 'modRevision', result: '=' | '!=' | '<' | '>', against: number, key = 'k') =>
    holds({ target, key: bytes(key), result, [target]: against } as Parameters<typeof driver.txn>[0][number]);
  t.true(await numeric('version', '=', 1));
  t.true(await numeric('version', '>', 0));
  t.true(await numeric('createRevision', '=', 2));
  t.true(await numeric('modRevision', '!=', 3));
  t.true(await numeric('modRevision', '<', 3));
  t.true(await numeric('version', '=', 0, 'missing'), 'a missing key has version 0');
  t.true(await numeric('createRevision', '=', 0, 'missing'));
  t.false(await numeric('modRevision', '>', 0, 'missing'));
});

test('a txn that changes nothing does not create a revision', async (t) => {
  const { model, driver } = await openModel(t);
  await driver.put('a', '1');
  t.deepEqual(await driver.txn([], [del('nothing-here')], []), {
    type: 'txn',
    header: { revision: 2 },
    succeeded: true,
    responses: [{ type: 'deleteRange', header: { revision: 2 }, deleted: 0, prevKvs: [] }],
  });
  t.is(model.revision, 2);
});

test('overlapping range deletes in one txn count each key once', async (t) => {
  const { model, driver } = await openModel(t);
  for (const key of ['a', 'b', 'c', 'd']) await driver.put(key, key);
  const response = await driver.txn([], [del('a', 'c', true), del('b', 'e', true)]);
  if (response.type !== 'txn') return t.fail();
  t.deepEqual(
    response.responses.map((entry) => (entry.type === 'deleteRange' ? entry.deleted : -1)),
    [2, 2],
  );
  t.deepEqual((await dump(model)).kvs, []);
  t.is(model.revision, 6);
});

test('a txn that would break writeKeysMax applies nothing at all, and says why', async (t) => {
  const { model, driver } = await openModel(t, { writeKeysMax: 4, txnOperationsMax: 4, watcherQueueEventsMax: 4, watchHistoryEventsMax: 4 });
  for (const key of ['r1', 'r2', 'r3']) await driver.put(key, '1');
  const before = await dump(model);
  // Two puts fit, then a delete of three more keys does not: the puts must not happen either.
  const response = await driver.txn([], [put('x', '1'), put('y', '1'), del('r', 's')]);
  t.is(response.type, 'error');
  if (response.type !== 'error') return;
  t.is(response.code, 'RESOURCE_EXHAUSTED');
  t.regex(response.message, /writeKeysMax \(4\)/);
  t.deepEqual(response.header, { revision: 4 });
  t.deepEqual(await dump(model), before);
  t.is(model.appliedIndex, 4, 'the entry was still applied: it just changed nothing');
});

test('a write whose response would exceed responseBytesMax applies nothing', async (t) => {
  const { model, driver } = await openModel(t, { keyBytesMax: 16, valueBytesMax: 200, responseBytesMax: 300 });
  await driver.put('a', 'x'.repeat(200));
  await driver.put('b', 'x'.repeat(200));
  const response = await driver.deleteRange('a', 'c', { prevKv: true });
  t.is(response.type, 'error');
  t.is(response.type === 'error' ? response.code : undefined, 'RESOURCE_EXHAUSTED');
  t.is((await dump(model)).kvs.length, 2);
  t.deepEqual(await driver.deleteRange('a', 'c'), { type: 'deleteRange', header: { revision: 4 }, deleted: 2, prevKvs: [] });
});

test('empty and foreign entries only advance the applied index; old indexes are skipped; a gap is a bug', async (t) => {
  const { model, driver } = await openModel(t);
  t.deepEqual(await model.apply(1, new Uint8Array(0)), { kind: 'noop', index: 1 });
  t.deepEqual(await model.apply(2, Uint8Array.of(0x01, 0x02, 0x03)), { kind: 'noop', index: 2 });
  t.is(model.appliedIndex, 2);
  t.is(model.revision, 1);
  await driver.put('a', '1');
  t.deepEqual(await model.apply(3, encodeWriteRequest({ clientId: 'z', sequence: 1, command: { type: 'put', key: bytes('a'), value: bytes('2') } })), {
    kind: 'skipped',
    index: 3,
  });
  t.deepEqual(await model.get(bytes('a')), kv('a', '1', 2, 2, 1));
  await t.throwsAsync(model.apply(9, new Uint8Array(0)), { instanceOf: AssertionError });
});

test('an undecodable model entry is rejected with INVALID_ARGUMENT and changes nothing but the index', async (t) => {
  const { model } = await openModel(t);
  const encoded = encodeWriteRequest({ clientId: 'c', sequence: 1, command: { type: 'put', key: bytes('a'), value: bytes('1') } });
  const result = await model.apply(1, encoded.subarray(0, encoded.length - 1));
  t.is(result.kind, 'rejected');
  t.is(result.kind === 'rejected' ? result.error.code : undefined, 'INVALID_ARGUMENT');
  t.is(model.appliedIndex, 1);
  t.is(model.revision, 1);
});

test('an entry from a newer codec stops the replica instead of skipping it', async (t) => {
  const { model } = await openModel(t);
  const encoded = encodeWriteRequest({ clientId: 'c', sequence: 1, command: { type: 'put', key: bytes('a'), value: bytes('1') } });
  encoded[2] = 99;
  await t.throwsAsync(model.apply(1, encoded), { instanceOf: AssertionError, message: /upgrade this replica/ });
  t.is(model.appliedIndex, 0);
});

test('public methods check their arguments and the model status', async (t) => {
  const { model } = await openModel(t);
  await t.throwsAsync(model.apply(0, new Uint8Array(0)), { message: /^index/ });
  await t.throwsAsync(model.apply(1, 'bytes' as never), { message: /^entryBytes/ });
  await t.throwsAsync(model.get(new Uint8Array(0)), { message: /^key/ });
  await t.throwsAsync(model.restore(42 as never), { message: /^chunks/ });
  await model.close();
  await model.close();
  t.is(model.status, 'closed');
  const error = await t.throwsAsync(model.get(bytes('a')));
  t.is((error as { code?: string }).code, 'UNAVAILABLE');
  await model.open();
  await model.open();
  t.is(model.status, 'open');
});

test('a range read reports the revision its data is at, even while entries are being applied', async (t) => {
  const { model, driver } = await openModel(t);
  await driver.put('k', '0');
  let writing = true;
  const writer = (async () => {
    for (let index = 1; index <= 150; index++) await driver.put('k', String(index));
    writing = false;
  })();
  let reads = 0;
  while (writing) {
    // Every revision changes k, so data at revision r has k.modRevision = r exactly.
    const response = await model.range({ key: bytes('k') });
    t.is(response.kvs[0]!.modRevision, response.header.revision);
    reads++;
  }
  await writer;
  t.true(reads > 10, `only ${reads} reads overlapped the writes`);
});
