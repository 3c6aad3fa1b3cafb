// A member's calls to another member's VDisks service: the daemon forwards I/O to a vDisk's
// owner, and a create without a chosen node to the leader, through this. One channel per
// member address (bounded; the oldest is closed first), the call marked with
// `vstor-forwarded-by` so that the receiver never forwards it again (rpc/cluster-relay.ts
// explains why), and bounded by the client's deadline and forwardTimeoutMs.
//
// Calls that change blocks (write, trim, write-zeroes) are sent only once the channel is
// connected, so that a failure to connect can be reported as retryable with the guarantee
// that nothing was sent; a failure after that is reported as not retryable, since the
// owner may have applied the call (see VDiskWriteRequest in vdisk.proto).
import type { CallOptions, ServiceError } from '@grpc/grpc-js';
import { credentials, Metadata } from '@grpc/grpc-js';
import type { CreateVDiskResponse__Output } from '../proto/gen/vstor/v1/CreateVDiskResponse.ts';
import type { VDiskReadResponse__Output } from '../proto/gen/vstor/v1/VDiskReadResponse.ts';
import type { AllocationMapResponse__Output } from '../proto/gen/vstor/v1/AllocationMapResponse.ts';
import type { CreateSnapshotResponse__Output } from '../proto/gen/vstor/v1/CreateSnapshotResponse.ts';
import type { RollbackResponse__Output } from '../proto/gen/vstor/v1/RollbackResponse.ts';
import type { FlattenResponse__Output } from '../proto/gen/vstor/v1/FlattenResponse.ts';
import type { DiffResponse__Output } from '../proto/gen/vstor/v1/DiffResponse.ts';
import { assert } from '../consensus/index.ts';
import { whenConnected } from './channel-ready.ts';
import { FORWARDED_BY_KEY } from './cluster-relay.ts';
import { errorMetadataKeys, fromServiceError, VstorError } from './errors.ts';
import type { MemberInfo } from './node-api.ts';
import { VDisksClient } from './proto.ts';
import type {
  AllocationSpec,
  ChangeIdentity,
  CreateVDiskSpec,
  DiffPage,
  Extent,
  RangeSpec,
  ReadSpec,
  VDiskCallContext,
  VDiskInfo,
  VDiskSnapshotInfo,
  WriteSpec,
  DiffSpec,
} from './vdisk-api.ts';
import { VDISK_REQUEST_OVERHEAD_BYTES } from './vdisk-checks.ts';
import { blockRangeFromWire, extentFromWire, snapshotFromWire, vdiskFromWire } from './vdisk-wire.ts';

export interface VDiskPeersOptions {
  /** This member's name, sent as `vstor-forwarded-by`. */
  memberName: string;
  /** The longest read a forwarded call returns: the receive limit of the channels. */
  requestBytesMax: number;
  /** The longest a forwarded call may take, whatever the client's deadline. */
  forwardTimeoutMs: number;
}

/** The call metadata that carries VDiskCallContext.vdiskId to the owner. */
export const VDISK_ID_KEY = 'vstor-vdisk-id';

/** The most peer channels kept; a cluster has a handful of members. */
const PEER_CLIENTS_MAX = 64;
const PEER_RECONNECT_BACKOFF_MS_MAX = 2000;

type Callback<Response> = (error: ServiceError | null, response?: Response) => void;
type Invoke<Response> = (client: VDisksClient, metadata: Metadata, options: CallOptions, callback: Callback<Response>) => unknown;

function identityFields(identity: ChangeIdentity | undefined): { clientId: string; sequence: number } {
  return identity === undefined ? { clientId: '', sequence: 0 } : { clientId: identity.clientId, sequence: identity.sequence };
}

export class VDiskPeers {
  private readonly clients = new Map<string, VDisksClient>();
  private closed = false;

  constructor(private readonly options: VDiskPeersOptions) {
    assert(Number.isSafeInteger(options.forwardTimeoutMs) && options.forwardTimeoutMs > 0, 'forwardTimeoutMs must be a positive integer');
    assert(Number.isSafeInteger(options.requestBytesMax) && options.requestBytesMax > 0, 'requestBytesMax must be a positive integer');
  }

