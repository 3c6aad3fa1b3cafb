// KV Session (rpc/session-stream.ts and rpc/client-session.ts): calls of one client over one
// stream, answered by id as each finishes; a bad call fails alone while a malformed
// request ends the stream; the bounds (calls in flight, request size) refuse one call, not
// the session; shutdown drains; the client library uses a session per member, falls back
// to unary calls for a server without Session and for large requests, and retries the
// calls of a session that broke.
import * as grpc from '@grpc/grpc-js';
import test from 'ava';
import type { ExecutionContext } from 'ava';
import type { SessionRequest } from '../../proto/gen/vstor/v1/SessionRequest.ts';
import type { SessionResponse__Output } from '../../proto/gen/vstor/v1/SessionResponse.ts';
import { KvService } from '../../rpc/kv-service.ts';
import { KVClient, kvService } from '../../rpc/proto.ts';
import { FakeNode, SharedModel } from './fake-node.ts';
import { bounded, connect, eventually, rawClient, serve, sessionOf, waitMs } from './serving.ts';

/** A raw KV Session stream. */
function openSession(t: ExecutionContext, address: string) {
  return sessionOf<SessionRequest, SessionResponse__Output>(t, rawClient(t, KVClient, address).Session({ deadline: Date.now() + 4 * waitMs }));
}

const put = (key: string, value = 'v') => ({ key: Buffer.from(key), value: Buffer.from(value), clientId: 'session-test', sequence: 0 });

/** A gate for FakeNode.onWrite: writes wait until release(). */
function gate() {
  let release!: () => void;
  const opened = new Promise<void>((resolve) => {
    release = resolve;
  });
  return { opened, release };
}

test('calls on one session are answered by id as each finishes, not in the order sent', async (t) => {
  const shared = await SharedModel.open(t);
  const node = new FakeNode(shared);
  const served = await serve(t, node);
  const held = gate();
  node.onWrite = () => held.opened;
  const session = openSession(t, served.address);

  session.send({ callId: 1, put: { ...put('slow'), sequence: 1 }, call: 'put' });
  session.send({ callId: 2, range: { key: Buffer.from('slow') }, call: 'range' });
  const read = await session.answer(2);
  t.is(read.result, 'range');
  t.deepEqual(session.answers.map((answer) => answer.callId), [2], 'the read was answered while the write waited');
  held.release();
  const written = await session.answer(1);
  t.is(written.result, 'put');
  t.is(written.put?.header?.revision, 2);
  session.end();
  t.is((await session.status()).code, grpc.status.OK);
  t.deepEqual(served.observer.outcomes.sort(), ['vstor.v1.KV/Put OK', 'vstor.v1.KV/Range OK', 'vstor.v1.KV/Session OK'], 'each call counted under its unary name');
});

test('a call with bad content gets its own error answer and the session goes on', async (t) => {
  const served = await serve(t, new FakeNode(await SharedModel.open(t)));
  const session = openSession(t, served.address);

  session.send({ callId: 5, put: { ...put(''), sequence: 1 }, call: 'put' });
  const refused = await session.answer(5);
  t.is(refused.result, 'error');
  t.like(refused.error, { grpcCode: grpc.status.INVALID_ARGUMENT, vstorCode: 'INVALID_ARGUMENT', retryable: false, message: 'key: must not be empty' });

  session.send({ callId: 6, put: { ...put('k'), sequence: 1 }, call: 'put' });
  t.is((await session.answer(6)).result, 'put');
});

test('a request with no call, or with the id of a call in flight, ends the session with INVALID_ARGUMENT', async (t) => {
  const shared = await SharedModel.open(t);
  const node = new FakeNode(shared);
  const served = await serve(t, node);

  const empty = openSession(t, served.address);
  empty.send({ callId: 3 });
  const noCall = await empty.status();
  t.is(noCall.code, grpc.status.INVALID_ARGUMENT);
  t.is(noCall.details, 'call: call 3 names none of range, put, delete_range, txn');

  const held = gate();
  t.teardown(() => held.release());
  node.onWrite = () => held.opened;
  const reused = openSession(t, served.address);
  reused.send({ callId: 9, put: { ...put('a'), sequence: 1 }, call: 'put' });
  reused.send({ callId: 9, range: { key: Buffer.from('a') }, call: 'range' });
  const duplicate = await reused.status();
  t.is(duplicate.code, grpc.status.INVALID_ARGUMENT);
  t.regex(duplicate.details, /^call_id: 9 is already in flight on this session/);
});

test('past sessionCallsMax calls in flight, the next call is refused as retryable and the others go on', async (t) => {
  const shared = await SharedModel.open(t);
  const node = new FakeNode(shared);
  const served = await serve(t, node, { sessionCallsMax: 2 });
  const held = gate();
  node.onWrite = () => held.opened;
  const session = openSession(t, served.address);

  session.send({ callId: 1, put: { ...put('a'), clientId: 'c1', sequence: 1 }, call: 'put' });
  session.send({ callId: 2, put: { ...put('b'), clientId: 'c2', sequence: 1 }, call: 'put' });
  await eventually(() => node.writes.length === 2, 'both writes to reach the member');
  session.send({ callId: 3, range: { key: Buffer.from('a') }, call: 'range' });
  const refused = await session.answer(3);
  t.like(refused.error, { grpcCode: grpc.status.RESOURCE_EXHAUSTED, vstorCode: 'RESOURCE_EXHAUSTED', retryable: true });
  t.regex(refused.error!.message, /2 calls are already in flight on this session \(sessionCallsMax\)/);

  held.release();
  t.is((await session.answer(1)).result, 'put');
  t.is((await session.answer(2)).result, 'put');
  session.send({ callId: 4, range: { key: Buffer.from('a') }, call: 'range' });
  t.is((await session.answer(4)).range?.kvs.length, 1, 'room again once the writes were answered');
});

