// The VDisks service over real gRPC in front of a fake VDiskNode, with the client library
// and the peer forwarder: bad names, sizes, ranges and pairs are refused with
// INVALID_ARGUMENT naming the field, before the daemon sees them; answers and errors come
// back in the daemon's types and codes; a forwarded call says who forwarded it; the client
// sends a block write again only when the server says nothing was touched or the first
// endpoint never connected; a delete whose answer was lost is success when the retry finds
// the vDisk gone; the forwarder reports a peer it could not reach as retryable, with
// nothing sent. VDisks.Session: the client's small calls go over one stream, large ones
// and calls to a server without Session as unary calls; a session call carries its
// deadline and pinned id; a bad call fails alone, a malformed request ends the stream.
import * as grpc from '@grpc/grpc-js';
import test from 'ava';
import type { ExecutionContext } from 'ava';
import type {
  AllocationSpec, ChangeIdentity, CreateVDiskSpec, DiffPage, DiffSpec, Extent, RangeSpec, ReadSpec,
  VDiskCallContext, VDiskInfo, VDiskNode, VDiskSnapshotInfo, WriteSpec,
} from '../../rpc/vdisk-api.ts';
import type { VDiskSessionRequest, VDiskSessionRequest__Output } from '../../proto/gen/vstor/v1/VDiskSessionRequest.ts';
import type { VDiskSessionResponse__Output } from '../../proto/gen/vstor/v1/VDiskSessionResponse.ts';
import { VDiskPeers } from '../../rpc/vdisk-peers.ts';
import { VDiskService } from '../../rpc/vdisk-service.ts';
import { vdisksService, VDisksClient } from '../../rpc/proto.ts';
import { limitRequestBytes } from '../../rpc/request-limit.ts';
import { fromServiceError, isVstorError, VstorError } from '../../rpc/errors.ts';
import { freePort } from '../support/free-ports.ts';
import { FakeNode, member, SharedModel } from './fake-node.ts';
import { bounded, connect, deadline, eventually, rawClient, serve, sessionOf, unary, waitMs } from './serving.ts';

const MiB = 1 << 20;
const requestBytesMax = 64 * 1024;

const sample: VDiskInfo = {
  name: 'disk', id: 3, sizeBytes: 8 * MiB, owner: 'n2', headEpoch: 3, createdAtMs: 1_700_000_000_000, revision: 12,
  parent: { name: 'base', id: 1, snapshot: 'gold', epoch: 4 },
  snapshots: [{ name: 's1', epoch: 1, sizeBytes: 4 * MiB, createdAtMs: 1_700_000_000_100, clones: ['vm-1'] }, { name: 's2', epoch: 2, sizeBytes: 8 * MiB, createdAtMs: 1_700_000_000_200, clones: [] }],
};

interface Call {
  method: string;
  args: unknown[];
  context: VDiskCallContext;
}

/** Records every call; `fail` may throw for a method, or return a value to answer with. */
class FakeVDisks implements VDiskNode {
  readonly calls: Call[] = [];
  fail: (method: string, attempt: number) => void | Promise<void> = () => {};
  private readonly attempts = new Map<string, number>();

  private async record(method: string, context: VDiskCallContext, ...args: unknown[]): Promise<void> {
    this.calls.push({ method, args, context });
    const attempt = (this.attempts.get(method) ?? 0) + 1;
    this.attempts.set(method, attempt);
    await this.fail(method, attempt);
  }

  async createVDisk(spec: CreateVDiskSpec, identity: ChangeIdentity | undefined, context: VDiskCallContext): Promise<VDiskInfo> {
    await this.record('createVDisk', context, spec, identity);
    return { ...sample, name: spec.name, sizeBytes: spec.sizeBytes };
  }

  async listVDisks(options: { serializable: boolean }): Promise<VDiskInfo[]> {
    await this.record('listVDisks', {}, options);
    return [sample];
  }

  async getVDisk(name: string, options: { serializable: boolean }): Promise<VDiskInfo> {
    await this.record('getVDisk', {}, name, options);
    return sample;
  }

  async deleteVDisk(name: string, identity: ChangeIdentity | undefined, context: VDiskCallContext): Promise<void> {
    await this.record('deleteVDisk', context, name, identity);
  }

