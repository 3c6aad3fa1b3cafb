// vstor.v1.VDisks over the daemon's VDiskNode: each handler checks its request at the edge
// (rpc/vdisk-checks.ts), asks the daemon, and answers in the wire's shapes. Where a call
// runs (this member, the vDisk's owner, the leader) is the daemon's decision; the service
// only tells it whether the call was forwarded here by another member and when the client
// stops waiting. Session carries the frequent small calls of one client over one stream
// (rpc/session-stream.ts), served by the same work functions as their unary calls.
import type { ServerUnaryCall } from '@grpc/grpc-js';
import type { CreateSnapshotRequest__Output } from '../proto/gen/vstor/v1/CreateSnapshotRequest.ts';
import type { CreateSnapshotResponse } from '../proto/gen/vstor/v1/CreateSnapshotResponse.ts';
import type { DeleteSnapshotRequest__Output } from '../proto/gen/vstor/v1/DeleteSnapshotRequest.ts';
import type { DeleteSnapshotResponse } from '../proto/gen/vstor/v1/DeleteSnapshotResponse.ts';
import type { GetVDiskRequest__Output } from '../proto/gen/vstor/v1/GetVDiskRequest.ts';
import type { GetVDiskResponse } from '../proto/gen/vstor/v1/GetVDiskResponse.ts';
import type { ListSnapshotsRequest__Output } from '../proto/gen/vstor/v1/ListSnapshotsRequest.ts';
import type { ListSnapshotsResponse } from '../proto/gen/vstor/v1/ListSnapshotsResponse.ts';
import type { VDiskFlushRequest__Output } from '../proto/gen/vstor/v1/VDiskFlushRequest.ts';
import type { VDiskFlushResponse } from '../proto/gen/vstor/v1/VDiskFlushResponse.ts';
import type { VDiskRangeRequest__Output } from '../proto/gen/vstor/v1/VDiskRangeRequest.ts';
import type { VDiskRangeResponse } from '../proto/gen/vstor/v1/VDiskRangeResponse.ts';
import type { VDiskReadRequest__Output } from '../proto/gen/vstor/v1/VDiskReadRequest.ts';
import type { VDiskReadResponse } from '../proto/gen/vstor/v1/VDiskReadResponse.ts';
import type { VDisksHandlers } from '../proto/gen/vstor/v1/VDisks.ts';
import type { VDiskSessionRequest__Output } from '../proto/gen/vstor/v1/VDiskSessionRequest.ts';
import type { VDiskSessionResponse } from '../proto/gen/vstor/v1/VDiskSessionResponse.ts';
import type { VDiskWriteRequest__Output } from '../proto/gen/vstor/v1/VDiskWriteRequest.ts';
import type { VDiskWriteResponse } from '../proto/gen/vstor/v1/VDiskWriteResponse.ts';
import type { ResponseHeader } from '../proto/gen/vstor/v1/ResponseHeader.ts';
import { assert } from '../consensus/index.ts';
import { forwardedBy } from './cluster-relay.ts';
import { VstorError } from './errors.ts';
import { serveUnary } from './handler.ts';
import type { ClusterNode } from './node-api.ts';
import { raftTermOf } from './node-api.ts';
import type { RpcObserver } from './observer.ts';
import { SESSION_CALLS_MAX_DEFAULT, SessionStreams } from './session-stream.ts';
import type { ChangeIdentity, VDiskCallContext, VDiskLimits, VDiskNode } from './vdisk-api.ts';
import {
  checkByteRange,
  checkName,
  checkOptionalName,
  checkSize,
  DIFF_RANGES_DEFAULT,
  DIFF_RANGES_MAX,
  VDISK_RANGE_BYTES_MAX,
} from './vdisk-checks.ts';
import { VDISK_ID_KEY } from './vdisk-peers.ts';
import { blockRangeToWire, extentToWire, snapshotToWire, VDISK_SESSION_UNARY_METHODS, vdiskToWire } from './vdisk-wire.ts';
import { BLOCK_BYTES } from '../storage-engine/vdisk/keys.ts';