  async createVDisk(member: MemberInfo, spec: CreateVDiskSpec, identity: ChangeIdentity | undefined, context: VDiskCallContext): Promise<VDiskInfo> {
    const request = { name: spec.name, sizeBytes: spec.sizeBytes, node: spec.node ?? '', ...identityFields(identity) };
    const response = await this.call<CreateVDiskResponse__Output>(member, context, false, (client, metadata, options, callback) => client.CreateVDisk(request, metadata, options, callback));
    return vdiskFromWire(response.vdisk);
  }

  async deleteVDisk(member: MemberInfo, name: string, identity: ChangeIdentity | undefined, context: VDiskCallContext): Promise<void> {
    const request = { name, ...identityFields(identity) };
    await this.call(member, context, false, (client, metadata, options, callback) => client.DeleteVDisk(request, metadata, options, callback));
  }

  async read(member: MemberInfo, spec: ReadSpec, context: VDiskCallContext): Promise<Uint8Array> {
    const request = { name: spec.name, snapshot: spec.snapshot ?? '', offsetBytes: spec.offsetBytes, lengthBytes: spec.lengthBytes };
    const response = await this.call<VDiskReadResponse__Output>(member, context, false, (client, metadata, options, callback) => client.Read(request, metadata, options, callback));
    return new Uint8Array(response.data.buffer, response.data.byteOffset, response.data.byteLength);
  }

  async write(member: MemberInfo, spec: WriteSpec, context: VDiskCallContext): Promise<void> {
    const request = { name: spec.name, offsetBytes: spec.offsetBytes, data: spec.data, fua: spec.fua };
    await this.call(member, context, true, (client, metadata, options, callback) => client.Write(request, metadata, options, callback));
  }

  async trim(member: MemberInfo, spec: RangeSpec, context: VDiskCallContext): Promise<void> {
    await this.call(member, context, true, (client, metadata, options, callback) => client.Trim({ ...spec }, metadata, options, callback));
  }

  async writeZeroes(member: MemberInfo, spec: RangeSpec, context: VDiskCallContext): Promise<void> {
    await this.call(member, context, true, (client, metadata, options, callback) => client.WriteZeroes({ ...spec }, metadata, options, callback));
  }

  async flush(member: MemberInfo, name: string, context: VDiskCallContext): Promise<void> {
    await this.call(member, context, false, (client, metadata, options, callback) => client.Flush({ name }, metadata, options, callback));
  }

  async allocationMap(member: MemberInfo, spec: AllocationSpec, context: VDiskCallContext): Promise<Extent[]> {
    const request = { name: spec.name, snapshot: spec.snapshot ?? '', offsetBytes: spec.offsetBytes, lengthBytes: spec.lengthBytes };
    const response = await this.call<AllocationMapResponse__Output>(member, context, false, (client, metadata, options, callback) => client.AllocationMap(request, metadata, options, callback));
    return response.extents.map(extentFromWire);
  }

  async createSnapshot(member: MemberInfo, name: string, snapshot: string, identity: ChangeIdentity | undefined, context: VDiskCallContext): Promise<{ vdisk: VDiskInfo; snapshot: VDiskSnapshotInfo }> {
    const request = { name, snapshot, ...identityFields(identity) };
    const response = await this.call<CreateSnapshotResponse__Output>(member, context, false, (client, metadata, options, callback) => client.CreateSnapshot(request, metadata, options, callback));
    if (response.snapshot === null) throw new VstorError('INTERNAL', `${member.name} answered CreateSnapshot without the snapshot`);
    return { vdisk: vdiskFromWire(response.vdisk), snapshot: snapshotFromWire(response.snapshot) };
  }

