// The KV service over real gRPC, in front of a fake node with a real model: puts, gets,
// ranges, deletes and txns come back with the model's semantics in the wire's shapes;
// reads are linearizable (one read barrier each) unless serializable; bad input is refused
// with INVALID_ARGUMENT naming the field as the .proto spells it, and nothing is applied;
// a model error response becomes the matching coded error; every call is reported to the
// observer with its method, status and duration.
import test from 'ava';
import { fromServiceError } from '../../rpc/errors.ts';
import { KVClient } from '../../rpc/proto.ts';
import type { TxnResponse__Output } from '../../proto/gen/vstor/v1/TxnResponse.ts';
import type { PutResponse__Output } from '../../proto/gen/vstor/v1/PutResponse.ts';
import { FakeNode, SharedModel } from './fake-node.ts';
import { connect, deadline, rawClient, serve, unary } from './serving.ts';

const text = (bytes: Uint8Array): string => Buffer.from(bytes).toString('utf8');

async function setup(t: Parameters<typeof SharedModel.open>[0], config = {}) {
  const shared = await SharedModel.open(t, config);
  const node = new FakeNode(shared);
  const served = await serve(t, node);
  const client = connect(t, [served.address]);
  return { shared, node, served, client };
}

test('put, get, list, delete and their revisions round-trip through the service', async (t) => {
  const { client, node } = await setup(t);

  const first = await client.put('app/a', 'one');
  t.is(first.header?.revision, 2);
  t.is(first.header?.clusterId, 'test-cluster');
  t.is(first.header?.memberId, 1);
  t.is(first.header?.raftTerm, 3);
  await client.put('app/b', 'two');
  const overwrite = await client.put('app/a', 'uno', { prevKv: true });
  t.is(text(overwrite.prevKv!.value), 'one');
  await client.put('other', 'x');

  const a = await client.get('app/a');
  t.like(a, { createRevision: 2, modRevision: 4, version: 2 });
  t.is(text(a!.value), 'uno');
  t.is(await client.get('missing'), undefined);

  const listed = await client.list('app/');
  t.deepEqual(listed.kvs.map((kv) => `${text(kv.key)}=${text(kv.value)}`), ['app/a=uno', 'app/b=two']);
  t.is(listed.count, 2);
  t.is(listed.header?.revision, 5);

  const limited = await client.list('', { limit: 2, reverse: true, keysOnly: true });
  t.deepEqual(limited.kvs.map((kv) => `${text(kv.key)}=${text(kv.value)}`), ['other=', 'app/b=']);
  t.true(limited.more);
  t.is(limited.count, 3);
  t.is((await client.range({ key: 'app/', prefix: true, countOnly: true })).count, 2);

  const deleted = await client.delete('app/', { prefix: true, prevKv: true });
  t.is(deleted.deleted, 2);
  t.deepEqual(deleted.prevKvs.map((kv) => text(kv.key)), ['app/a', 'app/b']);
  t.is((await client.list('')).count, 1);

  // Each write carried this client's id and the next sequence.
  t.deepEqual(node.writes.map((write) => [write.clientId, write.sequence]), [1, 2, 3, 4, 5].map((sequence) => [client.clientId, sequence]));
});

test('a txn applies one branch atomically and reports which', async (t) => {
  const { client } = await setup(t);
  await client.put('lock', 'free');

  const taken = await client.txn({
    compare: [{ key: 'lock', target: 'value', result: '=', value: 'free' }, { key: 'owner', target: 'version', result: '=', version: 0 }],
    success: [{ type: 'put', key: 'lock', value: 'held' }, { type: 'put', key: 'owner', value: 'me' }],
    failure: [{ type: 'put', key: 'contended', value: 'yes' }],
  });
  t.true(taken.succeeded);
  t.deepEqual(taken.responses.map((response) => response.response), ['responsePut', 'responsePut']);
  t.is(taken.header?.revision, 3);

  const again: TxnResponse__Output = await client.txn({
    compare: [{ key: 'lock', target: 'modRevision', result: '<', modRevision: 3 }],
    success: [{ type: 'delete', key: 'lock' }],
    failure: [{ type: 'delete', key: 'owner', prevKv: true }, { type: 'put', key: 'contended', value: 'yes' }],
  });
  t.false(again.succeeded);
  t.is(again.responses[0]?.responseDeleteRange?.deleted, 1);
  t.is(text(again.responses[0]!.responseDeleteRange!.prevKvs[0]!.value), 'me');
  t.is(text((await client.get('lock'))!.value), 'held');
  t.is(await client.get('owner'), undefined);
});

test('reads are linearizable by default (one read barrier each) and serializable on request', async (t) => {
  const { client, node } = await setup(t);
  await client.put('k', 'v');

  await client.get('k');
  await client.list('k');
  t.is(node.readBarrierCount, 2);
  await client.get('k', { serializable: true });
  await client.range({ key: 'k', serializable: true });
  t.is(node.readBarrierCount, 2, 'serializable reads skip the barrier');
});

test('a read at a revision is served only at the current one', async (t) => {
  const { client } = await setup(t);
  await client.put('k', 'v1');
  await client.put('k', 'v2');

  t.is((await client.range({ key: 'k', revision: 3 })).kvs.length, 1);
  const past = await t.throwsAsync(client.range({ key: 'k', revision: 2 }));
  t.is((past as { code?: string }).code, 'COMPACTED');
  const future = await t.throwsAsync(client.range({ key: 'k', revision: 9 }));
  t.is((future as { code?: string }).code, 'OUT_OF_RANGE');
});

