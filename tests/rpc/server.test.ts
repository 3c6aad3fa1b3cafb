// The whole server as generic gRPC tools see it (grpcurl is not installed here, so the
// tools' calls are made raw): grpc.health.v1 answers SERVING; server reflection lists
// the vstor.v1 services and serves their descriptors; Raft snapshots (the gRPC part of the
// peer protocol) are taken on the same port. A request over requestBytesMax, or over the transport's limit, is
// RESOURCE_EXHAUSTED, not retryable, and the server goes on serving. close() ends open
// watches at once (the client resumes elsewhere), is bounded, and is safe twice or before
// listen().
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import test from 'ava';
import { message, MessageType } from '../../consensus/index.ts';
import type { HealthCheckResponse__Output } from '../../proto/gen/grpc/health/v1/HealthCheckResponse.ts';
import { VstorError } from '../../rpc/errors.ts';
import { HealthService } from '../../rpc/health.ts';
import { HealthClient, RaftPeerClient } from '../../rpc/proto.ts';
import { raftSnapshotChunks } from '../../rpc/raft-snapshot-stream.ts';
import { createGrpcServer } from '../../rpc/server.ts';
import { FakeNode, SharedModel } from './fake-node.ts';
import { bounded, connect, deadline, eventually, rawClient, serve, unary, waitMs } from './serving.ts';

interface ReflectionResponse {
  listServicesResponse?: { service: { name: string }[] };
  fileDescriptorResponse?: { fileDescriptorProto: Buffer[] };
  errorResponse?: { errorCode: number; errorMessage: string };
}

/** The reflection client a tool like grpcurl uses, from the proto file @grpc/reflection ships. */
function reflectionClient(address: string): grpc.Client & { ServerReflectionInfo(options: grpc.CallOptions): grpc.ClientDuplexStream<object, ReflectionResponse> } {
  const packageDirectory = dirname(dirname(createRequire(import.meta.url).resolve('@grpc/reflection')));
  const definition = loadSync(join(packageDirectory, 'proto/grpc/reflection/v1alpha/reflection.proto'), { keepCase: false, oneofs: true });
  const loaded = grpc.loadPackageDefinition(definition) as unknown as {
    grpc: { reflection: { v1alpha: { ServerReflection: new (address: string, credentials: grpc.ChannelCredentials) => ReturnType<typeof reflectionClient> } } };
  };
  return new loaded.grpc.reflection.v1alpha.ServerReflection(address, grpc.credentials.createInsecure());
}

/** Sends `requests` on one reflection stream and collects one response for each. */
function reflect(address: string, requests: object[]): Promise<ReflectionResponse[]> {
  const client = reflectionClient(address);
  return bounded(new Promise<ReflectionResponse[]>((resolve, reject) => {
    const responses: ReflectionResponse[] = [];
    const call = client.ServerReflectionInfo({ deadline: deadline() });
    call.on('data', (response: ReflectionResponse) => {
      responses.push(response);
      if (responses.length === requests.length) call.end();
    });
    call.on('error', reject);
    call.on('end', () => resolve(responses));
    for (const request of requests) call.write(request);
  }), 'reflection').finally(() => client.close());
}

test('grpc.health.v1 Check answers SERVING', async (t) => {
  const served = await serve(t, new FakeNode(await SharedModel.open(t)));
  const health = rawClient(t, HealthClient, served.address);
  const response = await unary<HealthCheckResponse__Output>((callback) => health.Check({ service: '' }, { deadline: deadline() }, callback));
  t.is(response.status, 'SERVING');
});

test('server reflection lists the vstor.v1 services and serves their descriptors', async (t) => {
  const served = await serve(t, new FakeNode(await SharedModel.open(t)));
  const [listed, described] = await reflect(served.address, [{ listServices: '' }, { fileContainingSymbol: 'vstor.v1.KV' }]);

  const names = listed!.listServicesResponse!.service.map((service) => service.name);
  for (const name of ['vstor.v1.KV', 'vstor.v1.Cluster', 'grpc.health.v1.Health', 'vstor.internal.RaftPeer']) t.true(names.includes(name), name);
  const descriptors = described!.fileDescriptorResponse!.fileDescriptorProto;
  // proto-loader's descriptors come one file per package, so the file is named for it.
  t.true(descriptors.some((descriptor) => descriptor.includes('vstor.v1') && descriptor.includes('RangeRequest')), 'the file that defines vstor.v1.KV');
});

