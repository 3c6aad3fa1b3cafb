// Original file: proto/vstor/v1/vdisk.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { AllocationMapRequest as _vstor_v1_AllocationMapRequest, AllocationMapRequest__Output as _vstor_v1_AllocationMapRequest__Output } from '../../vstor/v1/AllocationMapRequest.ts';
import type { AllocationMapResponse as _vstor_v1_AllocationMapResponse, AllocationMapResponse__Output as _vstor_v1_AllocationMapResponse__Output } from '../../vstor/v1/AllocationMapResponse.ts';
import type { CloneRequest as _vstor_v1_CloneRequest, CloneRequest__Output as _vstor_v1_CloneRequest__Output } from '../../vstor/v1/CloneRequest.ts';
import type { CloneResponse as _vstor_v1_CloneResponse, CloneResponse__Output as _vstor_v1_CloneResponse__Output } from '../../vstor/v1/CloneResponse.ts';
import type { CreateSnapshotRequest as _vstor_v1_CreateSnapshotRequest, CreateSnapshotRequest__Output as _vstor_v1_CreateSnapshotRequest__Output } from '../../vstor/v1/CreateSnapshotRequest.ts';
import type { CreateSnapshotResponse as _vstor_v1_CreateSnapshotResponse, CreateSnapshotResponse__Output as _vstor_v1_CreateSnapshotResponse__Output } from '../../vstor/v1/CreateSnapshotResponse.ts';
import type { CreateVDiskRequest as _vstor_v1_CreateVDiskRequest, CreateVDiskRequest__Output as _vstor_v1_CreateVDiskRequest__Output } from '../../vstor/v1/CreateVDiskRequest.ts';
import type { CreateVDiskResponse as _vstor_v1_CreateVDiskResponse, CreateVDiskResponse__Output as _vstor_v1_CreateVDiskResponse__Output } from '../../vstor/v1/CreateVDiskResponse.ts';
import type { DeleteSnapshotRequest as _vstor_v1_DeleteSnapshotRequest, DeleteSnapshotRequest__Output as _vstor_v1_DeleteSnapshotRequest__Output } from '../../vstor/v1/DeleteSnapshotRequest.ts';
import type { DeleteSnapshotResponse as _vstor_v1_DeleteSnapshotResponse, DeleteSnapshotResponse__Output as _vstor_v1_DeleteSnapshotResponse__Output } from '../../vstor/v1/DeleteSnapshotResponse.ts';
import type { DeleteVDiskRequest as _vstor_v1_DeleteVDiskRequest, DeleteVDiskRequest__Output as _vstor_v1_DeleteVDiskRequest__Output } from '../../vstor/v1/DeleteVDiskRequest.ts';
import type { DeleteVDiskResponse as _vstor_v1_DeleteVDiskResponse, DeleteVDiskResponse__Output as _vstor_v1_DeleteVDiskResponse__Output } from '../../vstor/v1/DeleteVDiskResponse.ts';
import type { DiffRequest as _vstor_v1_DiffRequest, DiffRequest__Output as _vstor_v1_DiffRequest__Output } from '../../vstor/v1/DiffRequest.ts';
import type { DiffResponse as _vstor_v1_DiffResponse, DiffResponse__Output as _vstor_v1_DiffResponse__Output } from '../../vstor/v1/DiffResponse.ts';
import type { FlattenRequest as _vstor_v1_FlattenRequest, FlattenRequest__Output as _vstor_v1_FlattenRequest__Output } from '../../vstor/v1/FlattenRequest.ts';
import type { FlattenResponse as _vstor_v1_FlattenResponse, FlattenResponse__Output as _vstor_v1_FlattenResponse__Output } from '../../vstor/v1/FlattenResponse.ts';
import type { GetVDiskRequest as _vstor_v1_GetVDiskRequest, GetVDiskRequest__Output as _vstor_v1_GetVDiskRequest__Output } from '../../vstor/v1/GetVDiskRequest.ts';
import type { GetVDiskResponse as _vstor_v1_GetVDiskResponse, GetVDiskResponse__Output as _vstor_v1_GetVDiskResponse__Output } from '../../vstor/v1/GetVDiskResponse.ts';
import type { ListSnapshotsRequest as _vstor_v1_ListSnapshotsRequest, ListSnapshotsRequest__Output as _vstor_v1_ListSnapshotsRequest__Output } from '../../vstor/v1/ListSnapshotsRequest.ts';
import type { ListSnapshotsResponse as _vstor_v1_ListSnapshotsResponse, ListSnapshotsResponse__Output as _vstor_v1_ListSnapshotsResponse__Output } from '../../vstor/v1/ListSnapshotsResponse.ts';
import type { ListVDisksRequest as _vstor_v1_ListVDisksRequest, ListVDisksRequest__Output as _vstor_v1_ListVDisksRequest__Output } from '../../vstor/v1/ListVDisksRequest.ts';
import type { ListVDisksResponse as _vstor_v1_ListVDisksResponse, ListVDisksResponse__Output as _vstor_v1_ListVDisksResponse__Output } from '../../vstor/v1/ListVDisksResponse.ts';
import type { ResizeVDiskRequest as _vstor_v1_ResizeVDiskRequest, ResizeVDiskRequest__Output as _vstor_v1_ResizeVDiskRequest__Output } from '../../vstor/v1/ResizeVDiskRequest.ts';
import type { ResizeVDiskResponse as _vstor_v1_ResizeVDiskResponse, ResizeVDiskResponse__Output as _vstor_v1_ResizeVDiskResponse__Output } from '../../vstor/v1/ResizeVDiskResponse.ts';
import type { RollbackRequest as _vstor_v1_RollbackRequest, RollbackRequest__Output as _vstor_v1_RollbackRequest__Output } from '../../vstor/v1/RollbackRequest.ts';
import type { RollbackResponse as _vstor_v1_RollbackResponse, RollbackResponse__Output as _vstor_v1_RollbackResponse__Output } from '../../vstor/v1/RollbackResponse.ts';
import type { VDiskFlushRequest as _vstor_v1_VDiskFlushRequest, VDiskFlushRequest__Output as _vstor_v1_VDiskFlushRequest__Output } from '../../vstor/v1/VDiskFlushRequest.ts';
import type { VDiskFlushResponse as _vstor_v1_VDiskFlushResponse, VDiskFlushResponse__Output as _vstor_v1_VDiskFlushResponse__Output } from '../../vstor/v1/VDiskFlushResponse.ts';
import type { VDiskRangeRequest as _vstor_v1_VDiskRangeRequest, VDiskRangeRequest__Output as _vstor_v1_VDiskRangeRequest__Output } from '../../vstor/v1/VDiskRangeRequest.ts';
import type { VDiskRangeResponse as _vstor_v1_VDiskRangeResponse, VDiskRangeResponse__Output as _vstor_v1_VDiskRangeResponse__Output } from '../../vstor/v1/VDiskRangeResponse.ts';
import type { VDiskReadRequest as _vstor_v1_VDiskReadRequest, VDiskReadRequest__Output as _vstor_v1_VDiskReadRequest__Output } from '../../vstor/v1/VDiskReadRequest.ts';
import type { VDiskReadResponse as _vstor_v1_VDiskReadResponse, VDiskReadResponse__Output as _vstor_v1_VDiskReadResponse__Output } from '../../vstor/v1/VDiskReadResponse.ts';
import type { VDiskSessionRequest as _vstor_v1_VDiskSessionRequest, VDiskSessionRequest__Output as _vstor_v1_VDiskSessionRequest__Output } from '../../vstor/v1/VDiskSessionRequest.ts';
import type { VDiskSessionResponse as _vstor_v1_VDiskSessionResponse, VDiskSessionResponse__Output as _vstor_v1_VDiskSessionResponse__Output } from '../../vstor/v1/VDiskSessionResponse.ts';
import type { VDiskWriteRequest as _vstor_v1_VDiskWriteRequest, VDiskWriteRequest__Output as _vstor_v1_VDiskWriteRequest__Output } from '../../vstor/v1/VDiskWriteRequest.ts';
import type { VDiskWriteResponse as _vstor_v1_VDiskWriteResponse, VDiskWriteResponse__Output as _vstor_v1_VDiskWriteResponse__Output } from '../../vstor/v1/VDiskWriteResponse.ts';