  async resizeVDisk(name: string, sizeBytes: number, identity: ChangeIdentity | undefined, context: VDiskCallContext): Promise<VDiskInfo> {
    await this.record('resizeVDisk', context, name, sizeBytes, identity);
    return { ...sample, sizeBytes };
  }

  async read(spec: ReadSpec, context: VDiskCallContext): Promise<Uint8Array> {
    await this.record('read', context, spec);
    return new Uint8Array(spec.lengthBytes).fill(7);
  }

  async write(spec: WriteSpec, context: VDiskCallContext): Promise<void> {
    await this.record('write', context, { ...spec, data: spec.data.length });
  }

  async trim(spec: RangeSpec, context: VDiskCallContext): Promise<void> {
    await this.record('trim', context, spec);
  }

  async writeZeroes(spec: RangeSpec, context: VDiskCallContext): Promise<void> {
    await this.record('writeZeroes', context, spec);
  }

  async flush(name: string, context: VDiskCallContext): Promise<void> {
    await this.record('flush', context, name);
  }

  async allocationMap(spec: AllocationSpec, context: VDiskCallContext): Promise<Extent[]> {
    await this.record('allocationMap', context, spec);
    return [{ offsetBytes: spec.offsetBytes, lengthBytes: 4096, kind: 'data' }, { offsetBytes: spec.offsetBytes + 4096, lengthBytes: spec.lengthBytes - 4096, kind: 'hole' }];
  }

  async createSnapshot(name: string, snapshot: string, identity: ChangeIdentity | undefined, context: VDiskCallContext): Promise<{ vdisk: VDiskInfo; snapshot: VDiskSnapshotInfo }> {
    await this.record('createSnapshot', context, name, snapshot, identity);
    return { vdisk: sample, snapshot: sample.snapshots[1]! };
  }

  async deleteSnapshot(name: string, snapshot: string, identity: ChangeIdentity | undefined, context: VDiskCallContext): Promise<VDiskInfo> {
    await this.record('deleteSnapshot', context, name, snapshot, identity);
    return sample;
  }

  async rollback(name: string, snapshot: string, context: VDiskCallContext): Promise<VDiskInfo> {
    await this.record('rollback', context, name, snapshot);
    return sample;
  }

  async clone(name: string, snapshot: string, cloneName: string, identity: ChangeIdentity | undefined, context: VDiskCallContext): Promise<VDiskInfo> {
    await this.record('clone', context, name, snapshot, cloneName, identity);
    return sample;
  }

  async flatten(name: string, identity: ChangeIdentity | undefined, context: VDiskCallContext): Promise<VDiskInfo> {
    await this.record('flatten', context, name, identity);
    return sample;
  }

  async diff(spec: DiffSpec, context: VDiskCallContext): Promise<DiffPage> {
    await this.record('diff', context, spec);
    return { ranges: [{ firstBlockIndex: spec.startBlockIndex, blockCount: 2 }], more: true, nextStartBlockIndex: spec.startBlockIndex + 10 };
  }
}

async function served(t: ExecutionContext): Promise<{ vdisks: FakeVDisks; address: string }> {
  const node = new FakeNode(await SharedModel.open(t));
  const vdisks = new FakeVDisks();
  const { address } = await serve(t, node, { vdisks: { node: vdisks, limits: { requestBytesMax, vdiskBytesMax: 1 << 30 } }, requestBytesMax });
  return { vdisks, address };
}

async function expectCode(t: ExecutionContext, call: Promise<unknown>, code: string, message?: RegExp): Promise<void> {
  const error = await t.throwsAsync(call);
  t.true(isVstorError(error, code as never), `expected ${code}, got ${String(error)}`);
  if (message !== undefined) t.regex(error!.message, message);
}

