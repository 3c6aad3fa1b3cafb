// Watch over gRPC: a watch reports every change in its range in revision order, one batch
// per revision (a txn's events together, even when the history is read in pages that split
// the revision), none missed and none twice; it starts in the past from the history; it
// ends when the client cancels, and the server forgets it; a compacted start revision is
// OUT_OF_RANGE with vstor code COMPACTED; a consumer that falls too far behind is cancelled
// with RESOURCE_EXHAUSTED by the server, and the client library resumes it without a gap;
// when the serving member shuts down, the watch resumes on another one without a gap; an
// idle watch with progress_notify reports the revision it has seen up to.
import type { ClientReadableStream } from '@grpc/grpc-js';
import test from 'ava';
import type { ExecutionContext } from 'ava';
import type { WatchBatch, VstorWatch } from '../../rpc/client.ts';
import { fromServiceError, VstorError } from '../../rpc/errors.ts';
import { KVClient } from '../../rpc/proto.ts';
import type { WatchResponse__Output } from '../../proto/gen/vstor/v1/WatchResponse.ts';
import { FakeNode, SharedModel } from './fake-node.ts';
import { bounded, connect, eventually, rawClient, serve } from './serving.ts';

const text = (bytes: Uint8Array): string => Buffer.from(bytes).toString('utf8');

function describe(batch: WatchBatch): string {
  return `@${batch.revision} ${batch.events.map((event) => `${event.type === 'PUT' ? 'put' : 'del'} ${text(event.kv!.key)}`).join(', ')}`;
}

/** Reads `watch` until a batch reaches `revision`, bounded in time. (With next() rather
 * than for-await, whose early exit would cancel the watch.) */
async function readUntil(watch: VstorWatch, revision: number): Promise<WatchBatch[]> {
  const batches: WatchBatch[] = [];
  await bounded((async () => {
    for (;;) {
      const result = await watch.next();
      if (result.done === true) throw new Error(`the watch ended before revision ${revision}`);
      batches.push(result.value);
      if (result.value.revision >= revision) return;
    }
  })(), `watch up to revision ${revision}`);
  return batches;
}

async function setup(t: ExecutionContext, config = {}, serverOptions = {}) {
  const shared = await SharedModel.open(t, config);
  const node = new FakeNode(shared);
  const served = await serve(t, node, serverOptions);
  const client = connect(t, [served.address]);
  return { shared, node, served, client };
}

test('a watch sees every change in its range, in order, one batch per revision', async (t) => {
  const { client } = await setup(t);
  const watch = await client.watch({ key: 'w/', prefix: true, prevKv: true });
  t.is(watch.startedAfterRevision, 1);

  await client.put('w/a', '1');
  await client.put('elsewhere', 'x');
  await client.put('w/b', '2');
  await client.txn({ compare: [], success: [{ type: 'put', key: 'w/c', value: '3' }, { type: 'delete', key: 'w/a' }] });
  await client.delete('w/', { prefix: true });

  const batches = await readUntil(watch, 6);
  t.deepEqual(batches.map(describe), ['@2 put w/a', '@4 put w/b', '@5 put w/c, del w/a', '@6 del w/b, del w/c']);
  const deletion = batches[2]!.events[1]!;
  t.is(deletion.kv!.modRevision, 5);
  t.is(text(deletion.prevKv!.value), '1', 'prevKv when asked');
});

test('a watch from a past revision replays the history, a big revision in one batch', async (t) => {
  const { client } = await setup(t);
  // 600 keys deleted at one revision: more than one page of the history read (512 events).
  for (let chunk = 0; chunk < 5; chunk++) {
    await client.txn({
      compare: [],
      success: Array.from({ length: 120 }, (_, index) => ({ type: 'put' as const, key: `k/${String(chunk * 120 + index).padStart(4, '0')}`, value: 'v' })),
    });
  }
  const deleted = await client.delete('k/', { prefix: true });
  t.is(deleted.deleted, 600);
  t.is(deleted.header?.revision, 7);

  const watch = await client.watch({ key: 'k/', prefix: true, startRevision: 6 });
  const batches = await readUntil(watch, 7);
  t.deepEqual(batches.map((batch) => [batch.revision, batch.events.length]), [[6, 120], [7, 600]]);
  t.true(batches[1]!.events.every((event) => event.type === 'DELETE'));
});

test('cancelling a watch ends the call, and the server forgets the watcher', async (t) => {
  const { client, node, served } = await setup(t);
  const watch = await client.watch({ key: 'k' });
  await client.put('k', 'v');
  t.deepEqual((await readUntil(watch, 2)).map(describe), ['@2 put k']);

  t.is(client.watchCount, 1);
  watch.cancel();
  t.is(client.watchCount, 0, 'the client forgets it at once');
  await eventually(() => served.observer.outcomes.includes('vstor.v1.KV/Watch CANCELLED'), 'the server saw the cancel');
  t.false(node.watchers[0]!.active);
  t.true(served.observer.calls.find((call) => call.method === 'vstor.v1.KV/Watch')!.streaming);
  t.deepEqual(served.observer.operations, ['watch', 'put']);
  t.deepEqual(await watch.next(), { done: true, value: undefined });
});