export interface VDisksClient extends grpc.Client {
  AllocationMap(argument: _vstor_v1_AllocationMapRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vstor_v1_AllocationMapResponse__Output>): grpc.ClientUnaryCall;
  AllocationMap(argument: _vstor_v1_AllocationMapRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_vstor_v1_AllocationMapResponse__Output>): grpc.ClientUnaryCall;
  AllocationMap(argument: _vstor_v1_AllocationMapRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_vstor_v1_AllocationMapResponse__Output>): grpc.ClientUnaryCall;
  AllocationMap(argument: _vstor_v1_AllocationMapRequest, callback: grpc.requestCallback<_vstor_v1_AllocationMapResponse__Output>): grpc.ClientUnaryCall;
  allocationMap(argument: _vstor_v1_AllocationMapRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vstor_v1_AllocationMapResponse__Output>): grpc.ClientUnaryCall;
  allocationMap(argument: _vstor_v1_AllocationMapRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_vstor_v1_AllocationMapResponse__Output>): grpc.ClientUnaryCall;
  allocationMap(argument: _vstor_v1_AllocationMapRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_vstor_v1_AllocationMapResponse__Output>): grpc.ClientUnaryCall;
  allocationMap(argument: _vstor_v1_AllocationMapRequest, callback: grpc.requestCallback<_vstor_v1_AllocationMapResponse__Output>): grpc.ClientUnaryCall;
  