  async rollback(member: MemberInfo, name: string, snapshot: string, context: VDiskCallContext): Promise<VDiskInfo> {
    const response = await this.call<RollbackResponse__Output>(member, context, false, (client, metadata, options, callback) => client.Rollback({ name, snapshot }, metadata, options, callback));
    return vdiskFromWire(response.vdisk);
  }

  async flatten(member: MemberInfo, name: string, identity: ChangeIdentity | undefined, context: VDiskCallContext): Promise<VDiskInfo> {
    const request = { name, ...identityFields(identity) };
    const response = await this.call<FlattenResponse__Output>(member, context, false, (client, metadata, options, callback) => client.Flatten(request, metadata, options, callback));
    return vdiskFromWire(response.vdisk);
  }

  async diff(member: MemberInfo, spec: DiffSpec, context: VDiskCallContext): Promise<DiffPage> {
    const request = {
      name: spec.name, fromSnapshot: spec.fromSnapshot ?? '', toSnapshot: spec.toSnapshot ?? '',
      startBlockIndex: spec.startBlockIndex, rangesMax: spec.rangesMax,
    };
    const response = await this.call<DiffResponse__Output>(member, context, false, (client, metadata, options, callback) => client.Diff(request, metadata, options, callback));
    return { ranges: response.ranges.map(blockRangeFromWire), more: response.more, nextStartBlockIndex: response.nextStartBlockIndex };
  }

  /** Closes every channel. Safe twice. */
  close(): void {
    this.closed = true;
    for (const client of this.clients.values()) client.close();
    this.clients.clear();
  }

  private async call<Response>(member: MemberInfo, context: VDiskCallContext, changesBlocks: boolean, invoke: Invoke<Response>): Promise<Response> {
    if (this.closed) throw new VstorError('UNAVAILABLE', 'the server is shutting down');
    if (member.grpc === '') throw new VstorError('UNAVAILABLE', `the address of member ${member.name} is not known here; retry`);
    const client = this.client(member.grpc);
    const deadline = Math.min(context.deadlineMs ?? Number.POSITIVE_INFINITY, Date.now() + this.options.forwardTimeoutMs);
    const hop = `forwarding to ${member.name} at ${member.grpc}`;
    // Connected first: a failure here proves that nothing was sent.
    if (changesBlocks) await whenConnected(client.getChannel(), deadline, `${hop}: ${member.grpc}`);
    const metadata = new Metadata();
    metadata.set(FORWARDED_BY_KEY, this.options.memberName);
    if (context.vdiskId !== undefined) metadata.set(VDISK_ID_KEY, String(context.vdiskId));
    return new Promise<Response>((resolve, reject) => {
      invoke(client, metadata, { deadline }, (error, response) => {
        if (error === null && response !== undefined) {
          resolve(response);
          return;
        }
        const coded = fromServiceError(error);
        // The member's own answer keeps its code, message and retryability.
        if ((error?.metadata?.get(errorMetadataKeys.code).length ?? 0) > 0) {
          reject(coded);
          return;
        }
        // The hop failed: after a change to blocks was sent, its outcome is unknown.
        const retryable = changesBlocks ? false : coded.retryable;
        const unknown = changesBlocks ? '; the change may or may not have been applied' : '';
        reject(new VstorError(coded.code, `${hop}: ${coded.message}${unknown}`, { retryable }));
      });
    });
  }

  private client(address: string): VDisksClient {
    let client = this.clients.get(address);
    if (client !== undefined) return client;
    if (this.clients.size >= PEER_CLIENTS_MAX) {
      const [oldestAddress, oldest] = this.clients.entries().next().value as [string, VDisksClient];
      oldest.close();
      this.clients.delete(oldestAddress);
    }
    client = new VDisksClient(address, credentials.createInsecure(), {
      'grpc.max_receive_message_length': this.options.requestBytesMax + VDISK_REQUEST_OVERHEAD_BYTES,
      // A restarted owner is found again within seconds, not grpc's default two minutes.
      'grpc.max_reconnect_backoff_ms': PEER_RECONNECT_BACKOFF_MS_MAX,
    });
    this.clients.set(address, client);
    return client;
  }
}
