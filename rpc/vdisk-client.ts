// The vDisk calls of the client library, as `client.vdisks` of a VstorClient: they share
// its endpoints, deadlines and failover. Answers come back in the daemon's types
// (rpc/vdisk-api.ts), ready for vstorctl to print. GetVDisk, reads and writes of at most
// 64 KiB, Trim, WriteZeroes, Flush and the snapshot calls go over one VDisks.Session
// stream per member (rpc/client-session.ts): a unary gRPC call costs client and server
// more CPU than the call itself for small requests. The rest are unary calls.
//
// Retries:
// - Reads, listings, Flush and Diff are retried as KV reads are.
// - Metadata changes carry (client id, sequence); the vDisk's record keeps the pair of its
//   last change, so a retry of a change that was applied is answered with success. Delete
//   cannot keep it (the record is gone): a NOT_FOUND that follows an attempt whose outcome
//   was unknown (a timeout, a lost connection) means that attempt deleted it, and is
//   success. Rollback is repeatable as it is.
// - Write, Trim and WriteZeroes are sent again only when the earlier attempt certainly did
//   not touch the blocks (CallPolicy.changesBlocks in client.ts). Otherwise the error comes
//   back, and the caller, who knows what else it wrote meanwhile, decides.
//
// Sizes of one call: a read or write is at most the cluster's requestBytesMax (4 MiB by
// default) and a trim, write-zeroes or allocation map at most 1 GiB; split larger ranges.
import type { CallPolicy, Invoke } from './client.ts';
import type { AllocationMapResponse__Output } from '../proto/gen/vstor/v1/AllocationMapResponse.ts';
import type { CloneResponse__Output } from '../proto/gen/vstor/v1/CloneResponse.ts';
import type { CreateSnapshotResponse__Output } from '../proto/gen/vstor/v1/CreateSnapshotResponse.ts';
import type { CreateVDiskResponse__Output } from '../proto/gen/vstor/v1/CreateVDiskResponse.ts';
import type { DeleteSnapshotResponse__Output } from '../proto/gen/vstor/v1/DeleteSnapshotResponse.ts';
import type { DeleteVDiskResponse__Output } from '../proto/gen/vstor/v1/DeleteVDiskResponse.ts';
import type { DiffResponse__Output } from '../proto/gen/vstor/v1/DiffResponse.ts';
import type { FlattenResponse__Output } from '../proto/gen/vstor/v1/FlattenResponse.ts';
import type { GetVDiskResponse__Output } from '../proto/gen/vstor/v1/GetVDiskResponse.ts';
import type { ListSnapshotsResponse__Output } from '../proto/gen/vstor/v1/ListSnapshotsResponse.ts';
import type { ListVDisksResponse__Output } from '../proto/gen/vstor/v1/ListVDisksResponse.ts';
import type { ResizeVDiskResponse__Output } from '../proto/gen/vstor/v1/ResizeVDiskResponse.ts';
import type { RollbackResponse__Output } from '../proto/gen/vstor/v1/RollbackResponse.ts';
import type { VDiskFlushResponse__Output } from '../proto/gen/vstor/v1/VDiskFlushResponse.ts';
import type { VDiskRangeResponse__Output } from '../proto/gen/vstor/v1/VDiskRangeResponse.ts';
import type { VDiskReadResponse__Output } from '../proto/gen/vstor/v1/VDiskReadResponse.ts';
import type { VDiskWriteResponse__Output } from '../proto/gen/vstor/v1/VDiskWriteResponse.ts';
import { isVstorError, VstorError } from './errors.ts';
import type { BlockRange, DiffPage, Extent, VDiskInfo, VDiskSnapshotInfo } from './vdisk-api.ts';
import { VDISK_RANGE_BYTES_MAX } from './vdisk-checks.ts';
import { blockRangeFromWire, extentFromWire, snapshotFromWire, vdiskFromWire } from './vdisk-wire.ts';

export type { BlockRange, DiffPage, Extent, VDiskInfo, VDiskSnapshotInfo };

/** What a VDiskClient needs of its VstorClient. */
export interface VDiskCaller {
  call<Response>(method: string, invoke: Invoke<Response>, policy?: CallPolicy): Promise<Response>;
  /** The pair for the next metadata change. */
  identity(): { clientId: string; sequence: number };
}