  Clone(argument: _vstor_v1_CloneRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vstor_v1_CloneResponse__Output>): grpc.ClientUnaryCall;
  Clone(argument: _vstor_v1_CloneRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_vstor_v1_CloneResponse__Output>): grpc.ClientUnaryCall;
  Clone(argument: _vstor_v1_CloneRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_vstor_v1_CloneResponse__Output>): grpc.ClientUnaryCall;
  Clone(argument: _vstor_v1_CloneRequest, callback: grpc.requestCallback<_vstor_v1_CloneResponse__Output>): grpc.ClientUnaryCall;
  clone(argument: _vstor_v1_CloneRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vstor_v1_CloneResponse__Output>): grpc.ClientUnaryCall;
  clone(argument: _vstor_v1_CloneRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_vstor_v1_CloneResponse__Output>): grpc.ClientUnaryCall;
  clone(argument: _vstor_v1_CloneRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_vstor_v1_CloneResponse__Output>): grpc.ClientUnaryCall;
  clone(argument: _vstor_v1_CloneRequest, callback: grpc.requestCallback<_vstor_v1_CloneResponse__Output>): grpc.ClientUnaryCall;
  
  CreateSnapshot(argument: _vstor_v1_CreateSnapshotRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vstor_v1_CreateSnapshotResponse__Output>): grpc.ClientUnaryCall;
  CreateSnapshot(argument: _vstor_v1_CreateSnapshotRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_vstor_v1_CreateSnapshotResponse__Output>): grpc.ClientUnaryCall;
  CreateSnapshot(argument: _vstor_v1_CreateSnapshotRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_vstor_v1_CreateSnapshotResponse__Output>): grpc.ClientUnaryCall;
  CreateSnapshot(argument: _vstor_v1_CreateSnapshotRequest, callback: grpc.requestCallback<_vstor_v1_CreateSnapshotResponse__Output>): grpc.ClientUnaryCall;
  createSnapshot(argument: _vstor_v1_CreateSnapshotRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vstor_v1_CreateSnapshotResponse__Output>): grpc.ClientUnaryCall;
  createSnapshot(argument: _vstor_v1_CreateSnapshotRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_vstor_v1_CreateSnapshotResponse__Output>): grpc.ClientUnaryCall;
  createSnapshot(argument: _vstor_v1_CreateSnapshotRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_vstor_v1_CreateSnapshotResponse__Output>): grpc.ClientUnaryCall;
  createSnapshot(argument: _vstor_v1_CreateSnapshotRequest, callback: grpc.requestCallback<_vstor_v1_CreateSnapshotResponse__Output>): grpc.ClientUnaryCall;
  
  CreateVDisk(argument: _vstor_v1_CreateVDiskRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vstor_v1_CreateVDiskResponse__Output>): grpc.ClientUnaryCall;
  CreateVDisk(argument: _vstor_v1_CreateVDiskRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_vstor_v1_CreateVDiskResponse__Output>): grpc.ClientUnaryCall;
  CreateVDisk(argument: _vstor_v1_CreateVDiskRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_vstor_v1_CreateVDiskResponse__Output>): grpc.ClientUnaryCall;
  CreateVDisk(argument: _vstor_v1_CreateVDiskRequest, callback: grpc.requestCallback<_vstor_v1_CreateVDiskResponse__Output>): grpc.ClientUnaryCall;
  createVDisk(argument: _vstor_v1_CreateVDiskRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vstor_v1_CreateVDiskResponse__Output>): grpc.ClientUnaryCall;
  createVDisk(argument: _vstor_v1_CreateVDiskRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_vstor_v1_CreateVDiskResponse__Output>): grpc.ClientUnaryCall;
  createVDisk(argument: _vstor_v1_CreateVDiskRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_vstor_v1_CreateVDiskResponse__Output>): grpc.ClientUnaryCall;
  createVDisk(argument: _vstor_v1_CreateVDiskRequest, callback: grpc.requestCallback<_vstor_v1_CreateVDiskResponse__Output>): grpc.ClientUnaryCall;
  
  DeleteSnapshot(argument: _vstor_v1_DeleteSnapshotRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vstor_v1_DeleteSnapshotResponse__Output>): grpc.ClientUnaryCall;
  DeleteSnapshot(argument: _vstor_v1_DeleteSnapshotRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_vstor_v1_DeleteSnapshotResponse__Output>): grpc.ClientUnaryCall;
  DeleteSnapshot(argument: _vstor_v1_DeleteSnapshotRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_vstor_v1_DeleteSnapshotResponse__Output>): grpc.ClientUnaryCall;
  DeleteSnapshot(argument: _vstor_v1_DeleteSnapshotRequest, callback: grpc.requestCallback<_vstor_v1_DeleteSnapshotResponse__Output>): grpc.ClientUnaryCall;
  deleteSnapshot(argument: _vstor_v1_DeleteSnapshotRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vstor_v1_DeleteSnapshotResponse__Output>): grpc.ClientUnaryCall;
  deleteSnapshot(argument: _vstor_v1_DeleteSnapshotRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_vstor_v1_DeleteSnapshotResponse__Output>): grpc.ClientUnaryCall;
  deleteSnapshot(argument: _vstor_v1_DeleteSnapshotRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_vstor_v1_DeleteSnapshotResponse__Output>): grpc.ClientUnaryCall;
  deleteSnapshot(argument: _vstor_v1_DeleteSnapshotRequest, callback: grpc.requestCallback<_vstor_v1_DeleteSnapshotResponse__Output>): grpc.ClientUnaryCall;
  