test('answers come back in the daemon\'s types, and requests reach it as the client sent them', async (t) => {
  const { vdisks, address } = await served(t);
  const client = connect(t, [address]);
  t.deepEqual(await client.vdisks.get('disk'), sample);
  t.deepEqual(await client.vdisks.list({ serializable: true }), [sample]);
  t.deepEqual(await client.vdisks.listSnapshots('disk'), sample.snapshots);
  const created = await client.vdisks.create('new-disk', 4 * MiB, { node: 'n3' });
  t.like(created, { name: 'new-disk', sizeBytes: 4 * MiB });
  t.deepEqual(vdisks.calls.at(-1)!.args, [{ name: 'new-disk', sizeBytes: 4 * MiB, node: 'n3' }, { clientId: client.clientId, sequence: 1 }]);
  await client.vdisks.create('placed', 4 * MiB);
  t.deepEqual(vdisks.calls.at(-1)!.args[0], { name: 'placed', sizeBytes: 4 * MiB }, 'no node: the leader places it');

  t.deepEqual(await client.vdisks.read('disk', 10, 100, { snapshot: 's1' }), new Uint8Array(100).fill(7));
  t.deepEqual(vdisks.calls.at(-1)!.args, [{ name: 'disk', snapshot: 's1', offsetBytes: 10, lengthBytes: 100 }]);
  await client.vdisks.write('disk', 4096, new Uint8Array(requestBytesMax), { fua: true });
  t.deepEqual(vdisks.calls.at(-1)!.args, [{ name: 'disk', offsetBytes: 4096, data: requestBytesMax, fua: true }], 'a write of requestBytesMax fits');
  await client.vdisks.trim('disk', 0, 1 << 30);
  await client.vdisks.writeZeroes('disk', 512, 1024, { fua: true });
  t.deepEqual(vdisks.calls.slice(-2).map((call) => [call.method, call.args[0]]), [
    ['trim', { name: 'disk', offsetBytes: 0, lengthBytes: 1 << 30, fua: false }],
    ['writeZeroes', { name: 'disk', offsetBytes: 512, lengthBytes: 1024, fua: true }],
  ]);
  t.deepEqual(await client.vdisks.allocationMap('disk', 0, 3 * 4096), [{ offsetBytes: 0, lengthBytes: 4096, kind: 'data' }, { offsetBytes: 4096, lengthBytes: 8192, kind: 'hole' }]);
  t.deepEqual(await client.vdisks.diff('disk', { from: 's1', startBlockIndex: 5 }), { blockBytes: 4096, ranges: [{ firstBlockIndex: 5, blockCount: 2 }], more: true, nextStartBlockIndex: 15 });
  t.deepEqual(vdisks.calls.at(-1)!.args[0], { name: 'disk', fromSnapshot: 's1', startBlockIndex: 5, rangesMax: 4096 });
  t.like(await client.vdisks.createSnapshot('disk', 's2'), { snapshot: { name: 's2', epoch: 2 } });
  await client.vdisks.clone('disk', 's1', 'vm-2');
  await client.vdisks.resize('disk', 16 * MiB);
  await client.vdisks.flatten('vm-2');
  await client.vdisks.deleteSnapshot('disk', 's2');
  await client.vdisks.rollback('disk', 's1');
  await client.vdisks.flush('disk');
  await client.vdisks.delete('vm-2');
  // Every metadata change carried the client's id and the next sequence.
  const sequences = vdisks.calls.flatMap((call) => call.args.filter((arg): arg is ChangeIdentity => typeof arg === 'object' && arg !== null && 'sequence' in arg).map((identity) => identity.sequence));
  t.deepEqual(sequences, [1, 2, 3, 4, 5, 6, 7, 8]);
  t.true(vdisks.calls.every((call) => call.context.forwardedBy === undefined));
  t.true(vdisks.calls.filter((call) => call.method === 'read').every((call) => (call.context.deadlineMs ?? 0) > Date.now()), 'the client\'s deadline reaches the daemon');
});

