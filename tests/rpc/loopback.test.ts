// Real gRPC on loopback: a grpc-js server on an OS-assigned port serving RaftPeer
// (rpc/raft-peer-server.ts, Raft snapshots) and grpc.health.v1 (rpc/health.ts), and real
// clients. A snapshot arrives whole; bad input ends the call with the coded status the client maps back; a NOT_LEADER
// error's leader hint survives the trip in trailers; health Check, List and Watch behave as
// the public spec says. Every wait is bounded by a call deadline or a timer, and every
// server is shut down in teardown.
import * as grpc from '@grpc/grpc-js';
import test from 'ava';
import type { ExecutionContext } from 'ava';
import type { Message } from '../../consensus/index.ts';
import { message, MessageType } from '../../consensus/index.ts';
import type { HealthCheckResponse__Output } from '../../proto/gen/grpc/health/v1/HealthCheckResponse.ts';
import type { SnapshotChunk } from '../../proto/gen/vstor/internal/SnapshotChunk.ts';
import { fromServiceError, VstorError, toErrorStatus } from '../../rpc/errors.ts';
import { HealthService } from '../../rpc/health.ts';
import { HealthClient, KVClient, kvService, healthService, RaftPeerClient, raftPeerService } from '../../rpc/proto.ts';
import { raftPeerHandlers } from '../../rpc/raft-peer-server.ts';
import { raftSnapshotChunks } from '../../rpc/raft-snapshot-stream.ts';
import { MessageGenerator } from './raft-messages.ts';

const waitMs = 5_000;
const deadline = (): Date => new Date(Date.now() + waitMs);