  DeleteVDisk(argument: _vstor_v1_DeleteVDiskRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vstor_v1_DeleteVDiskResponse__Output>): grpc.ClientUnaryCall;
  DeleteVDisk(argument: _vstor_v1_DeleteVDiskRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_vstor_v1_DeleteVDiskResponse__Output>): grpc.ClientUnaryCall;
  DeleteVDisk(argument: _vstor_v1_DeleteVDiskRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_vstor_v1_DeleteVDiskResponse__Output>): grpc.ClientUnaryCall;
  DeleteVDisk(argument: _vstor_v1_DeleteVDiskRequest, callback: grpc.requestCallback<_vstor_v1_DeleteVDiskResponse__Output>): grpc.ClientUnaryCall;
  deleteVDisk(argument: _vstor_v1_DeleteVDiskRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vstor_v1_DeleteVDiskResponse__Output>): grpc.ClientUnaryCall;
  deleteVDisk(argument: _vstor_v1_DeleteVDiskRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_vstor_v1_DeleteVDiskResponse__Output>): grpc.ClientUnaryCall;
  deleteVDisk(argument: _vstor_v1_DeleteVDiskRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_vstor_v1_DeleteVDiskResponse__Output>): grpc.ClientUnaryCall;
  deleteVDisk(argument: _vstor_v1_DeleteVDiskRequest, callback: grpc.requestCallback<_vstor_v1_DeleteVDiskResponse__Output>): grpc.ClientUnaryCall;
  
  Diff(argument: _vstor_v1_DiffRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vstor_v1_DiffResponse__Output>): grpc.ClientUnaryCall;
  Diff(argument: _vstor_v1_DiffRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_vstor_v1_DiffResponse__Output>): grpc.ClientUnaryCall;
  Diff(argument: _vstor_v1_DiffRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_vstor_v1_DiffResponse__Output>): grpc.ClientUnaryCall;
  Diff(argument: _vstor_v1_DiffRequest, callback: grpc.requestCallback<_vstor_v1_DiffResponse__Output>): grpc.ClientUnaryCall;
  diff(argument: _vstor_v1_DiffRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vstor_v1_DiffResponse__Output>): grpc.ClientUnaryCall;
  diff(argument: _vstor_v1_DiffRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_vstor_v1_DiffResponse__Output>): grpc.ClientUnaryCall;
  diff(argument: _vstor_v1_DiffRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_vstor_v1_DiffResponse__Output>): grpc.ClientUnaryCall;
  diff(argument: _vstor_v1_DiffRequest, callback: grpc.requestCallback<_vstor_v1_DiffResponse__Output>): grpc.ClientUnaryCall;
  
  Flatten(argument: _vstor_v1_FlattenRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vstor_v1_FlattenResponse__Output>): grpc.ClientUnaryCall;
  Flatten(argument: _vstor_v1_FlattenRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_vstor_v1_FlattenResponse__Output>): grpc.ClientUnaryCall;
  Flatten(argument: _vstor_v1_FlattenRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_vstor_v1_FlattenResponse__Output>): grpc.ClientUnaryCall;
  Flatten(argument: _vstor_v1_FlattenRequest, callback: grpc.requestCallback<_vstor_v1_FlattenResponse__Output>): grpc.ClientUnaryCall;
  flatten(argument: _vstor_v1_FlattenRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vstor_v1_FlattenResponse__Output>): grpc.ClientUnaryCall;
  flatten(argument: _vstor_v1_FlattenRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_vstor_v1_FlattenResponse__Output>): grpc.ClientUnaryCall;
  flatten(argument: _vstor_v1_FlattenRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_vstor_v1_FlattenResponse__Output>): grpc.ClientUnaryCall;
  flatten(argument: _vstor_v1_FlattenRequest, callback: grpc.requestCallback<_vstor_v1_FlattenResponse__Output>): grpc.ClientUnaryCall;
  
  Flush(argument: _vstor_v1_VDiskFlushRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vstor_v1_VDiskFlushResponse__Output>): grpc.ClientUnaryCall;
  Flush(argument: _vstor_v1_VDiskFlushRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_vstor_v1_VDiskFlushResponse__Output>): grpc.ClientUnaryCall;
  Flush(argument: _vstor_v1_VDiskFlushRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_vstor_v1_VDiskFlushResponse__Output>): grpc.ClientUnaryCall;
  Flush(argument: _vstor_v1_VDiskFlushRequest, callback: grpc.requestCallback<_vstor_v1_VDiskFlushResponse__Output>): grpc.ClientUnaryCall;
  flush(argument: _vstor_v1_VDiskFlushRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vstor_v1_VDiskFlushResponse__Output>): grpc.ClientUnaryCall;
  flush(argument: _vstor_v1_VDiskFlushRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_vstor_v1_VDiskFlushResponse__Output>): grpc.ClientUnaryCall;
  flush(argument: _vstor_v1_VDiskFlushRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_vstor_v1_VDiskFlushResponse__Output>): grpc.ClientUnaryCall;
  flush(argument: _vstor_v1_VDiskFlushRequest, callback: grpc.requestCallback<_vstor_v1_VDiskFlushResponse__Output>): grpc.ClientUnaryCall;
  