export interface DiffOptions {
  /** The older snapshot; absent: everything written since the vDisk was created. */
  from?: string;
  /** The newer snapshot; absent: the head. */
  to?: string;
}

/**
 * A number for a uint64 field: protobufjs would wrap a negative or fractional one into
 * some other value without a word, so it is refused here. The server checks the rest.
 */
function wireUint(field: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 0) throw new VstorError('INVALID_ARGUMENT', `${field}: must be a non-negative integer below 2^53, got ${value}`);
  return value;
}

/** Codes after which a change may or may not have been applied. */
const outcomeUnknownCodes: ReadonlySet<string> = new Set(['DEADLINE_EXCEEDED', 'UNAVAILABLE', 'CANCELLED']);

export class VDiskClient {
  constructor(private readonly caller: VDiskCaller) {}

  /** Creates a thin vDisk; `node` places it on that member, else the leader chooses. */
  async create(name: string, sizeBytes: number, options: { node?: string } = {}): Promise<VDiskInfo> {
    const request = { name, sizeBytes: wireUint('sizeBytes', sizeBytes), node: options.node ?? '', ...this.caller.identity() };
    const response = await this.caller.call<CreateVDiskResponse__Output>('CreateVDisk', (endpoint, metadata, callOptions, callback) =>
      endpoint.vdisks.CreateVDisk(request, metadata, callOptions, callback));
    return vdiskFromWire(response.vdisk);
  }

  async list(options: { serializable?: boolean } = {}): Promise<VDiskInfo[]> {
    const response = await this.caller.call<ListVDisksResponse__Output>('ListVDisks', (endpoint, metadata, callOptions, callback) =>
      endpoint.vdisks.ListVDisks({ serializable: options.serializable === true }, metadata, callOptions, callback));
    return response.vdisks.map((vdisk) => vdiskFromWire(vdisk));
  }

  async get(name: string, options: { serializable?: boolean } = {}): Promise<VDiskInfo> {
    const response = await this.caller.call<GetVDiskResponse__Output>('GetVDisk', (endpoint, _metadata, callOptions, callback) =>
      endpoint.vdiskSession.call('getVdisk', { name, serializable: options.serializable === true }, callOptions.deadline as number, callback));
    return vdiskFromWire(response.vdisk);
  }

  async delete(name: string): Promise<void> {
    const request = { name, ...this.caller.identity() };
    let outcomeUnknown = false;
    try {
      await this.caller.call<DeleteVDiskResponse__Output>('DeleteVDisk', (endpoint, metadata, callOptions, callback) =>
        endpoint.vdisks.DeleteVDisk(request, metadata, callOptions, callback), {
        onRetry: (error) => {
          if (outcomeUnknownCodes.has(error.code)) outcomeUnknown = true;
        },
      });
    } catch (error) {
      // An earlier attempt of this call deleted it; its answer was lost.
      if (outcomeUnknown && isVstorError(error, 'NOT_FOUND')) return;
      throw error;
    }
  }

  /** Grows a vDisk; shrinking is refused (FAILED_PRECONDITION). */
  async resize(name: string, sizeBytes: number): Promise<VDiskInfo> {
    const request = { name, sizeBytes: wireUint('sizeBytes', sizeBytes), ...this.caller.identity() };
    const response = await this.caller.call<ResizeVDiskResponse__Output>('ResizeVDisk', (endpoint, metadata, callOptions, callback) =>
      endpoint.vdisks.ResizeVDisk(request, metadata, callOptions, callback));
    return vdiskFromWire(response.vdisk);
  }

  /** The bytes of a range of the head, or of `snapshot`. */
  async read(name: string, offsetBytes: number, lengthBytes: number, options: { snapshot?: string } = {}): Promise<Uint8Array> {
    const request = { name, snapshot: options.snapshot ?? '', offsetBytes: wireUint('offsetBytes', offsetBytes), lengthBytes: wireUint('lengthBytes', lengthBytes) };
    const response = await this.caller.call<VDiskReadResponse__Output>('Read', (endpoint, _metadata, callOptions, callback) =>
      endpoint.vdiskSession.call('read', request, callOptions.deadline as number, callback));
    if (response.data.length !== lengthBytes) throw new VstorError('INTERNAL', `Read: ${response.data.length} bytes came back for ${lengthBytes} asked`);
    return new Uint8Array(response.data.buffer, response.data.byteOffset, response.data.byteLength);
  }