/** Rejects if `promise` has not settled within waitMs, so no test can hang. */
function bounded<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${waitMs} ms`)), waitMs);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

interface Peer {
  address: string;
  received: Message[][];
  snapshots: Message[];
  health: HealthService;
  server: grpc.Server;
}

/** A server for member 2 of cluster "east", shut down when the test ends. */
async function startPeer(t: ExecutionContext, extra?: (server: grpc.Server) => void): Promise<Peer> {
  const received: Message[][] = [];
  const snapshots: Message[] = [];
  const health = new HealthService({ watchersMax: 4 });
  const server = new grpc.Server();
  server.addService(raftPeerService, raftPeerHandlers({
    clusterId: 'east',
    memberId: 2,
    snapshotLimits: { snapshotBytesMax: 1 << 20, snapshotChunkBytes: 4096 },
    receiveMessages: (messages) => received.push(messages),
    receiveSnapshot: (snapshotMessage) => {
      snapshots.push(snapshotMessage);
    },
  }));
  server.addService(healthService, health.handlers);
  extra?.(server);
  const port = await bounded(new Promise<number>((resolve, reject) => {
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, boundPort) => {
      if (error === null) resolve(boundPort);
      else reject(error);
    });
  }), 'bind');
  health.setStatus('', 'SERVING');
  health.setStatus('vstor.internal.RaftPeer', 'SERVING');
  t.teardown(async () => {
    health.close();
    await new Promise<void>((resolve) => {
      const force = setTimeout(() => {
        server.forceShutdown();
        resolve();
      }, waitMs);
      server.tryShutdown(() => {
        clearTimeout(force);
        resolve();
      });
    });
  });
  return { address: `127.0.0.1:${port}`, received, snapshots, health, server };
}

function client<C extends grpc.Client>(t: ExecutionContext, Client: new (address: string, credentials: grpc.ChannelCredentials) => C, address: string): C {
  const c = new Client(address, grpc.credentials.createInsecure());
  t.teardown(() => c.close());
  return c;
}

function sendSnapshot(peer: RaftPeerClient, chunks: SnapshotChunk[]) {
  return bounded(new Promise<{ bytesReceived: number }>((resolve, reject) => {
    const call = peer.SendSnapshot({ deadline: deadline() }, (error, ack) => {
      if (error !== null) reject(fromServiceError(error));
      else resolve(ack!);
    });
    for (const chunk of chunks) call.write(chunk);
    call.end();
  }), 'SendSnapshot');
}

test('a snapshot sent in chunks arrives whole; a corrupted chunk fails with DATA_LOSS', async (t) => {
  const server = await startPeer(t);
  const peer = client(t, RaftPeerClient, server.address);
  const generator = new MessageGenerator(22);
  const data = new Uint8Array(50_000).map((_, i) => (i * 31) & 0xff);
  const sent = message({ type: MessageType.Snap, to: 2, from: 1, term: 3, snapshot: { ...generator.raftSnapshot(), data } });

  const ack = await sendSnapshot(peer, [...raftSnapshotChunks('east', sent, 4096)]);
  t.deepEqual(ack, { bytesReceived: 50_000 });
  t.deepEqual(server.snapshots, [sent]);

  const chunks = [...raftSnapshotChunks('east', sent, 4096)];
  chunks[3] = { ...chunks[3], data: Uint8Array.from(chunks[3]!.data as Uint8Array, (byte, i) => (i === 0 ? byte ^ 1 : byte)) };
  const corrupted = await t.throwsAsync(sendSnapshot(peer, chunks), { instanceOf: VstorError });
  t.is(corrupted?.code, 'DATA_LOSS');
  t.is(server.snapshots.length, 1);
});

test('NOT_LEADER reaches a real client as UNAVAILABLE with the leader hint and retryable', async (t) => {
  const server = await startPeer(t, (s) => s.addService(kvService, {
    Range: (_call: unknown, callback: grpc.sendUnaryData<unknown>) => callback(toErrorStatus(
      new VstorError('NOT_LEADER', 'member 2 is not the leader'), { leaderId: 3, leaderAddress: '127.0.0.1:7103' },
    )),
  }));
  const kv = client(t, KVClient, server.address);
  const error = await bounded(new Promise<unknown>((resolve) => {
    kv.Range({ key: Buffer.from('a') }, { deadline: deadline() }, (failure) => resolve(failure));
  }), 'Range');
  t.is((error as grpc.ServiceError).code, grpc.status.UNAVAILABLE);
  const mapped = fromServiceError(error);
  t.is(mapped.code, 'NOT_LEADER');
  t.is(mapped.message, 'member 2 is not the leader');
  t.true(mapped.retryable);
  t.deepEqual(mapped.leader, { leaderId: 3, leaderAddress: '127.0.0.1:7103' });
});

test('a refused connection is UNAVAILABLE and retryable', async (t) => {
  const server = await startPeer(t);
  const port = server.address.split(':')[1];
  await new Promise<void>((resolve) => server.server.tryShutdown(() => resolve()));
  const peer = client(t, RaftPeerClient, `127.0.0.1:${port}`);
  const error = await t.throwsAsync(sendSnapshot(peer, []), { instanceOf: VstorError });
  t.is(error?.code, 'UNAVAILABLE');
  t.true(error?.retryable);
});

function check(health: HealthClient, service: string) {
  return bounded(new Promise<string>((resolve, reject) => {
    health.Check({ service }, { deadline: deadline() }, (error, answer) => {
      if (error !== null) reject(fromServiceError(error));
      else resolve(answer!.status);
    });
  }), 'Check');
}

test('health Check answers per service, NOT_FOUND for an unknown one; List shows them all', async (t) => {
  const server = await startPeer(t);
  const health = client(t, HealthClient, server.address);
  t.is(await check(health, ''), 'SERVING');
  t.is(await check(health, 'vstor.internal.RaftPeer'), 'SERVING');
  server.health.setStatus('vstor.internal.RaftPeer', 'NOT_SERVING');
  t.is(await check(health, 'vstor.internal.RaftPeer'), 'NOT_SERVING');
  const unknown = await t.throwsAsync(check(health, 'no.such.Service'), { instanceOf: VstorError });
  t.is(unknown?.code, 'NOT_FOUND');

  const list = await bounded(new Promise<unknown>((resolve, reject) => {
    health.List({}, { deadline: deadline() }, (error, answer) => (error !== null ? reject(error) : resolve(answer)));
  }), 'List');
  t.deepEqual(list, { statuses: { '': { status: 'SERVING' }, 'vstor.internal.RaftPeer': { status: 'NOT_SERVING' } } });
});

/** Opens a Watch and collects what it receives; `next()` waits for the next answer. */
function watch(health: HealthClient, service: string) {
  const call = health.Watch({ service }, { deadline: deadline() });
  const seen: string[] = [];
  const waiters: (() => void)[] = [];
  let ended: Error | undefined;
  call.on('data', (answer: HealthCheckResponse__Output) => {
    seen.push(answer.status);
    waiters.splice(0).forEach((wake) => wake());
  });
  call.on('error', (error: Error) => {
    ended = error;
    waiters.splice(0).forEach((wake) => wake());
  });
  call.on('end', () => waiters.splice(0).forEach((wake) => wake()));
  const next = (count: number): Promise<string[]> => bounded(new Promise<string[]>((resolve) => {
    const poll = (): void => (seen.length >= count || ended !== undefined ? resolve(seen) : void waiters.push(poll));
    poll();
  }), `Watch(${service})`);
  return { call, seen, next, ended: () => ended };
}

test('health Watch sends the status at once and then every change; SERVICE_UNKNOWN until a status is set', async (t) => {
  const server = await startPeer(t);
  const health = client(t, HealthClient, server.address);

  const raft = watch(health, 'vstor.internal.RaftPeer');
  t.deepEqual(await raft.next(1), ['SERVING']);
  server.health.setStatus('vstor.internal.RaftPeer', 'SERVING'); // no change: nothing sent
  server.health.setStatus('vstor.internal.RaftPeer', 'NOT_SERVING');
  t.deepEqual(await raft.next(2), ['SERVING', 'NOT_SERVING']);

  const later = watch(health, 'vstor.v1.KV');
  t.deepEqual(await later.next(1), ['SERVICE_UNKNOWN']);
  server.health.setStatus('vstor.v1.KV', 'SERVING');
  t.deepEqual(await later.next(2), ['SERVICE_UNKNOWN', 'SERVING']);

  raft.call.cancel();
  later.call.cancel();
});

test('health close() reports NOT_SERVING, ends every watch and lets the server shut down', async (t) => {
  const server = await startPeer(t);
  const health = client(t, HealthClient, server.address);
  const whole = watch(health, '');
  t.deepEqual(await whole.next(1), ['SERVING']);

  server.health.close();
  server.health.close();
  t.deepEqual(await whole.next(2), ['SERVING', 'NOT_SERVING']);
  server.health.setStatus('', 'SERVING');
  t.is(server.health.status(''), 'NOT_SERVING', 'a closed service stays NOT_SERVING');

  const refused = watch(health, '');
  await refused.next(1);
  t.is((refused.ended() as grpc.ServiceError | undefined)?.code, grpc.status.UNAVAILABLE);
  await bounded(new Promise<void>((resolve) => server.server.tryShutdown(() => resolve())), 'tryShutdown');
  t.pass();
});

test('health Watch is bounded by watchersMax', async (t) => {
  const server = await startPeer(t);
  const health = client(t, HealthClient, server.address);
  const open = Array.from({ length: 4 }, () => watch(health, ''));
  for (const w of open) await w.next(1);
  const refused = watch(health, '');
  await refused.next(1);
  t.is((refused.ended() as grpc.ServiceError | undefined)?.code, grpc.status.RESOURCE_EXHAUSTED);
  for (const w of open) w.call.cancel();
});