  GetVDisk(argument: _vstor_v1_GetVDiskRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vstor_v1_GetVDiskResponse__Output>): grpc.ClientUnaryCall;
  GetVDisk(argument: _vstor_v1_GetVDiskRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_vstor_v1_GetVDiskResponse__Output>): grpc.ClientUnaryCall;
  GetVDisk(argument: _vstor_v1_GetVDiskRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_vstor_v1_GetVDiskResponse__Output>): grpc.ClientUnaryCall;
  GetVDisk(argument: _vstor_v1_GetVDiskRequest, callback: grpc.requestCallback<_vstor_v1_GetVDiskResponse__Output>): grpc.ClientUnaryCall;
  getVDisk(argument: _vstor_v1_GetVDiskRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vstor_v1_GetVDiskResponse__Output>): grpc.ClientUnaryCall;
  getVDisk(argument: _vstor_v1_GetVDiskRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_vstor_v1_GetVDiskResponse__Output>): grpc.ClientUnaryCall;
  getVDisk(argument: _vstor_v1_GetVDiskRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_vstor_v1_GetVDiskResponse__Output>): grpc.ClientUnaryCall;
  getVDisk(argument: _vstor_v1_GetVDiskRequest, callback: grpc.requestCallback<_vstor_v1_GetVDiskResponse__Output>): grpc.ClientUnaryCall;
  
  ListSnapshots(argument: _vstor_v1_ListSnapshotsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vstor_v1_ListSnapshotsResponse__Output>): grpc.ClientUnaryCall;
  ListSnapshots(argument: _vstor_v1_ListSnapshotsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_vstor_v1_ListSnapshotsResponse__Output>): grpc.ClientUnaryCall;
  ListSnapshots(argument: _vstor_v1_ListSnapshotsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_vstor_v1_ListSnapshotsResponse__Output>): grpc.ClientUnaryCall;
  ListSnapshots(argument: _vstor_v1_ListSnapshotsRequest, callback: grpc.requestCallback<_vstor_v1_ListSnapshotsResponse__Output>): grpc.ClientUnaryCall;
  listSnapshots(argument: _vstor_v1_ListSnapshotsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vstor_v1_ListSnapshotsResponse__Output>): grpc.ClientUnaryCall;
  listSnapshots(argument: _vstor_v1_ListSnapshotsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_vstor_v1_ListSnapshotsResponse__Output>): grpc.ClientUnaryCall;
  listSnapshots(argument: _vstor_v1_ListSnapshotsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_vstor_v1_ListSnapshotsResponse__Output>): grpc.ClientUnaryCall;
  listSnapshots(argument: _vstor_v1_ListSnapshotsRequest, callback: grpc.requestCallback<_vstor_v1_ListSnapshotsResponse__Output>): grpc.ClientUnaryCall;
  
  ListVDisks(argument: _vstor_v1_ListVDisksRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vstor_v1_ListVDisksResponse__Output>): grpc.ClientUnaryCall;
  ListVDisks(argument: _vstor_v1_ListVDisksRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_vstor_v1_ListVDisksResponse__Output>): grpc.ClientUnaryCall;
  ListVDisks(argument: _vstor_v1_ListVDisksRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_vstor_v1_ListVDisksResponse__Output>): grpc.ClientUnaryCall;
  ListVDisks(argument: _vstor_v1_ListVDisksRequest, callback: grpc.requestCallback<_vstor_v1_ListVDisksResponse__Output>): grpc.ClientUnaryCall;
  listVDisks(argument: _vstor_v1_ListVDisksRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vstor_v1_ListVDisksResponse__Output>): grpc.ClientUnaryCall;
  listVDisks(argument: _vstor_v1_ListVDisksRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_vstor_v1_ListVDisksResponse__Output>): grpc.ClientUnaryCall;
  listVDisks(argument: _vstor_v1_ListVDisksRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_vstor_v1_ListVDisksResponse__Output>): grpc.ClientUnaryCall;
  listVDisks(argument: _vstor_v1_ListVDisksRequest, callback: grpc.requestCallback<_vstor_v1_ListVDisksResponse__Output>): grpc.ClientUnaryCall;
  
  Read(argument: _vstor_v1_VDiskReadRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vstor_v1_VDiskReadResponse__Output>): grpc.ClientUnaryCall;
  Read(argument: _vstor_v1_VDiskReadRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_vstor_v1_VDiskReadResponse__Output>): grpc.ClientUnaryCall;
  Read(argument: _vstor_v1_VDiskReadRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_vstor_v1_VDiskReadResponse__Output>): grpc.ClientUnaryCall;
  Read(argument: _vstor_v1_VDiskReadRequest, callback: grpc.requestCallback<_vstor_v1_VDiskReadResponse__Output>): grpc.ClientUnaryCall;
  read(argument: _vstor_v1_VDiskReadRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vstor_v1_VDiskReadResponse__Output>): grpc.ClientUnaryCall;
  read(argument: _vstor_v1_VDiskReadRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_vstor_v1_VDiskReadResponse__Output>): grpc.ClientUnaryCall;
  read(argument: _vstor_v1_VDiskReadRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_vstor_v1_VDiskReadResponse__Output>): grpc.ClientUnaryCall;
  read(argument: _vstor_v1_VDiskReadRequest, callback: grpc.requestCallback<_vstor_v1_VDiskReadResponse__Output>): grpc.ClientUnaryCall;
  