test('Raft snapshots are taken on the same port', async (t) => {
  const served = await serve(t, new FakeNode(await SharedModel.open(t)));
  const peer = rawClient(t, RaftPeerClient, served.address);
  const snapshot = message({
    type: MessageType.Snap, to: 1, from: 2, term: 3,
    snapshot: { metadata: { index: 9, term: 3, confState: { voters: [1, 2], learners: [], votersOutgoing: [], learnersNext: [], autoLeave: false } }, data: Uint8Array.of(1, 2, 3) },
  });
  const acknowledged = await bounded(new Promise<unknown>((resolve, reject) => {
    const call = peer.SendSnapshot({ deadline: deadline() }, (error, ack) => (error === null ? resolve(ack) : reject(error)));
    for (const chunk of raftSnapshotChunks('test-cluster', snapshot, 4096)) call.write(chunk);
    call.end();
  }), 'SendSnapshot');
  t.deepEqual(acknowledged, { bytesReceived: 3 });
  t.deepEqual(served.peerSnapshots, [snapshot]);
});

test('requests over requestBytesMax or the transport limit are RESOURCE_EXHAUSTED and not retried', async (t) => {
  const shared = await SharedModel.open(t);
  const served = await serve(t, new FakeNode(shared), { requestBytesMax: 64 * 1024, peerMessageBytesMax: 1 << 20 });
  const client = connect(t, [served.address]);

  const overRequestLimit = await t.throwsAsync(client.put('k', Buffer.alloc(100_000)), { instanceOf: VstorError });
  t.is(overRequestLimit?.code, 'RESOURCE_EXHAUSTED');
  t.false(overRequestLimit?.retryable);
  t.regex(overRequestLimit!.message, /^Put: the request is 1000\d\d bytes, over requestBytesMax \(65536\)$/);

  const overTransportLimit = await t.throwsAsync(client.put('k', Buffer.alloc(2 << 20)), { instanceOf: VstorError });
  t.is(overTransportLimit?.code, 'RESOURCE_EXHAUSTED');
  t.false(overTransportLimit?.retryable);

  t.deepEqual(served.observer.outcomes, ['vstor.v1.KV/Put RESOURCE_EXHAUSTED'], 'each refused once; the transport\'s never reached the service');
  t.is(shared.model.revision, 1);
  await client.put('k', 'small');
  t.is(shared.model.revision, 2, 'the server goes on serving');
});

test('close() ends open watches at once, is bounded, and is safe twice', async (t) => {
  const node = new FakeNode(await SharedModel.open(t));
  const served = await serve(t, node, { shutdownGraceMs: waitMs });
  const client = connect(t, [served.address], { retries: 0 });
  const watch = await client.watch({ key: 'k' });

  const started = Date.now();
  await bounded(Promise.all([served.server.close(), served.server.close()]), 'close');
  t.true(Date.now() - started < waitMs / 2, 'not held up by the watch');
  t.is(served.server.status, 'closed');
  t.is(served.health.status(''), 'NOT_SERVING');
  await eventually(() => !node.watchers[0]!.active, 'the watcher is gone');
  const error = await t.throwsAsync(watch.next(), { instanceOf: VstorError });
  t.is(error?.code, 'UNAVAILABLE');
});

test('close() before listen() is a no-op that completes', async (t) => {
  const node = new FakeNode(await SharedModel.open(t));
  const server = createGrpcServer({
    node,
    raftPeer: { clusterId: node.clusterId, memberId: 1, snapshotLimits: { snapshotBytesMax: 1024, snapshotChunkBytes: 512 }, receiveMessages: () => {}, receiveSnapshot: () => {} },
    health: new HealthService({ watchersMax: 1 }),
    requestBytesMax: 1024,
    peerMessageBytesMax: 1024,
  });
  await bounded(server.close(), 'close');
  t.is(server.status, 'closed');
});