test('bad input is INVALID_ARGUMENT naming the field, and never reaches the daemon', async (t) => {
  const { vdisks, address } = await served(t);
  const client = connect(t, [address]);
  const raw = rawClient(t, VDisksClient, address);
  const cases: Array<[() => Promise<unknown>, RegExp]> = [
    [() => client.vdisks.create('a@b', MiB), /^CreateVDisk: name: "a@b" contains "@"/],
    [() => client.vdisks.create('.a', MiB), /name: "\.a" must be letters/],
    [() => client.vdisks.create('ok', 1000), /size_bytes: must be at least 4096/],
    [() => client.vdisks.create('ok', 5000), /size_bytes: must be a multiple of 512/],
    [() => client.vdisks.create('ok', 2 * 1024 * MiB), /size_bytes: .*exceeds vdiskBytesMax/],
    [() => client.vdisks.create('ok', MiB, { node: 'bad node' }), /node:/],
    [() => client.vdisks.read('disk', 0, requestBytesMax + 1), /length_bytes: 65537 bytes exceeds requestBytesMax/],
    [() => client.vdisks.read('disk', 0, 1, { snapshot: '-s' }), /snapshot:/],
    [() => client.vdisks.trim('disk', 0, (1 << 30) + 1), /length_bytes: .*exceeds the range limit/],
    [() => client.vdisks.allocationMap('disk', 0, (1 << 30) + 512), /length_bytes/],
    [() => client.vdisks.clone('disk', 's1', 'x'.repeat(65)), /clone_name: must be at most 64/],
    [() => client.vdisks.diff('disk', { rangesMax: 65_537 }), /ranges_max: 65537 exceeds 65536/],
    [() => client.vdisks.diff('disk', { to: 'a b' }), /to_snapshot/],
    [() => client.vdisks.createSnapshot('disk', ''), /snapshot: must be set/],
    [() => unary((callback) => raw.ResizeVDisk({ name: 'disk', sizeBytes: MiB, clientId: 'c', sequence: 0 }, { deadline: deadline() }, callback)).catch((error: unknown) => { throw fromServiceError(error); }), /sequence: must be an integer from 1/],
  ];
  for (const [call, message] of cases) await expectCode(t, call(), 'INVALID_ARGUMENT', message);
  await expectCode(t, client.vdisks.write('disk', -1, new Uint8Array(1)), 'INVALID_ARGUMENT', /offsetBytes/);
  t.deepEqual(vdisks.calls, []);
  // Over the transport's allowance for VDisks (requestBytesMax and its overhead): refused whole.
  await expectCode(t, client.vdisks.write('disk', 0, new Uint8Array(requestBytesMax + 8192)), 'RESOURCE_EXHAUSTED');
  t.deepEqual(vdisks.calls, []);
});

test('the daemon\'s errors keep their codes; a write is sent again only when the server says nothing was touched', async (t) => {
  const { vdisks, address } = await served(t);
  const client = connect(t, [address]);
  vdisks.fail = (method, attempt) => {
    if (method === 'getVDisk') throw new VstorError('NOT_FOUND', 'vdisk nope does not exist');
    if (method === 'resizeVDisk') throw new VstorError('FAILED_PRECONDITION', 'shrinking is refused');
    if (method === 'read' && attempt === 1) throw new VstorError('UNAVAILABLE', 'owner busy', { retryable: false });
    if (method === 'write' && attempt === 1) throw new VstorError('UNAVAILABLE', 'owner not connected; nothing was sent', { retryable: true });
    if (method === 'write' && attempt === 3) throw new VstorError('UNAVAILABLE', 'the owner may have applied it', { retryable: false });
    if (method === 'trim') throw new VstorError('OUT_OF_RANGE', 'past the end');
  };
  await expectCode(t, client.vdisks.get('nope'), 'NOT_FOUND', /nope does not exist/);
  await expectCode(t, client.vdisks.resize('disk', MiB), 'FAILED_PRECONDITION');
  await expectCode(t, client.vdisks.trim('disk', 0, 4096), 'OUT_OF_RANGE');
  // A read is repeated whatever the server says of it: reading twice is harmless.
  t.is((await client.vdisks.read('disk', 0, 4)).length, 4);
  t.is(vdisks.calls.filter((call) => call.method === 'read').length, 2);
  // The first write failed before touching anything: sent again. The second may have been
  // applied: not sent again, the caller hears of it.
  await client.vdisks.write('disk', 0, new Uint8Array(4));
  t.is(vdisks.calls.filter((call) => call.method === 'write').length, 2);
  const unknown = await t.throwsAsync(client.vdisks.write('disk', 0, new Uint8Array(4)));
  t.true(isVstorError(unknown, 'UNAVAILABLE'));
  t.regex(unknown!.message, /may have applied/);
  t.is(vdisks.calls.filter((call) => call.method === 'write').length, 3);
});