  ResizeVDisk(argument: _vstor_v1_ResizeVDiskRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vstor_v1_ResizeVDiskResponse__Output>): grpc.ClientUnaryCall;
  ResizeVDisk(argument: _vstor_v1_ResizeVDiskRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_vstor_v1_ResizeVDiskResponse__Output>): grpc.ClientUnaryCall;
  ResizeVDisk(argument: _vstor_v1_ResizeVDiskRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_vstor_v1_ResizeVDiskResponse__Output>): grpc.ClientUnaryCall;
  ResizeVDisk(argument: _vstor_v1_ResizeVDiskRequest, callback: grpc.requestCallback<_vstor_v1_ResizeVDiskResponse__Output>): grpc.ClientUnaryCall;
  resizeVDisk(argument: _vstor_v1_ResizeVDiskRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vstor_v1_ResizeVDiskResponse__Output>): grpc.ClientUnaryCall;
  resizeVDisk(argument: _vstor_v1_ResizeVDiskRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_vstor_v1_ResizeVDiskResponse__Output>): grpc.ClientUnaryCall;
  resizeVDisk(argument: _vstor_v1_ResizeVDiskRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_vstor_v1_ResizeVDiskResponse__Output>): grpc.ClientUnaryCall;
  resizeVDisk(argument: _vstor_v1_ResizeVDiskRequest, callback: grpc.requestCallback<_vstor_v1_ResizeVDiskResponse__Output>): grpc.ClientUnaryCall;
  
  Rollback(argument: _vstor_v1_RollbackRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vstor_v1_RollbackResponse__Output>): grpc.ClientUnaryCall;
  Rollback(argument: _vstor_v1_RollbackRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_vstor_v1_RollbackResponse__Output>): grpc.ClientUnaryCall;
  Rollback(argument: _vstor_v1_RollbackRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_vstor_v1_RollbackResponse__Output>): grpc.ClientUnaryCall;
  Rollback(argument: _vstor_v1_RollbackRequest, callback: grpc.requestCallback<_vstor_v1_RollbackResponse__Output>): grpc.ClientUnaryCall;
  rollback(argument: _vstor_v1_RollbackRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vstor_v1_RollbackResponse__Output>): grpc.ClientUnaryCall;
  rollback(argument: _vstor_v1_RollbackRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_vstor_v1_RollbackResponse__Output>): grpc.ClientUnaryCall;
  rollback(argument: _vstor_v1_RollbackRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_vstor_v1_RollbackResponse__Output>): grpc.ClientUnaryCall;
  rollback(argument: _vstor_v1_RollbackRequest, callback: grpc.requestCallback<_vstor_v1_RollbackResponse__Output>): grpc.ClientUnaryCall;
  