test('bad input is INVALID_ARGUMENT naming the field, and nothing is applied', async (t) => {
  const { served, node, shared } = await setup(t, { valueBytesMax: 1024 });
  const kv = rawClient(t, KVClient, served.address);
  const put = (request: Parameters<KVClient['Put']>[0]) => unary<PutResponse__Output>((callback) => kv.Put(request, { deadline: deadline() }, callback));
  const txn = (request: Parameters<KVClient['Txn']>[0]) => unary<TxnResponse__Output>((callback) => kv.Txn(request, { deadline: deadline() }, callback));
  const refusal = async (call: Promise<unknown>): Promise<string> => {
    const error = fromServiceError(await t.throwsAsync(call));
    t.is(error.code, 'INVALID_ARGUMENT');
    t.false(error.retryable);
    return error.message;
  };
  const identity = { clientId: 'raw', sequence: 1 };
  // proto-loader reads a string in a bytes field as base64; raw requests send Buffers.
  const b = (value: string): Buffer => Buffer.from(value);

  t.is(await refusal(put({ key: b(''), value: b('v'), ...identity })), 'key: must not be empty');
  t.is(await refusal(put({ key: b('k'), value: Buffer.alloc(1025), ...identity })), 'value: 1025 bytes exceeds valueBytesMax (1024)');
  t.is(await refusal(put({ key: b('k'), value: b('v') })), 'client_id: must be set: every write carries (client_id, sequence) so that a retry is applied at most once');
  t.is(await refusal(put({ key: b('k'), value: b('v'), clientId: 'raw', sequence: 0 })), 'sequence: must be an integer from 1 to 2^53-1, got 0');
  t.is(await refusal(put({ key: b('k'), value: b('v'), clientId: 'raw', sequence: 2 ** 60 })), `sequence: must be an integer from 1 to 2^53-1, got ${2 ** 60}`);
  t.is(
    await refusal(txn({ compare: [{ key: b('k'), result: 'EQUAL' }], success: [], ...identity })),
    'compare[0].target: must be set: one of value, version, create_revision, mod_revision',
  );
  t.is(
    await refusal(txn({ compare: [{ key: b('k'), value: b('v'), target: 'value' }], ...identity })),
    'compare[0].result: must be set (EQUAL, NOT_EQUAL, LESS or GREATER)',
  );
  t.is(
    await refusal(txn({ compare: [{ key: b('k'), value: b('v'), target: 'value', result: 9 as never }], ...identity })),
    'compare[0].result: unknown value 9 (EQUAL, NOT_EQUAL, LESS or GREATER)',
  );
  t.is(await refusal(txn({ success: [{}], ...identity })), 'success[0].request: must be set: one of request_put, request_delete_range');
  t.is(
    await refusal(txn({ failure: [{ requestPut: { key: b('k'), value: b('v'), clientId: 'other' } }], ...identity })),
    'failure[0].request_put.client_id: must be empty inside a txn (the txn\'s own pair counts)',
  );
  t.is(
    await refusal(txn({ success: [{ requestPut: { key: b('k'), value: Buffer.alloc(2000) } }], ...identity })),
    'success[0].request_put.value: 2000 bytes exceeds valueBytesMax (1024)',
  );
  t.is(
    await refusal(txn({ success: [{ requestPut: { key: b('k'), value: b('a') } }, { requestPut: { key: b('k'), value: b('b') } }], ...identity })),
    'success[1].key: key is put twice in one txn branch',
  );
  const rangeInTxn = fromServiceError(await t.throwsAsync(txn({ success: [{ requestRange: { key: b('k') } }], ...identity })));
  t.is(rangeInTxn.code, 'UNIMPLEMENTED');

  t.deepEqual(node.writes, [], 'nothing reached the node');
  t.is(shared.model.revision, 1, 'nothing was applied');
});

test('a model error response becomes its coded error', async (t) => {
  const { served, shared } = await setup(t);
  const kv = rawClient(t, KVClient, served.address);
  const put = (sequence: number) => unary<PutResponse__Output>((callback) => kv.Put({ key: Buffer.from('k'), value: Buffer.from(`v${sequence}`), clientId: 'raw', sequence }, { deadline: deadline() }, callback));

  await put(1);
  await put(2);
  const stale = fromServiceError(await t.throwsAsync(put(1)));
  t.is(stale.code, 'FAILED_PRECONDITION');
  t.regex(stale.message, /sequence 1 is older than the last applied sequence 2/);
  t.is(shared.model.revision, 3);
});

test('every call is reported with its method, status and duration; successes count as KV operations', async (t) => {
  const { client, served } = await setup(t);
  await client.put('k', 'v');
  await client.get('k');
  await client.delete('k');
  await client.txn({ compare: [], success: [] });
  await t.throwsAsync(client.put('', 'v'));

  t.deepEqual(served.observer.outcomes, [
    'vstor.v1.KV/Put OK', 'vstor.v1.KV/Range OK', 'vstor.v1.KV/DeleteRange OK', 'vstor.v1.KV/Txn OK', 'vstor.v1.KV/Put INVALID_ARGUMENT',
  ]);
  t.deepEqual(served.observer.operations, ['put', 'range', 'delete', 'txn']);
  t.true(served.observer.calls.every((call) => call.durationSeconds >= 0 && call.durationSeconds < 5 && !call.streaming));
});

test('a range response is cut at rangeResponseBytesMax and says there is more', async (t) => {
  const shared = await SharedModel.open(t);
  const served = await serve(t, new FakeNode(shared), { rangeResponseBytesMax: 10_000 });
  const client = connect(t, [served.address]);
  for (let index = 0; index < 5; index++) await client.put(`k${index}`, 'x'.repeat(4_000));

  const response = await client.list('k');
  t.is(response.kvs.length, 2);
  t.true(response.more);
  t.is(response.count, 5);
});