test('a call over requestBytesMax is refused alone: RESOURCE_EXHAUSTED, not retryable, counted under its method', async (t) => {
  const shared = await SharedModel.open(t);
  const served = await serve(t, new FakeNode(shared), { requestBytesMax: 16 * 1024 });
  const session = openSession(t, served.address);

  session.send({ callId: 300, put: { ...put('big', 'x'.repeat(20_000)), sequence: 1 }, call: 'put' });
  const refused = await session.answer(300);
  t.like(refused.error, { grpcCode: grpc.status.RESOURCE_EXHAUSTED, retryable: false });
  t.regex(refused.error!.message, /^the request is 200\d\d bytes, over requestBytesMax \(16384\)$/);
  t.deepEqual(served.observer.outcomes, ['vstor.v1.KV/Put RESOURCE_EXHAUSTED']);

  session.send({ callId: 301, put: { ...put('small'), sequence: 1 }, call: 'put' });
  t.is((await session.answer(301)).result, 'put');
  t.is(shared.model.revision, 2, 'only the small write was applied');
});

test('closing the server refuses new calls, answers those in flight, then ends the session with UNAVAILABLE', async (t) => {
  const shared = await SharedModel.open(t);
  const node = new FakeNode(shared);
  const served = await serve(t, node, { shutdownGraceMs: waitMs });
  const held = gate();
  node.onWrite = () => held.opened;
  const session = openSession(t, served.address);
  session.send({ callId: 1, put: { ...put('k'), sequence: 1 }, call: 'put' });
  await eventually(() => node.writes.length === 1, 'the write to reach the member');

  const closed = served.server.close();
  session.send({ callId: 2, range: { key: Buffer.from('k') }, call: 'range' });
  const refused = await session.answer(2);
  t.like(refused.error, { vstorCode: 'UNAVAILABLE', retryable: true });

  held.release();
  t.is((await session.answer(1)).result, 'put', 'the call in flight was answered');
  const ended = await session.status();
  t.is(ended.code, grpc.status.UNAVAILABLE);
  await bounded(closed, 'server close');
});

test('the client library carries its KV calls on one session per member', async (t) => {
  const served = await serve(t, new FakeNode(await SharedModel.open(t)));
  const client = connect(t, [served.address]);
  await client.put('a', '1');
  await Promise.all([client.get('a'), client.get('b'), client.txn({ compare: [], success: [{ type: 'delete', key: 'a' }] })]);
  t.deepEqual(served.observer.outcomes.sort(), ['vstor.v1.KV/Put OK', 'vstor.v1.KV/Range OK', 'vstor.v1.KV/Range OK', 'vstor.v1.KV/Txn OK']);

  client.close();
  await eventually(() => served.observer.outcomes.some((outcome) => outcome.startsWith('vstor.v1.KV/Session ')), 'the session to end with the client');
  t.is(served.observer.calls.filter((call) => call.method === 'vstor.v1.KV/Session').length, 1, 'one stream carried all four calls');
});

test('a request larger than a session carries goes as a unary call', async (t) => {
  const shared = await SharedModel.open(t);
  const served = await serve(t, new FakeNode(shared), { requestBytesMax: 1 << 20 });
  const client = connect(t, [served.address]);
  await client.put('big', Buffer.alloc(100_000, 1));
  await client.put('small', 'v');
  client.close();
  await eventually(() => served.observer.outcomes.some((outcome) => outcome.startsWith('vstor.v1.KV/Session ')), 'the session to end with the client');
  const streams = served.observer.calls.filter((call) => call.method === 'vstor.v1.KV/Session');
  t.is(streams.length, 1);
  t.is(shared.model.revision, 3);
  // The large put was counted as a unary call as well: two Puts in all.
  t.is(served.observer.outcomes.filter((outcome) => outcome === 'vstor.v1.KV/Put OK').length, 2);
});

test('a server without Session gets unary calls', async (t) => {
  const shared = await SharedModel.open(t);
  const node = new FakeNode(shared);
  const kv = new KvService({ node, limits: shared.model.config });
  const { Session: _definition, ...unaryDefinition } = kvService;
  const { Session: _handler, ...unaryHandlers } = kv.handlers;
  const server = new grpc.Server();
  server.addService(unaryDefinition, unaryHandlers);
  const port = await bounded(new Promise<number>((resolve, reject) => {
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) => (error === null ? resolve(bound) : reject(error)));
  }), 'listen');
  t.teardown(() => server.forceShutdown());
  const client = connect(t, [`127.0.0.1:${port}`]);

  await client.put('k', 'v');
  t.is((await client.get('k'))?.value.toString(), 'v');
  await client.delete('k');
  t.is(shared.model.revision, 3);
  t.deepEqual(node.writes.map((write) => write.sequence), [1, 2], 'each write applied once');
});

test('a session that breaks with a write in flight: the client retries it elsewhere, applied once', async (t) => {
  const shared = await SharedModel.open(t);
  const firstNode = new FakeNode(shared, 1);
  const first = await serve(t, firstNode, { shutdownGraceMs: 200 });
  const second = await serve(t, new FakeNode(shared, 2));
  const client = connect(t, [first.address, second.address]);
  await client.get('warm-up');
  t.is(client.currentEndpoint, first.address);
  firstNode.onWrite = () => 'hang-after-apply';

  const writing = client.put('k', 'v');
  await eventually(() => firstNode.writes.length === 1, 'the write to reach the first member');
  void first.server.close();
  const response = await bounded(writing, 'the retried write');
  t.is(response.header?.memberId, 2);
  t.is(shared.model.revision, 2, 'applied once, though sent twice');
});