  Session(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_vstor_v1_VDiskSessionRequest, _vstor_v1_VDiskSessionResponse__Output>;
  Session(options?: grpc.CallOptions): grpc.ClientDuplexStream<_vstor_v1_VDiskSessionRequest, _vstor_v1_VDiskSessionResponse__Output>;
  session(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_vstor_v1_VDiskSessionRequest, _vstor_v1_VDiskSessionResponse__Output>;
  session(options?: grpc.CallOptions): grpc.ClientDuplexStream<_vstor_v1_VDiskSessionRequest, _vstor_v1_VDiskSessionResponse__Output>;
  
  Trim(argument: _vstor_v1_VDiskRangeRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vstor_v1_VDiskRangeResponse__Output>): grpc.ClientUnaryCall;
  Trim(argument: _vstor_v1_VDiskRangeRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_vstor_v1_VDiskRangeResponse__Output>): grpc.ClientUnaryCall;
  Trim(argument: _vstor_v1_VDiskRangeRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_vstor_v1_VDiskRangeResponse__Output>): grpc.ClientUnaryCall;
  Trim(argument: _vstor_v1_VDiskRangeRequest, callback: grpc.requestCallback<_vstor_v1_VDiskRangeResponse__Output>): grpc.ClientUnaryCall;
  trim(argument: _vstor_v1_VDiskRangeRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vstor_v1_VDiskRangeResponse__Output>): grpc.ClientUnaryCall;
  trim(argument: _vstor_v1_VDiskRangeRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_vstor_v1_VDiskRangeResponse__Output>): grpc.ClientUnaryCall;
  trim(argument: _vstor_v1_VDiskRangeRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_vstor_v1_VDiskRangeResponse__Output>): grpc.ClientUnaryCall;
  trim(argument: _vstor_v1_VDiskRangeRequest, callback: grpc.requestCallback<_vstor_v1_VDiskRangeResponse__Output>): grpc.ClientUnaryCall;
  
  Write(argument: _vstor_v1_VDiskWriteRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vstor_v1_VDiskWriteResponse__Output>): grpc.ClientUnaryCall;
  Write(argument: _vstor_v1_VDiskWriteRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_vstor_v1_VDiskWriteResponse__Output>): grpc.ClientUnaryCall;
  Write(argument: _vstor_v1_VDiskWriteRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_vstor_v1_VDiskWriteResponse__Output>): grpc.ClientUnaryCall;
  Write(argument: _vstor_v1_VDiskWriteRequest, callback: grpc.requestCallback<_vstor_v1_VDiskWriteResponse__Output>): grpc.ClientUnaryCall;
  write(argument: _vstor_v1_VDiskWriteRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vstor_v1_VDiskWriteResponse__Output>): grpc.ClientUnaryCall;
  write(argument: _vstor_v1_VDiskWriteRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_vstor_v1_VDiskWriteResponse__Output>): grpc.ClientUnaryCall;
  write(argument: _vstor_v1_VDiskWriteRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_vstor_v1_VDiskWriteResponse__Output>): grpc.ClientUnaryCall;
  write(argument: _vstor_v1_VDiskWriteRequest, callback: grpc.requestCallback<_vstor_v1_VDiskWriteResponse__Output>): grpc.ClientUnaryCall;
  
  WriteZeroes(argument: _vstor_v1_VDiskRangeRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vstor_v1_VDiskRangeResponse__Output>): grpc.ClientUnaryCall;
  WriteZeroes(argument: _vstor_v1_VDiskRangeRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_vstor_v1_VDiskRangeResponse__Output>): grpc.ClientUnaryCall;
  WriteZeroes(argument: _vstor_v1_VDiskRangeRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_vstor_v1_VDiskRangeResponse__Output>): grpc.ClientUnaryCall;
  WriteZeroes(argument: _vstor_v1_VDiskRangeRequest, callback: grpc.requestCallback<_vstor_v1_VDiskRangeResponse__Output>): grpc.ClientUnaryCall;
  writeZeroes(argument: _vstor_v1_VDiskRangeRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vstor_v1_VDiskRangeResponse__Output>): grpc.ClientUnaryCall;
  writeZeroes(argument: _vstor_v1_VDiskRangeRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_vstor_v1_VDiskRangeResponse__Output>): grpc.ClientUnaryCall;
  writeZeroes(argument: _vstor_v1_VDiskRangeRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_vstor_v1_VDiskRangeResponse__Output>): grpc.ClientUnaryCall;
  writeZeroes(argument: _vstor_v1_VDiskRangeRequest, callback: grpc.requestCallback<_vstor_v1_VDiskRangeResponse__Output>): grpc.ClientUnaryCall;
  
}

export interface VDisksHandlers extends grpc.UntypedServiceImplementation {
  AllocationMap: grpc.handleUnaryCall<_vstor_v1_AllocationMapRequest__Output, _vstor_v1_AllocationMapResponse>;
  
  Clone: grpc.handleUnaryCall<_vstor_v1_CloneRequest__Output, _vstor_v1_CloneResponse>;
  
  CreateSnapshot: grpc.handleUnaryCall<_vstor_v1_CreateSnapshotRequest__Output, _vstor_v1_CreateSnapshotResponse>;
  
  CreateVDisk: grpc.handleUnaryCall<_vstor_v1_CreateVDiskRequest__Output, _vstor_v1_CreateVDiskResponse>;
  
  DeleteSnapshot: grpc.handleUnaryCall<_vstor_v1_DeleteSnapshotRequest__Output, _vstor_v1_DeleteSnapshotResponse>;
  
  DeleteVDisk: grpc.handleUnaryCall<_vstor_v1_DeleteVDiskRequest__Output, _vstor_v1_DeleteVDiskResponse>;
  
  Diff: grpc.handleUnaryCall<_vstor_v1_DiffRequest__Output, _vstor_v1_DiffResponse>;
  
  Flatten: grpc.handleUnaryCall<_vstor_v1_FlattenRequest__Output, _vstor_v1_FlattenResponse>;
  
  Flush: grpc.handleUnaryCall<_vstor_v1_VDiskFlushRequest__Output, _vstor_v1_VDiskFlushResponse>;
  
  GetVDisk: grpc.handleUnaryCall<_vstor_v1_GetVDiskRequest__Output, _vstor_v1_GetVDiskResponse>;
  
  ListSnapshots: grpc.handleUnaryCall<_vstor_v1_ListSnapshotsRequest__Output, _vstor_v1_ListSnapshotsResponse>;
  
  ListVDisks: grpc.handleUnaryCall<_vstor_v1_ListVDisksRequest__Output, _vstor_v1_ListVDisksResponse>;
  
  Read: grpc.handleUnaryCall<_vstor_v1_VDiskReadRequest__Output, _vstor_v1_VDiskReadResponse>;
  
  ResizeVDisk: grpc.handleUnaryCall<_vstor_v1_ResizeVDiskRequest__Output, _vstor_v1_ResizeVDiskResponse>;
  
  Rollback: grpc.handleUnaryCall<_vstor_v1_RollbackRequest__Output, _vstor_v1_RollbackResponse>;
  
  Session: grpc.handleBidiStreamingCall<_vstor_v1_VDiskSessionRequest__Output, _vstor_v1_VDiskSessionResponse>;
  
  Trim: grpc.handleUnaryCall<_vstor_v1_VDiskRangeRequest__Output, _vstor_v1_VDiskRangeResponse>;
  
  Write: grpc.handleUnaryCall<_vstor_v1_VDiskWriteRequest__Output, _vstor_v1_VDiskWriteResponse>;
  
  WriteZeroes: grpc.handleUnaryCall<_vstor_v1_VDiskRangeRequest__Output, _vstor_v1_VDiskRangeResponse>;
  
}

export interface VDisksDefinition extends grpc.ServiceDefinition {
  AllocationMap: MethodDefinition<_vstor_v1_AllocationMapRequest, _vstor_v1_AllocationMapResponse, _vstor_v1_AllocationMapRequest__Output, _vstor_v1_AllocationMapResponse__Output>
  Clone: MethodDefinition<_vstor_v1_CloneRequest, _vstor_v1_CloneResponse, _vstor_v1_CloneRequest__Output, _vstor_v1_CloneResponse__Output>
  CreateSnapshot: MethodDefinition<_vstor_v1_CreateSnapshotRequest, _vstor_v1_CreateSnapshotResponse, _vstor_v1_CreateSnapshotRequest__Output, _vstor_v1_CreateSnapshotResponse__Output>
  CreateVDisk: MethodDefinition<_vstor_v1_CreateVDiskRequest, _vstor_v1_CreateVDiskResponse, _vstor_v1_CreateVDiskRequest__Output, _vstor_v1_CreateVDiskResponse__Output>
  DeleteSnapshot: MethodDefinition<_vstor_v1_DeleteSnapshotRequest, _vstor_v1_DeleteSnapshotResponse, _vstor_v1_DeleteSnapshotRequest__Output, _vstor_v1_DeleteSnapshotResponse__Output>
  DeleteVDisk: MethodDefinition<_vstor_v1_DeleteVDiskRequest, _vstor_v1_DeleteVDiskResponse, _vstor_v1_DeleteVDiskRequest__Output, _vstor_v1_DeleteVDiskResponse__Output>
  Diff: MethodDefinition<_vstor_v1_DiffRequest, _vstor_v1_DiffResponse, _vstor_v1_DiffRequest__Output, _vstor_v1_DiffResponse__Output>
  Flatten: MethodDefinition<_vstor_v1_FlattenRequest, _vstor_v1_FlattenResponse, _vstor_v1_FlattenRequest__Output, _vstor_v1_FlattenResponse__Output>
  Flush: MethodDefinition<_vstor_v1_VDiskFlushRequest, _vstor_v1_VDiskFlushResponse, _vstor_v1_VDiskFlushRequest__Output, _vstor_v1_VDiskFlushResponse__Output>
  GetVDisk: MethodDefinition<_vstor_v1_GetVDiskRequest, _vstor_v1_GetVDiskResponse, _vstor_v1_GetVDiskRequest__Output, _vstor_v1_GetVDiskResponse__Output>
  ListSnapshots: MethodDefinition<_vstor_v1_ListSnapshotsRequest, _vstor_v1_ListSnapshotsResponse, _vstor_v1_ListSnapshotsRequest__Output, _vstor_v1_ListSnapshotsResponse__Output>
  ListVDisks: MethodDefinition<_vstor_v1_ListVDisksRequest, _vstor_v1_ListVDisksResponse, _vstor_v1_ListVDisksRequest__Output, _vstor_v1_ListVDisksResponse__Output>
  Read: MethodDefinition<_vstor_v1_VDiskReadRequest, _vstor_v1_VDiskReadResponse, _vstor_v1_VDiskReadRequest__Output, _vstor_v1_VDiskReadResponse__Output>
  ResizeVDisk: MethodDefinition<_vstor_v1_ResizeVDiskRequest, _vstor_v1_ResizeVDiskResponse, _vstor_v1_ResizeVDiskRequest__Output, _vstor_v1_ResizeVDiskResponse__Output>
  Rollback: MethodDefinition<_vstor_v1_RollbackRequest, _vstor_v1_RollbackResponse, _vstor_v1_RollbackRequest__Output, _vstor_v1_RollbackResponse__Output>
  Session: MethodDefinition<_vstor_v1_VDiskSessionRequest, _vstor_v1_VDiskSessionResponse, _vstor_v1_VDiskSessionRequest__Output, _vstor_v1_VDiskSessionResponse__Output>
  Trim: MethodDefinition<_vstor_v1_VDiskRangeRequest, _vstor_v1_VDiskRangeResponse, _vstor_v1_VDiskRangeRequest__Output, _vstor_v1_VDiskRangeResponse__Output>
  Write: MethodDefinition<_vstor_v1_VDiskWriteRequest, _vstor_v1_VDiskWriteResponse, _vstor_v1_VDiskWriteRequest__Output, _vstor_v1_VDiskWriteResponse__Output>
  WriteZeroes: MethodDefinition<_vstor_v1_VDiskRangeRequest, _vstor_v1_VDiskRangeResponse, _vstor_v1_VDiskRangeRequest__Output, _vstor_v1_VDiskRangeResponse__Output>
}