  /** Writes `data` at `offsetBytes`; `fua`: durable when this returns. */
  async write(name: string, offsetBytes: number, data: Uint8Array, options: { fua?: boolean } = {}): Promise<void> {
    const request = { name, offsetBytes: wireUint('offsetBytes', offsetBytes), data, fua: options.fua === true };
    await this.caller.call<VDiskWriteResponse__Output>('Write', (endpoint, _metadata, callOptions, callback) =>
      endpoint.vdiskSession.call('write', request, callOptions.deadline as number, callback), { changesBlocks: true });
  }

  /** Discards a range: it reads as zeros and gives its space back. */
  async trim(name: string, offsetBytes: number, lengthBytes: number, options: { fua?: boolean } = {}): Promise<void> {
    const request = { name, offsetBytes: wireUint('offsetBytes', offsetBytes), lengthBytes: wireUint('lengthBytes', lengthBytes), fua: options.fua === true };
    await this.caller.call<VDiskRangeResponse__Output>('Trim', (endpoint, _metadata, callOptions, callback) =>
      endpoint.vdiskSession.call('trim', request, callOptions.deadline as number, callback), { changesBlocks: true });
  }

  async writeZeroes(name: string, offsetBytes: number, lengthBytes: number, options: { fua?: boolean } = {}): Promise<void> {
    const request = { name, offsetBytes: wireUint('offsetBytes', offsetBytes), lengthBytes: wireUint('lengthBytes', lengthBytes), fua: options.fua === true };
    await this.caller.call<VDiskRangeResponse__Output>('WriteZeroes', (endpoint, _metadata, callOptions, callback) =>
      endpoint.vdiskSession.call('writeZeroes', request, callOptions.deadline as number, callback), { changesBlocks: true });
  }

  /** Makes every write acknowledged so far durable. */
  async flush(name: string): Promise<void> {
    await this.caller.call<VDiskFlushResponse__Output>('Flush', (endpoint, _metadata, callOptions, callback) =>
      endpoint.vdiskSession.call('flush', { name }, callOptions.deadline as number, callback));
  }

  /** Data and hole extents of a range (at most 1 GiB) of the head or of `snapshot`. */
  async allocationMap(name: string, offsetBytes: number, lengthBytes: number, options: { snapshot?: string } = {}): Promise<Extent[]> {
    const request = { name, snapshot: options.snapshot ?? '', offsetBytes: wireUint('offsetBytes', offsetBytes), lengthBytes: wireUint('lengthBytes', lengthBytes) };
    const response = await this.caller.call<AllocationMapResponse__Output>('AllocationMap', (endpoint, metadata, callOptions, callback) =>
      endpoint.vdisks.AllocationMap(request, metadata, callOptions, callback));
    return response.extents.map(extentFromWire);
  }

  /**
   * Every extent of the vDisk (or `snapshot`) from `offsetBytes` to its end, a map call per
   * `chunkBytes` (at most 1 GiB): what `vdisk export-file` copies, skipping the holes.
   */
  async *extents(name: string, options: { snapshot?: string; offsetBytes?: number; chunkBytes?: number } = {}): AsyncGenerator<Extent> {
    const vdisk = await this.get(name);
    const snapshot = options.snapshot === undefined ? undefined : vdisk.snapshots.find((candidate) => candidate.name === options.snapshot);
    if (options.snapshot !== undefined && snapshot === undefined) throw new VstorError('NOT_FOUND', `vdisk ${name} has no snapshot ${options.snapshot}`);
    const sizeBytes = snapshot?.sizeBytes ?? vdisk.sizeBytes;
    const chunkBytes = Math.min(options.chunkBytes ?? VDISK_RANGE_BYTES_MAX, VDISK_RANGE_BYTES_MAX);
    for (let offset = options.offsetBytes ?? 0; offset < sizeBytes; offset += chunkBytes) {
      const length = Math.min(chunkBytes, sizeBytes - offset);
      yield* await this.allocationMap(name, offset, length, options.snapshot === undefined ? {} : { snapshot: options.snapshot });
    }
  }