test('a write goes to the next endpoint when the first never connects', async (t) => {
  const { vdisks, address } = await served(t);
  const dead = `127.0.0.1:${await freePort()}`;
  const client = connect(t, [dead, address]);
  await client.vdisks.write('disk', 0, new Uint8Array(8));
  t.is(vdisks.calls.length, 1);
  t.is(client.currentEndpoint, address);
});

test('a delete whose answer was lost is success when its retry finds the vdisk gone', async (t) => {
  const { vdisks, address } = await served(t);
  const client = connect(t, [address], { attemptTimeoutMs: 300 });
  vdisks.fail = (method, attempt) => {
    // The first attempt deletes and its answer never comes; the retry finds nothing.
    if (method === 'deleteVDisk' && attempt === 1) return new Promise<never>(() => {});
    if (method === 'deleteVDisk') throw new VstorError('NOT_FOUND', 'vdisk gone does not exist');
    return undefined;
  };
  await client.vdisks.delete('gone');
  // Two calls at least: on a loaded machine a retry may itself outlast the 300 ms attempt.
  t.true(vdisks.calls.length >= 2, `${vdisks.calls.length} calls`);
  t.true(vdisks.calls.every((call) => call.method === 'deleteVDisk'));
  // Without an uncertain attempt before it, NOT_FOUND is an answer.
  await expectCode(t, client.vdisks.delete('gone'), 'NOT_FOUND');
});

test('a forwarded call says who forwarded it; an unreachable peer is retryable with nothing sent', async (t) => {
  const { vdisks, address } = await served(t);
  const peers = new VDiskPeers({ memberName: 'n2', requestBytesMax, forwardTimeoutMs: 2_000 });
  t.teardown(() => peers.close());
  const owner = member(1, address);
  await peers.write(owner, { name: 'disk', offsetBytes: 0, data: new Uint8Array(16), fua: false }, {});
  t.deepEqual(await peers.read(owner, { name: 'disk', offsetBytes: 0, lengthBytes: 3 }, {}), new Uint8Array(3).fill(7));
  t.deepEqual((await peers.diff(owner, { name: 'disk', startBlockIndex: 2, rangesMax: 5 }, {})).ranges, [{ firstBlockIndex: 2, blockCount: 2 }]);
  t.deepEqual(vdisks.calls.map((call) => call.context.forwardedBy), ['n2', 'n2', 'n2']);

  // The owner's own refusal comes back as it was.
  vdisks.fail = (method) => {
    if (method === 'write') throw new VstorError('OUT_OF_RANGE', 'past the end of vdisk disk');
  };
  await expectCode(t, peers.write(owner, { name: 'disk', offsetBytes: 0, data: new Uint8Array(16), fua: false }, {}), 'OUT_OF_RANGE', /^past the end/);

  const gone = member(5, `127.0.0.1:${await freePort()}`);
  const unsent = await t.throwsAsync(peers.write(gone, { name: 'disk', offsetBytes: 0, data: new Uint8Array(16), fua: false }, { deadlineMs: Date.now() + 500 }));
  t.true(isVstorError(unsent, 'UNAVAILABLE'));
  t.true((unsent as VstorError).retryable);
  t.regex(unsent!.message, /nothing was sent/);
  await expectCode(t, peers.read(gone, { name: 'disk', offsetBytes: 0, lengthBytes: 3 }, { deadlineMs: Date.now() + 500 }), 'UNAVAILABLE', /forwarding to n5/);
});

/**
 * VDisks alone on a server of the test's own, with what reaches its Session handler
 * recorded; `withSession: false` leaves Session out, as an older server would.
 */
/** A raw VDisks Session stream. */
function openVDiskSession(t: ExecutionContext, address: string) {
  return sessionOf<VDiskSessionRequest, VDiskSessionResponse__Output>(t, rawClient(t, VDisksClient, address).Session({ deadline: Date.now() + 4 * waitMs }));
}