export interface VDiskServiceOptions {
  /** For the response headers (cluster, member, revision, term). */
  node: ClusterNode;
  vdisks: VDiskNode;
  limits: VDiskLimits;
  /** clientIdBytesMax of the model, which client ids of metadata changes also respect. */
  clientIdBytesMax: number;
  observer?: RpcObserver;
  /** The most calls of one Session stream in flight at once. Default 1024, as for KV. */
  sessionCallsMax?: number;
}

const servicePrefix = 'vstor.v1.VDisks/';
/** VDiskSessionRequest's field number of each call kind (vdisk.proto). */
type SessionKind = keyof typeof VDISK_SESSION_UNARY_METHODS;
const sessionKindsByField = {
  2: 'getVdisk', 3: 'read', 4: 'write', 5: 'trim', 6: 'writeZeroes', 7: 'flush', 8: 'createSnapshot', 9: 'listSnapshots', 10: 'deleteSnapshot',
} as const satisfies Record<number, SessionKind>;
/** A call on a session is counted under its unary method's name. */
const sessionMethodNames = Object.fromEntries(Object.entries(VDISK_SESSION_UNARY_METHODS).map(([kind, method]) => [kind, `${servicePrefix}${method}`])) as Record<SessionKind, string>;
/** A uint32 on the wire: the largest block count a page may ask for is far below it. */
const UINT32_MAX = 0xffffffff;

function invalid(field: string, problem: string): VstorError {
  return new VstorError('INVALID_ARGUMENT', `${field}: ${problem}`);
}

/** The call's origin, deadline and the vDisk id it is pinned to, for the daemon. */
function contextOf(call: ServerUnaryCall<unknown, unknown>): VDiskCallContext {
  const context: VDiskCallContext = {};
  const from = forwardedBy(call);
  if (from !== undefined) context.forwardedBy = from;
  const pinned = call.metadata.get(VDISK_ID_KEY)[0];
  if (pinned !== undefined) {
    const id = typeof pinned === 'string' && /^[1-9][0-9]{0,15}$/.test(pinned) ? Number(pinned) : Number.NaN;
    if (!Number.isSafeInteger(id)) throw invalid(VDISK_ID_KEY, `must be a vdisk id (a positive integer), got ${JSON.stringify(String(pinned))}`);
    context.vdiskId = id;
  }
  const deadline = call.getDeadline();
  const deadlineMs = deadline instanceof Date ? deadline.getTime() : deadline;
  if (Number.isFinite(deadlineMs) && deadlineMs > 0) context.deadlineMs = deadlineMs;
  return context;
}

/** A session call's context: what a unary call's metadata and deadline carry, from its
 * own fields. A session comes from a client, never from another member. */
function sessionContextOf(request: VDiskSessionRequest__Output): VDiskCallContext {
  const context: VDiskCallContext = {};
  const { vdiskId, timeoutMs } = request;
  if (vdiskId !== 0) {
    if (!Number.isSafeInteger(vdiskId) || vdiskId < 0) throw invalid('vdisk_id', `must be a vdisk id (a positive integer), got ${String(vdiskId)}`);
    context.vdiskId = vdiskId;
  }
  if (timeoutMs !== 0) {
    if (!Number.isSafeInteger(timeoutMs) || timeoutMs < 0) throw invalid('timeout_ms', `must be a non-negative integer below 2^53, got ${String(timeoutMs)}`);
    context.deadlineMs = Date.now() + timeoutMs;
  }
  return context;
}