  /** Closes the vDisk's head epoch under `snapshot`: O(1), whatever the vDisk's size. */
  async createSnapshot(name: string, snapshot: string): Promise<{ vdisk: VDiskInfo; snapshot: VDiskSnapshotInfo }> {
    const request = { name, snapshot, ...this.caller.identity() };
    const response = await this.caller.call<CreateSnapshotResponse__Output>('CreateSnapshot', (endpoint, _metadata, callOptions, callback) =>
      endpoint.vdiskSession.call('createSnapshot', request, callOptions.deadline as number, callback));
    if (response.snapshot === null) throw new VstorError('INTERNAL', 'CreateSnapshot: the answer carries no snapshot');
    return { vdisk: vdiskFromWire(response.vdisk), snapshot: snapshotFromWire(response.snapshot) };
  }

  async listSnapshots(name: string, options: { serializable?: boolean } = {}): Promise<VDiskSnapshotInfo[]> {
    const response = await this.caller.call<ListSnapshotsResponse__Output>('ListSnapshots', (endpoint, _metadata, callOptions, callback) =>
      endpoint.vdiskSession.call('listSnapshots', { name, serializable: options.serializable === true }, callOptions.deadline as number, callback));
    return response.snapshots.map(snapshotFromWire);
  }

  /** Deletes a snapshot without clones; the scrubber reclaims what only it read. */
  async deleteSnapshot(name: string, snapshot: string): Promise<VDiskInfo> {
    const request = { name, snapshot, ...this.caller.identity() };
    const response = await this.caller.call<DeleteSnapshotResponse__Output>('DeleteSnapshot', (endpoint, _metadata, callOptions, callback) =>
      endpoint.vdiskSession.call('deleteSnapshot', request, callOptions.deadline as number, callback));
    return vdiskFromWire(response.vdisk);
  }

  /** Makes the vDisk read as `snapshot` does. */
  async rollback(name: string, snapshot: string): Promise<VDiskInfo> {
    const response = await this.caller.call<RollbackResponse__Output>('Rollback', (endpoint, metadata, callOptions, callback) =>
      endpoint.vdisks.Rollback({ name, snapshot }, metadata, callOptions, callback));
    return vdiskFromWire(response.vdisk);
  }

  /** A linked clone `cloneName` of `name@snapshot`, on the same owner. */
  async clone(name: string, snapshot: string, cloneName: string): Promise<VDiskInfo> {
    const request = { name, snapshot, cloneName, ...this.caller.identity() };
    const response = await this.caller.call<CloneResponse__Output>('Clone', (endpoint, metadata, callOptions, callback) =>
      endpoint.vdisks.Clone(request, metadata, callOptions, callback));
    return vdiskFromWire(response.vdisk);
  }

  /** Copies a clone's inherited blocks into it and unlinks it from its parent. */
  async flatten(name: string): Promise<VDiskInfo> {
    const request = { name, ...this.caller.identity() };
    const response = await this.caller.call<FlattenResponse__Output>('Flatten', (endpoint, metadata, callOptions, callback) =>
      endpoint.vdisks.Flatten(request, metadata, callOptions, callback));
    return vdiskFromWire(response.vdisk);
  }

  /** One page of the blocks written between `from` and `to`. */
  async diff(name: string, options: DiffOptions & { startBlockIndex?: number; rangesMax?: number } = {}): Promise<DiffPage & { blockBytes: number }> {
    const request = { name, fromSnapshot: options.from ?? '', toSnapshot: options.to ?? '', startBlockIndex: wireUint('startBlockIndex', options.startBlockIndex ?? 0), rangesMax: wireUint('rangesMax', options.rangesMax ?? 0) };
    const response = await this.caller.call<DiffResponse__Output>('Diff', (endpoint, metadata, callOptions, callback) =>
      endpoint.vdisks.Diff(request, metadata, callOptions, callback));
    return { blockBytes: response.blockBytes, ranges: response.ranges.map(blockRangeFromWire), more: response.more, nextStartBlockIndex: response.nextStartBlockIndex };
  }

  /** Every changed block range between `from` and `to`, page after page. */
  async *diffRanges(name: string, options: DiffOptions & { rangesMax?: number } = {}): AsyncGenerator<BlockRange> {
    let startBlockIndex = 0;
    for (;;) {
      const page = await this.diff(name, { ...options, startBlockIndex });
      yield* page.ranges;
      if (!page.more) return;
      startBlockIndex = page.nextStartBlockIndex;
    }
  }
}