async function servedWithSpy(t: ExecutionContext, options: { withSession: boolean; requestBytesMax?: number }) {
  const node = new FakeNode(await SharedModel.open(t));
  const vdisks = new FakeVDisks();
  const limit = options.requestBytesMax ?? requestBytesMax;
  const service = new VDiskService({ node, vdisks, limits: { requestBytesMax: limit, vdiskBytesMax: 1 << 30 }, clientIdBytesMax: 128 });
  const sessionCalls: string[] = [];
  const { Session: sessionDefinition, ...unaryDefinition } = limitRequestBytes(vdisksService, limit + 4096);
  const { Session: sessionHandler, ...unaryHandlers } = service.handlers;
  const server = new grpc.Server({ 'grpc.max_receive_message_length': 4 << 20 });
  if (options.withSession) {
    server.addService({ ...unaryDefinition, Session: sessionDefinition }, {
      ...unaryHandlers,
      Session: (call: Parameters<typeof sessionHandler>[0]) => {
        call.on('data', (request: VDiskSessionRequest__Output) => sessionCalls.push(request.call ?? '(none)'));
        sessionHandler(call);
      },
    });
  } else {
    server.addService(unaryDefinition, unaryHandlers);
  }
  const port = await bounded(new Promise<number>((resolve, reject) => {
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) => (error === null ? resolve(bound) : reject(error)));
  }), 'listen');
  t.teardown(() => {
    service.close();
    server.forceShutdown();
  });
  return { vdisks, sessionCalls, address: `127.0.0.1:${port}` };
}

test('the client carries its small vDisk calls on one VDisks session; large reads and writes go as unary calls', async (t) => {
  const { vdisks, sessionCalls, address } = await servedWithSpy(t, { withSession: true, requestBytesMax: 256 * 1024 });
  const client = connect(t, [address]);
  t.deepEqual(await client.vdisks.get('disk'), sample);
  await client.vdisks.write('disk', 0, new Uint8Array(64 * 1024).fill(1));
  t.deepEqual(await client.vdisks.read('disk', 0, 4096), new Uint8Array(4096).fill(7));
  await client.vdisks.trim('disk', 0, 8192);
  await client.vdisks.writeZeroes('disk', 0, 512);
  await client.vdisks.flush('disk');
  t.like(await client.vdisks.createSnapshot('disk', 's2'), { snapshot: { name: 's2' } });
  t.deepEqual(await client.vdisks.listSnapshots('disk'), sample.snapshots);
  await client.vdisks.deleteSnapshot('disk', 's2');
  // Larger than a session carries: a write of more than 64 KiB, a read asking for more.
  await client.vdisks.write('disk', 0, new Uint8Array(64 * 1024 + 1));
  t.is((await client.vdisks.read('disk', 0, 64 * 1024 + 512)).length, 64 * 1024 + 512);
  await client.vdisks.resize('disk', 16 * MiB);

  t.deepEqual(sessionCalls, ['getVdisk', 'write', 'read', 'trim', 'writeZeroes', 'flush', 'createSnapshot', 'listSnapshots', 'deleteSnapshot']);
  t.deepEqual(vdisks.calls.map((call) => call.method), [
    'getVDisk', 'write', 'read', 'trim', 'writeZeroes', 'flush', 'createSnapshot', 'getVDisk', 'deleteSnapshot', 'write', 'read', 'resizeVDisk',
  ], 'every call reached the daemon once, whichever way it went');
  // A session call carries the client's deadline as a unary call does; the client pins no id.
  for (const call of vdisks.calls.filter((recorded) => ['write', 'read', 'createSnapshot'].includes(recorded.method))) {
    t.true((call.context.deadlineMs ?? 0) > Date.now() && call.context.deadlineMs! <= Date.now() + waitMs, `${call.method}: deadline ${call.context.deadlineMs}`);
    t.is(call.context.vdiskId, undefined);
  }
  t.deepEqual(vdisks.calls.filter((call) => call.method === 'createSnapshot').map((call) => call.args.at(-1)), [{ clientId: client.clientId, sequence: 1 }]);
});

test('a server without VDisks.Session gets unary calls', async (t) => {
  const { vdisks, address } = await servedWithSpy(t, { withSession: false });
  const client = connect(t, [address]);
  t.deepEqual(await client.vdisks.get('disk'), sample);
  await client.vdisks.write('disk', 4096, new Uint8Array(512));
  t.like(await client.vdisks.createSnapshot('disk', 's2'), { snapshot: { name: 's2' } });
  t.deepEqual(vdisks.calls.map((call) => call.method), ['getVDisk', 'write', 'createSnapshot'], 'each call served once');
});