function identityOf(clientId: unknown, sequence: unknown, clientIdBytesMax: number): ChangeIdentity | undefined {
  if (clientId === undefined || clientId === '') return undefined;
  if (typeof clientId !== 'string') throw invalid('client_id', 'must be a string');
  const bytes = Buffer.byteLength(clientId, 'utf8');
  if (bytes > clientIdBytesMax) throw invalid('client_id', `${bytes} bytes exceeds clientIdBytesMax (${clientIdBytesMax})`);
  if (typeof sequence !== 'number' || !Number.isSafeInteger(sequence) || sequence < 1) {
    throw invalid('sequence', `must be an integer from 1 to 2^53-1 when client_id is set, got ${String(sequence)}`);
  }
  return { clientId, sequence };
}

function startBlockIndexOf(value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) throw invalid('start_block_index', `must be a non-negative integer below 2^53, got ${String(value)}`);
  return value;
}

function rangesMaxOf(value: unknown): number {
  if (value === 0 || value === undefined) return DIFF_RANGES_DEFAULT;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0 || value > UINT32_MAX) throw invalid('ranges_max', `must be an integer, got ${String(value)}`);
  if (value > DIFF_RANGES_MAX) throw invalid('ranges_max', `${value} exceeds ${DIFF_RANGES_MAX}`);
  return value;
}

export class VDiskService {
  readonly handlers: VDisksHandlers;
  private readonly sessions: SessionStreams<VDiskSessionRequest__Output, SessionKind, VDiskSessionResponse>;