test('a compacted start revision is OUT_OF_RANGE with vstor code COMPACTED', async (t) => {
  const { client, served } = await setup(t, { txnOperationsMax: 2, writeKeysMax: 2, watchHistoryEventsMax: 2, watcherQueueEventsMax: 2 });
  for (let index = 0; index < 5; index++) await client.put('k', `v${index}`);

  const error = await t.throwsAsync(client.watch({ key: 'k', startRevision: 2 }));
  t.is((error as { code?: string }).code, 'COMPACTED');
  t.regex(error!.message, /revision 2 is older than the retained watch history; the oldest available revision is 5/);

  const raw = rawClient(t, KVClient, served.address);
  const status = await bounded(new Promise<unknown>((resolve) => {
    const stream = raw.Watch({ key: Buffer.from('k'), startRevision: 2 });
    stream.on('data', () => {});
    stream.on('error', resolve);
  }), 'raw watch');
  t.is((status as { code?: number }).code, 11, 'OUT_OF_RANGE on the wire');
  t.is(fromServiceError(status).code, 'COMPACTED');
});

test('a consumer that stops reading is cancelled by the server with RESOURCE_EXHAUSTED', async (t) => {
  const { client, node, served } = await setup(t, { txnOperationsMax: 2, writeKeysMax: 2, watcherQueueEventsMax: 2 });
  const raw = rawClient(t, KVClient, served.address);
  const stream: ClientReadableStream<WatchResponse__Output> = raw.Watch({ key: Buffer.from('big') });
  const received: WatchResponse__Output[] = [];
  const ended = new Promise<unknown>((resolve) => {
    stream.on('error', resolve);
    stream.on('end', () => resolve(undefined));
  });
  stream.on('data', (response: WatchResponse__Output) => received.push(response));
  await eventually(() => received.length === 1, 'the watch is confirmed');
  stream.pause();

  // More than the client's stream buffer (16 responses) and the HTTP/2 windows hold: the
  // server stops writing, and the watcher's queue fills.
  const value = 'x'.repeat(200_000);
  for (let index = 0; index < 60 && node.watchers[0]!.active; index++) await client.put('big', value);
  t.false(node.watchers[0]!.active);
  t.is(node.watchers[0]!.reason?.code, 'RESOURCE_EXHAUSTED');

  stream.resume();
  const error = fromServiceError(await bounded(ended, 'the stream ends'));
  t.is(error.code, 'RESOURCE_EXHAUSTED');
  t.regex(error.message, /fell more than watcherQueueEventsMax \(2\) events behind; watch again from revision \d+/);
  t.true(error.retryable);
});

test('the client library resumes a watch the server cancelled as too slow, without a gap', async (t) => {
  const { client } = await setup(t, { txnOperationsMax: 2, writeKeysMax: 2, watcherQueueEventsMax: 2 });
  const watch = await client.watch({ key: 'big' });
  const value = 'x'.repeat(100_000);
  for (let index = 0; index < 100; index++) await client.put('big', value);

  const batches = await readUntil(watch, 101);
  t.deepEqual(batches.map((batch) => batch.revision), Array.from({ length: 100 }, (_, index) => index + 2));
});

test('a watch resumes on another member when its member shuts down, none missed, none twice', async (t) => {
  const shared = await SharedModel.open(t);
  const first = await serve(t, new FakeNode(shared, 1));
  const second = await serve(t, new FakeNode(shared, 2));
  const watcherClient = connect(t, [first.address, second.address]);
  const writer = connect(t, [second.address]);

  const watch = await watcherClient.watch({ key: 'k/', prefix: true });
  await writer.put('k/1', 'a');
  await writer.put('k/2', 'b');
  t.deepEqual((await readUntil(watch, 3)).map(describe), ['@2 put k/1', '@3 put k/2']);

  await first.server.close();
  await writer.put('k/3', 'c');
  await writer.delete('k/1');
  t.deepEqual((await readUntil(watch, 5)).map(describe), ['@4 put k/3', '@5 del k/1']);
  t.is(watcherClient.currentEndpoint, second.address);
});

test('an idle watch with progress_notify reports the revision it has seen up to', async (t) => {
  const { client } = await setup(t, {}, { watchProgressIntervalMs: 20 });
  const watch = await client.watch({ key: 'quiet', progressNotify: true });
  await client.put('other', 'x');
  await client.put('other', 'y');

  const batches = await readUntil(watch, 3);
  const progress = batches.at(-1)!;
  t.deepEqual(progress, { revision: 3, events: [] });
});

test('watch streams are bounded per member and per client', async (t) => {
  const { served } = await setup(t, {}, { watchStreamsMax: 1 });
  const client = connect(t, [served.address], { retries: 0, watchesMax: 1 });
  const other = connect(t, [served.address], { retries: 0 });
  const watch = await client.watch({ key: 'k' });

  const perClient = await t.throwsAsync(client.watch({ key: 'k' }), { instanceOf: VstorError });
  t.is(perClient?.message, 'watch: 1 watches are already open on this client (watchesMax)');
  const perMember = await t.throwsAsync(other.watch({ key: 'k' }), { instanceOf: VstorError });
  t.is(perMember?.code, 'RESOURCE_EXHAUSTED');
  t.regex(perMember!.message, /already 1 watch streams open on this member \(watchStreamsMax\)/);

  watch.cancel();
  await eventually(() => served.observer.outcomes.includes('vstor.v1.KV/Watch CANCELLED'), 'the first watch ended');
  await other.watch({ key: 'k' });
  t.pass();
});