test('on a raw VDisks session a call carries its pinned id and timeout; a bad call fails alone; a request with no call ends the stream', async (t) => {
  const { vdisks, sessionCalls, address } = await servedWithSpy(t, { withSession: true });
  const session = openVDiskSession(t, address);

  const sentAt = Date.now();
  session.send({ callId: 1, call: 'read', read: { name: 'disk', offsetBytes: 0, lengthBytes: 8 }, vdiskId: 7, timeoutMs: 3000 });
  session.send({ callId: 2, call: 'createSnapshot', createSnapshot: { name: 'disk', snapshot: '' } });
  session.send({ callId: 3, call: 'flush', flush: { name: 'disk' } });
  await eventually(() => session.answers.length === 3, 'three answers');
  const byId = new Map(session.answers.map((answer) => [answer.callId, answer]));
  t.is(byId.get(1)!.result, 'read');
  t.deepEqual(byId.get(1)!.read?.data, Buffer.alloc(8, 7));
  t.is(byId.get(2)!.result, 'error');
  t.like(byId.get(2)!.error, { grpcCode: grpc.status.INVALID_ARGUMENT, vstorCode: 'INVALID_ARGUMENT', retryable: false });
  t.regex(byId.get(2)!.error!.message, /snapshot: must be set/);
  t.is(byId.get(3)!.result, 'flush', 'the session went on after the bad call');
  const [read, flush] = vdisks.calls;
  t.is(read!.context.vdiskId, 7);
  t.true(read!.context.deadlineMs! >= sentAt + 3000 && read!.context.deadlineMs! <= Date.now() + 3000, 'timeout_ms became the deadline');
  t.deepEqual(flush!.context, {}, 'no id, no timeout: neither is set');

  // Context a unary call could not carry either: a pinned id or a timeout past 2^53.
  session.send({ callId: 5, call: 'flush', flush: { name: 'disk' }, vdiskId: 2 ** 60 });
  session.send({ callId: 6, call: 'flush', flush: { name: 'disk' }, timeoutMs: 2 ** 60 });
  t.like((await session.answer(5)).error, { vstorCode: 'INVALID_ARGUMENT', retryable: false });
  t.regex((await session.answer(5)).error!.message, /^vdisk_id: must be a vdisk id/);
  t.regex((await session.answer(6)).error!.message, /^timeout_ms: must be a non-negative integer below 2\^53/);
  t.is(vdisks.calls.length, 2, 'neither reached the daemon');

  session.send({ callId: 4 });
  const ended = await session.status();
  t.is(ended.code, grpc.status.INVALID_ARGUMENT);
  t.is(ended.details, 'call: call 4 names none of get_vdisk, read, write, trim, write_zeroes, flush, create_snapshot, list_snapshots, delete_snapshot');
  t.deepEqual(sessionCalls, ['read', 'createSnapshot', 'flush', 'flush', 'flush', '(none)']);
});

test('closing the server refuses new calls on a VDisks session, answers those in flight, then ends it with UNAVAILABLE', async (t) => {
  const node = new FakeNode(await SharedModel.open(t));
  const vdisks = new FakeVDisks();
  const served = await serve(t, node, { vdisks: { node: vdisks, limits: { requestBytesMax, vdiskBytesMax: 1 << 30 } }, requestBytesMax, shutdownGraceMs: waitMs });
  let release!: () => void;
  const held = new Promise<void>((resolve) => {
    release = resolve;
  });
  vdisks.fail = async (method) => {
    if (method === 'flush') await held;
  };
  const session = openVDiskSession(t, served.address);
  session.send({ callId: 1, call: 'flush', flush: { name: 'disk' } });
  await eventually(() => vdisks.calls.length === 1, 'the flush to reach the daemon');

  const closed = served.server.close();
  session.send({ callId: 2, call: 'getVdisk', getVdisk: { name: 'disk' } });
  t.like((await session.answer(2)).error, { vstorCode: 'UNAVAILABLE', retryable: true });
  release();
  t.is((await session.answer(1)).result, 'flush', 'the call in flight was answered');
  t.is((await session.status()).code, grpc.status.UNAVAILABLE);
  await bounded(closed, 'server close');
  t.deepEqual(vdisks.calls.map((call) => call.method), ['flush'], 'the refused call never reached the daemon');
});