  constructor(options: VDiskServiceOptions) {
    const { node, vdisks, limits, observer, clientIdBytesMax } = options;
    const sessionCallsMax = options.sessionCallsMax ?? SESSION_CALLS_MAX_DEFAULT;
    assert(Number.isSafeInteger(sessionCallsMax) && sessionCallsMax > 0, 'sessionCallsMax must be a positive integer');
    for (const [name, value] of Object.entries(limits)) assert(Number.isSafeInteger(value) && value > 0, () => `${name} must be a positive integer, got ${value}`);
    const header = (): ResponseHeader => ({ clusterId: node.clusterId, memberId: node.raftId, revision: node.modelRevision?.() ?? 0, raftTerm: raftTermOf(node) });
    const identity = (wire: { clientId?: string; sequence?: number }): ChangeIdentity | undefined => identityOf(wire.clientId, wire.sequence, clientIdBytesMax);
    const ioRange = (wire: { offsetBytes: number; lengthBytes: number }) => checkByteRange(wire.offsetBytes, wire.lengthBytes, limits.requestBytesMax, 'requestBytesMax');
    const blockRange = (wire: { offsetBytes: number; lengthBytes: number }) => checkByteRange(wire.offsetBytes, wire.lengthBytes, VDISK_RANGE_BYTES_MAX, 'the range limit');
    const serve = <Request, Response>(method: string, work: (request: Request, call: ServerUnaryCall<Request, Response>) => Promise<Response>) =>
      serveUnary<Request, Response>(`${servicePrefix}${method}`, observer, work);

    // What each call that a Session also carries does, whichever framing carried it; the
    // call's context (origin, deadline, pinned id) is only read where the call needs it.
    type Context = () => VDiskCallContext;
    const work = {
      getVdisk: async (wire: GetVDiskRequest__Output, _context: Context): Promise<GetVDiskResponse> => {
        const vdisk = await vdisks.getVDisk(checkName('name', wire.name), { serializable: wire.serializable === true });
        return { header: header(), vdisk: vdiskToWire(vdisk) };
      },
      read: async (wire: VDiskReadRequest__Output, context: Context): Promise<VDiskReadResponse> => {
        const name = checkName('name', wire.name);
        const snapshot = checkOptionalName('snapshot', wire.snapshot);
        const range = ioRange(wire);
        const data = await vdisks.read({ name, ...(snapshot === undefined ? {} : { snapshot }), ...range }, context());
        return { header: header(), data };
      },
      write: async (wire: VDiskWriteRequest__Output, context: Context): Promise<VDiskWriteResponse> => {
        const name = checkName('name', wire.name);
        const data = wire.data;
        const range = checkByteRange(wire.offsetBytes, data.length, limits.requestBytesMax, 'requestBytesMax');
        await vdisks.write({ name, offsetBytes: range.offsetBytes, data, fua: wire.fua === true }, context());
        return { header: header() };
      },
      trim: async (wire: VDiskRangeRequest__Output, context: Context): Promise<VDiskRangeResponse> => {
        const name = checkName('name', wire.name);
        await vdisks.trim({ name, ...blockRange(wire), fua: wire.fua === true }, context());
        return { header: header() };
      },
      writeZeroes: async (wire: VDiskRangeRequest__Output, context: Context): Promise<VDiskRangeResponse> => {
        const name = checkName('name', wire.name);
        await vdisks.writeZeroes({ name, ...blockRange(wire), fua: wire.fua === true }, context());
        return { header: header() };
      },
      flush: async (wire: VDiskFlushRequest__Output, context: Context): Promise<VDiskFlushResponse> => {
        await vdisks.flush(checkName('name', wire.name), context());
        return { header: header() };
      },
      createSnapshot: async (wire: CreateSnapshotRequest__Output, context: Context): Promise<CreateSnapshotResponse> => {
        const name = checkName('name', wire.name);
        const snapshotName = checkName('snapshot', wire.snapshot);
        const created = await vdisks.createSnapshot(name, snapshotName, identity(wire), context());
        return { header: header(), vdisk: vdiskToWire(created.vdisk), snapshot: snapshotToWire(created.snapshot) };
      },
      listSnapshots: async (wire: ListSnapshotsRequest__Output, _context: Context): Promise<ListSnapshotsResponse> => {
        const vdisk = await vdisks.getVDisk(checkName('name', wire.name), { serializable: wire.serializable === true });
        return { header: header(), snapshots: vdisk.snapshots.map(snapshotToWire) };
      },
      deleteSnapshot: async (wire: DeleteSnapshotRequest__Output, context: Context): Promise<DeleteSnapshotResponse> => {
        const name = checkName('name', wire.name);
        const snapshotName = checkName('snapshot', wire.snapshot);
        return { header: header(), vdisk: vdiskToWire(await vdisks.deleteSnapshot(name, snapshotName, identity(wire), context())) };
      },
    } satisfies Record<SessionKind, (wire: never, context: Context) => Promise<unknown>>;
    this.sessions = new SessionStreams<VDiskSessionRequest__Output, SessionKind, VDiskSessionResponse>({
      kindsByField: sessionKindsByField,
      // The oneof's member is present whenever `call` names it (proto-loader, oneofs: true);
      // a missing one is an empty message of that kind, which the edge checks refuse.
      serve: (kind, request) => (work[kind] as (wire: object, context: Context) => Promise<unknown>)(request[kind] ?? {}, () => sessionContextOf(request)),
      callsMax: sessionCallsMax,
      observer,
      methodNames: sessionMethodNames,
      sessionMethodName: `${servicePrefix}Session`,
    });

    this.handlers = {
      CreateVDisk: serve('CreateVDisk', async (wire, call) => {
        const name = checkName('name', wire.name);
        const sizeBytes = checkSize('size_bytes', wire.sizeBytes, limits.vdiskBytesMax);
        const nodeName = wire.node === '' ? undefined : checkName('node', wire.node);
        const vdisk = await vdisks.createVDisk({ name, sizeBytes, ...(nodeName === undefined ? {} : { node: nodeName }) }, identity(wire), contextOf(call));
        return { header: header(), vdisk: vdiskToWire(vdisk) };
      }),
      ListVDisks: serve('ListVDisks', async (wire) => {
        const listed = await vdisks.listVDisks({ serializable: wire.serializable === true });
        return { header: header(), vdisks: listed.map(vdiskToWire) };
      }),
      GetVDisk: serve('GetVDisk', (wire, call) => work.getVdisk(wire, () => contextOf(call))),
      DeleteVDisk: serve('DeleteVDisk', async (wire, call) => {
        await vdisks.deleteVDisk(checkName('name', wire.name), identity(wire), contextOf(call));
        return { header: header() };
      }),
      ResizeVDisk: serve('ResizeVDisk', async (wire, call) => {
        const name = checkName('name', wire.name);
        const sizeBytes = checkSize('size_bytes', wire.sizeBytes, limits.vdiskBytesMax);
        return { header: header(), vdisk: vdiskToWire(await vdisks.resizeVDisk(name, sizeBytes, identity(wire), contextOf(call))) };
      }),

      Read: serve('Read', (wire, call) => work.read(wire, () => contextOf(call))),
      Write: serve('Write', (wire, call) => work.write(wire, () => contextOf(call))),
      Trim: serve('Trim', (wire, call) => work.trim(wire, () => contextOf(call))),
      WriteZeroes: serve('WriteZeroes', (wire, call) => work.writeZeroes(wire, () => contextOf(call))),
      Flush: serve('Flush', (wire, call) => work.flush(wire, () => contextOf(call))),
      AllocationMap: serve('AllocationMap', async (wire, call) => {
        const name = checkName('name', wire.name);
        const snapshot = checkOptionalName('snapshot', wire.snapshot);
        const extents = await vdisks.allocationMap({ name, ...(snapshot === undefined ? {} : { snapshot }), ...blockRange(wire) }, contextOf(call));
        return { header: header(), extents: extents.map(extentToWire) };
      }),

      CreateSnapshot: serve('CreateSnapshot', (wire, call) => work.createSnapshot(wire, () => contextOf(call))),
      ListSnapshots: serve('ListSnapshots', (wire, call) => work.listSnapshots(wire, () => contextOf(call))),
      DeleteSnapshot: serve('DeleteSnapshot', (wire, call) => work.deleteSnapshot(wire, () => contextOf(call))),
      Rollback: serve('Rollback', async (wire, call) => {
        const name = checkName('name', wire.name);
        const snapshotName = checkName('snapshot', wire.snapshot);
        return { header: header(), vdisk: vdiskToWire(await vdisks.rollback(name, snapshotName, contextOf(call))) };
      }),
      Clone: serve('Clone', async (wire, call) => {
        const name = checkName('name', wire.name);
        const snapshotName = checkName('snapshot', wire.snapshot);
        const cloneName = checkName('clone_name', wire.cloneName);
        return { header: header(), vdisk: vdiskToWire(await vdisks.clone(name, snapshotName, cloneName, identity(wire), contextOf(call))) };
      }),
      Flatten: serve('Flatten', async (wire, call) => {
        return { header: header(), vdisk: vdiskToWire(await vdisks.flatten(checkName('name', wire.name), identity(wire), contextOf(call))) };
      }),
      Diff: serve('Diff', async (wire, call) => {
        const name = checkName('name', wire.name);
        const fromSnapshot = checkOptionalName('from_snapshot', wire.fromSnapshot);
        const toSnapshot = checkOptionalName('to_snapshot', wire.toSnapshot);
        const page = await vdisks.diff({
          name,
          ...(fromSnapshot === undefined ? {} : { fromSnapshot }),
          ...(toSnapshot === undefined ? {} : { toSnapshot }),
          startBlockIndex: startBlockIndexOf(wire.startBlockIndex),
          rangesMax: rangesMaxOf(wire.rangesMax),
        }, contextOf(call));
        return {
          header: header(),
          blockBytes: BLOCK_BYTES,
          ranges: page.ranges.map(blockRangeToWire),
          more: page.more,
          nextStartBlockIndex: page.nextStartBlockIndex,
        };
      }),
      Session: (call) => this.sessions.serve(call),
    };
  }

  get sessionCount(): number {
    return this.sessions.count;
  }

  /** Ends every session once its calls in flight are answered, and refuses new ones, so
   * that a graceful shutdown is not held up by streams that never end on their own. Unary
   * calls are still served until the server stops. Safe twice. */
  close(): void {
    this.sessions.close();
  }
}
