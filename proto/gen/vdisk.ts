import type * as grpc from '@grpc/grpc-js';
import type { MessageTypeDefinition } from '@grpc/proto-loader';

import type { AllocationExtent as _vstor_v1_AllocationExtent, AllocationExtent__Output as _vstor_v1_AllocationExtent__Output } from './vstor/v1/AllocationExtent.ts';
import type { AllocationMapRequest as _vstor_v1_AllocationMapRequest, AllocationMapRequest__Output as _vstor_v1_AllocationMapRequest__Output } from './vstor/v1/AllocationMapRequest.ts';
import type { AllocationMapResponse as _vstor_v1_AllocationMapResponse, AllocationMapResponse__Output as _vstor_v1_AllocationMapResponse__Output } from './vstor/v1/AllocationMapResponse.ts';
import type { BlockRange as _vstor_v1_BlockRange, BlockRange__Output as _vstor_v1_BlockRange__Output } from './vstor/v1/BlockRange.ts';
import type { CloneRequest as _vstor_v1_CloneRequest, CloneRequest__Output as _vstor_v1_CloneRequest__Output } from './vstor/v1/CloneRequest.ts';
import type { CloneResponse as _vstor_v1_CloneResponse, CloneResponse__Output as _vstor_v1_CloneResponse__Output } from './vstor/v1/CloneResponse.ts';
import type { Compare as _vstor_v1_Compare, Compare__Output as _vstor_v1_Compare__Output } from './vstor/v1/Compare.ts';
import type { CreateSnapshotRequest as _vstor_v1_CreateSnapshotRequest, CreateSnapshotRequest__Output as _vstor_v1_CreateSnapshotRequest__Output } from './vstor/v1/CreateSnapshotRequest.ts';
import type { CreateSnapshotResponse as _vstor_v1_CreateSnapshotResponse, CreateSnapshotResponse__Output as _vstor_v1_CreateSnapshotResponse__Output } from './vstor/v1/CreateSnapshotResponse.ts';
import type { CreateVDiskRequest as _vstor_v1_CreateVDiskRequest, CreateVDiskRequest__Output as _vstor_v1_CreateVDiskRequest__Output } from './vstor/v1/CreateVDiskRequest.ts';
import type { CreateVDiskResponse as _vstor_v1_CreateVDiskResponse, CreateVDiskResponse__Output as _vstor_v1_CreateVDiskResponse__Output } from './vstor/v1/CreateVDiskResponse.ts';
import type { DeleteRangeRequest as _vstor_v1_DeleteRangeRequest, DeleteRangeRequest__Output as _vstor_v1_DeleteRangeRequest__Output } from './vstor/v1/DeleteRangeRequest.ts';
import type { DeleteRangeResponse as _vstor_v1_DeleteRangeResponse, DeleteRangeResponse__Output as _vstor_v1_DeleteRangeResponse__Output } from './vstor/v1/DeleteRangeResponse.ts';
import type { DeleteSnapshotRequest as _vstor_v1_DeleteSnapshotRequest, DeleteSnapshotRequest__Output as _vstor_v1_DeleteSnapshotRequest__Output } from './vstor/v1/DeleteSnapshotRequest.ts';
import type { DeleteSnapshotResponse as _vstor_v1_DeleteSnapshotResponse, DeleteSnapshotResponse__Output as _vstor_v1_DeleteSnapshotResponse__Output } from './vstor/v1/DeleteSnapshotResponse.ts';
import type { DeleteVDiskRequest as _vstor_v1_DeleteVDiskRequest, DeleteVDiskRequest__Output as _vstor_v1_DeleteVDiskRequest__Output } from './vstor/v1/DeleteVDiskRequest.ts';
import type { DeleteVDiskResponse as _vstor_v1_DeleteVDiskResponse, DeleteVDiskResponse__Output as _vstor_v1_DeleteVDiskResponse__Output } from './vstor/v1/DeleteVDiskResponse.ts';
import type { DiffRequest as _vstor_v1_DiffRequest, DiffRequest__Output as _vstor_v1_DiffRequest__Output } from './vstor/v1/DiffRequest.ts';
import type { DiffResponse as _vstor_v1_DiffResponse, DiffResponse__Output as _vstor_v1_DiffResponse__Output } from './vstor/v1/DiffResponse.ts';
import type { Event as _vstor_v1_Event, Event__Output as _vstor_v1_Event__Output } from './vstor/v1/Event.ts';
import type { FlattenRequest as _vstor_v1_FlattenRequest, FlattenRequest__Output as _vstor_v1_FlattenRequest__Output } from './vstor/v1/FlattenRequest.ts';
import type { FlattenResponse as _vstor_v1_FlattenResponse, FlattenResponse__Output as _vstor_v1_FlattenResponse__Output } from './vstor/v1/FlattenResponse.ts';
import type { GetVDiskRequest as _vstor_v1_GetVDiskRequest, GetVDiskRequest__Output as _vstor_v1_GetVDiskRequest__Output } from './vstor/v1/GetVDiskRequest.ts';
import type { GetVDiskResponse as _vstor_v1_GetVDiskResponse, GetVDiskResponse__Output as _vstor_v1_GetVDiskResponse__Output } from './vstor/v1/GetVDiskResponse.ts';
import type { KVClient as _vstor_v1_KVClient, KVDefinition as _vstor_v1_KVDefinition } from './vstor/v1/KV.ts';
import type { KeyValue as _vstor_v1_KeyValue, KeyValue__Output as _vstor_v1_KeyValue__Output } from './vstor/v1/KeyValue.ts';
import type { ListSnapshotsRequest as _vstor_v1_ListSnapshotsRequest, ListSnapshotsRequest__Output as _vstor_v1_ListSnapshotsRequest__Output } from './vstor/v1/ListSnapshotsRequest.ts';
import type { ListSnapshotsResponse as _vstor_v1_ListSnapshotsResponse, ListSnapshotsResponse__Output as _vstor_v1_ListSnapshotsResponse__Output } from './vstor/v1/ListSnapshotsResponse.ts';
import type { ListVDisksRequest as _vstor_v1_ListVDisksRequest, ListVDisksRequest__Output as _vstor_v1_ListVDisksRequest__Output } from './vstor/v1/ListVDisksRequest.ts';
import type { ListVDisksResponse as _vstor_v1_ListVDisksResponse, ListVDisksResponse__Output as _vstor_v1_ListVDisksResponse__Output } from './vstor/v1/ListVDisksResponse.ts';
import type { PutRequest as _vstor_v1_PutRequest, PutRequest__Output as _vstor_v1_PutRequest__Output } from './vstor/v1/PutRequest.ts';
import type { PutResponse as _vstor_v1_PutResponse, PutResponse__Output as _vstor_v1_PutResponse__Output } from './vstor/v1/PutResponse.ts';
import type { RangeRequest as _vstor_v1_RangeRequest, RangeRequest__Output as _vstor_v1_RangeRequest__Output } from './vstor/v1/RangeRequest.ts';
import type { RangeResponse as _vstor_v1_RangeResponse, RangeResponse__Output as _vstor_v1_RangeResponse__Output } from './vstor/v1/RangeResponse.ts';
import type { RequestOp as _vstor_v1_RequestOp, RequestOp__Output as _vstor_v1_RequestOp__Output } from './vstor/v1/RequestOp.ts';
import type { ResizeVDiskRequest as _vstor_v1_ResizeVDiskRequest, ResizeVDiskRequest__Output as _vstor_v1_ResizeVDiskRequest__Output } from './vstor/v1/ResizeVDiskRequest.ts';
import type { ResizeVDiskResponse as _vstor_v1_ResizeVDiskResponse, ResizeVDiskResponse__Output as _vstor_v1_ResizeVDiskResponse__Output } from './vstor/v1/ResizeVDiskResponse.ts';
import type { ResponseHeader as _vstor_v1_ResponseHeader, ResponseHeader__Output as _vstor_v1_ResponseHeader__Output } from './vstor/v1/ResponseHeader.ts';
import type { ResponseOp as _vstor_v1_ResponseOp, ResponseOp__Output as _vstor_v1_ResponseOp__Output } from './vstor/v1/ResponseOp.ts';
import type { RollbackRequest as _vstor_v1_RollbackRequest, RollbackRequest__Output as _vstor_v1_RollbackRequest__Output } from './vstor/v1/RollbackRequest.ts';
import type { RollbackResponse as _vstor_v1_RollbackResponse, RollbackResponse__Output as _vstor_v1_RollbackResponse__Output } from './vstor/v1/RollbackResponse.ts';
import type { SessionError as _vstor_v1_SessionError, SessionError__Output as _vstor_v1_SessionError__Output } from './vstor/v1/SessionError.ts';
import type { SessionRequest as _vstor_v1_SessionRequest, SessionRequest__Output as _vstor_v1_SessionRequest__Output } from './vstor/v1/SessionRequest.ts';
import type { SessionResponse as _vstor_v1_SessionResponse, SessionResponse__Output as _vstor_v1_SessionResponse__Output } from './vstor/v1/SessionResponse.ts';
import type { TxnRequest as _vstor_v1_TxnRequest, TxnRequest__Output as _vstor_v1_TxnRequest__Output } from './vstor/v1/TxnRequest.ts';
import type { TxnResponse as _vstor_v1_TxnResponse, TxnResponse__Output as _vstor_v1_TxnResponse__Output } from './vstor/v1/TxnResponse.ts';
import type { VDisk as _vstor_v1_VDisk, VDisk__Output as _vstor_v1_VDisk__Output } from './vstor/v1/VDisk.ts';
import type { VDiskFlushRequest as _vstor_v1_VDiskFlushRequest, VDiskFlushRequest__Output as _vstor_v1_VDiskFlushRequest__Output } from './vstor/v1/VDiskFlushRequest.ts';
import type { VDiskFlushResponse as _vstor_v1_VDiskFlushResponse, VDiskFlushResponse__Output as _vstor_v1_VDiskFlushResponse__Output } from './vstor/v1/VDiskFlushResponse.ts';
import type { VDiskParent as _vstor_v1_VDiskParent, VDiskParent__Output as _vstor_v1_VDiskParent__Output } from './vstor/v1/VDiskParent.ts';
import type { VDiskRangeRequest as _vstor_v1_VDiskRangeRequest, VDiskRangeRequest__Output as _vstor_v1_VDiskRangeRequest__Output } from './vstor/v1/VDiskRangeRequest.ts';
import type { VDiskRangeResponse as _vstor_v1_VDiskRangeResponse, VDiskRangeResponse__Output as _vstor_v1_VDiskRangeResponse__Output } from './vstor/v1/VDiskRangeResponse.ts';
import type { VDiskReadRequest as _vstor_v1_VDiskReadRequest, VDiskReadRequest__Output as _vstor_v1_VDiskReadRequest__Output } from './vstor/v1/VDiskReadRequest.ts';
import type { VDiskReadResponse as _vstor_v1_VDiskReadResponse, VDiskReadResponse__Output as _vstor_v1_VDiskReadResponse__Output } from './vstor/v1/VDiskReadResponse.ts';
import type { VDiskSessionRequest as _vstor_v1_VDiskSessionRequest, VDiskSessionRequest__Output as _vstor_v1_VDiskSessionRequest__Output } from './vstor/v1/VDiskSessionRequest.ts';
import type { VDiskSessionResponse as _vstor_v1_VDiskSessionResponse, VDiskSessionResponse__Output as _vstor_v1_VDiskSessionResponse__Output } from './vstor/v1/VDiskSessionResponse.ts';
import type { VDiskSnapshot as _vstor_v1_VDiskSnapshot, VDiskSnapshot__Output as _vstor_v1_VDiskSnapshot__Output } from './vstor/v1/VDiskSnapshot.ts';
import type { VDiskWriteRequest as _vstor_v1_VDiskWriteRequest, VDiskWriteRequest__Output as _vstor_v1_VDiskWriteRequest__Output } from './vstor/v1/VDiskWriteRequest.ts';
import type { VDiskWriteResponse as _vstor_v1_VDiskWriteResponse, VDiskWriteResponse__Output as _vstor_v1_VDiskWriteResponse__Output } from './vstor/v1/VDiskWriteResponse.ts';
import type { VDisksClient as _vstor_v1_VDisksClient, VDisksDefinition as _vstor_v1_VDisksDefinition } from './vstor/v1/VDisks.ts';
import type { WatchRequest as _vstor_v1_WatchRequest, WatchRequest__Output as _vstor_v1_WatchRequest__Output } from './vstor/v1/WatchRequest.ts';
import type { WatchResponse as _vstor_v1_WatchResponse, WatchResponse__Output as _vstor_v1_WatchResponse__Output } from './vstor/v1/WatchResponse.ts';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  vstor: {
    v1: {
      AllocationExtent: MessageTypeDefinition<_vstor_v1_AllocationExtent, _vstor_v1_AllocationExtent__Output>
      AllocationMapRequest: MessageTypeDefinition<_vstor_v1_AllocationMapRequest, _vstor_v1_AllocationMapRequest__Output>
      AllocationMapResponse: MessageTypeDefinition<_vstor_v1_AllocationMapResponse, _vstor_v1_AllocationMapResponse__Output>
      BlockRange: MessageTypeDefinition<_vstor_v1_BlockRange, _vstor_v1_BlockRange__Output>
      CloneRequest: MessageTypeDefinition<_vstor_v1_CloneRequest, _vstor_v1_CloneRequest__Output>
      CloneResponse: MessageTypeDefinition<_vstor_v1_CloneResponse, _vstor_v1_CloneResponse__Output>
      Compare: MessageTypeDefinition<_vstor_v1_Compare, _vstor_v1_Compare__Output>
      CreateSnapshotRequest: MessageTypeDefinition<_vstor_v1_CreateSnapshotRequest, _vstor_v1_CreateSnapshotRequest__Output>
      CreateSnapshotResponse: MessageTypeDefinition<_vstor_v1_CreateSnapshotResponse, _vstor_v1_CreateSnapshotResponse__Output>
      CreateVDiskRequest: MessageTypeDefinition<_vstor_v1_CreateVDiskRequest, _vstor_v1_CreateVDiskRequest__Output>
      CreateVDiskResponse: MessageTypeDefinition<_vstor_v1_CreateVDiskResponse, _vstor_v1_CreateVDiskResponse__Output>
      DeleteRangeRequest: MessageTypeDefinition<_vstor_v1_DeleteRangeRequest, _vstor_v1_DeleteRangeRequest__Output>
      DeleteRangeResponse: MessageTypeDefinition<_vstor_v1_DeleteRangeResponse, _vstor_v1_DeleteRangeResponse__Output>
      DeleteSnapshotRequest: MessageTypeDefinition<_vstor_v1_DeleteSnapshotRequest, _vstor_v1_DeleteSnapshotRequest__Output>
      DeleteSnapshotResponse: MessageTypeDefinition<_vstor_v1_DeleteSnapshotResponse, _vstor_v1_DeleteSnapshotResponse__Output>
      DeleteVDiskRequest: MessageTypeDefinition<_vstor_v1_DeleteVDiskRequest, _vstor_v1_DeleteVDiskRequest__Output>
      DeleteVDiskResponse: MessageTypeDefinition<_vstor_v1_DeleteVDiskResponse, _vstor_v1_DeleteVDiskResponse__Output>
      DiffRequest: MessageTypeDefinition<_vstor_v1_DiffRequest, _vstor_v1_DiffRequest__Output>
      DiffResponse: MessageTypeDefinition<_vstor_v1_DiffResponse, _vstor_v1_DiffResponse__Output>
      Event: MessageTypeDefinition<_vstor_v1_Event, _vstor_v1_Event__Output>
      FlattenRequest: MessageTypeDefinition<_vstor_v1_FlattenRequest, _vstor_v1_FlattenRequest__Output>
      FlattenResponse: MessageTypeDefinition<_vstor_v1_FlattenResponse, _vstor_v1_FlattenResponse__Output>
      GetVDiskRequest: MessageTypeDefinition<_vstor_v1_GetVDiskRequest, _vstor_v1_GetVDiskRequest__Output>
      GetVDiskResponse: MessageTypeDefinition<_vstor_v1_GetVDiskResponse, _vstor_v1_GetVDiskResponse__Output>
      KV: SubtypeConstructor<typeof grpc.Client, _vstor_v1_KVClient> & { service: _vstor_v1_KVDefinition }
      KeyValue: MessageTypeDefinition<_vstor_v1_KeyValue, _vstor_v1_KeyValue__Output>
      ListSnapshotsRequest: MessageTypeDefinition<_vstor_v1_ListSnapshotsRequest, _vstor_v1_ListSnapshotsRequest__Output>
      ListSnapshotsResponse: MessageTypeDefinition<_vstor_v1_ListSnapshotsResponse, _vstor_v1_ListSnapshotsResponse__Output>
      ListVDisksRequest: MessageTypeDefinition<_vstor_v1_ListVDisksRequest, _vstor_v1_ListVDisksRequest__Output>
      ListVDisksResponse: MessageTypeDefinition<_vstor_v1_ListVDisksResponse, _vstor_v1_ListVDisksResponse__Output>
      PutRequest: MessageTypeDefinition<_vstor_v1_PutRequest, _vstor_v1_PutRequest__Output>
      PutResponse: MessageTypeDefinition<_vstor_v1_PutResponse, _vstor_v1_PutResponse__Output>
      RangeRequest: MessageTypeDefinition<_vstor_v1_RangeRequest, _vstor_v1_RangeRequest__Output>
      RangeResponse: MessageTypeDefinition<_vstor_v1_RangeResponse, _vstor_v1_RangeResponse__Output>
      RequestOp: MessageTypeDefinition<_vstor_v1_RequestOp, _vstor_v1_RequestOp__Output>
      ResizeVDiskRequest: MessageTypeDefinition<_vstor_v1_ResizeVDiskRequest, _vstor_v1_ResizeVDiskRequest__Output>
      ResizeVDiskResponse: MessageTypeDefinition<_vstor_v1_ResizeVDiskResponse, _vstor_v1_ResizeVDiskResponse__Output>
      ResponseHeader: MessageTypeDefinition<_vstor_v1_ResponseHeader, _vstor_v1_ResponseHeader__Output>
      ResponseOp: MessageTypeDefinition<_vstor_v1_ResponseOp, _vstor_v1_ResponseOp__Output>
      RollbackRequest: MessageTypeDefinition<_vstor_v1_RollbackRequest, _vstor_v1_RollbackRequest__Output>
      RollbackResponse: MessageTypeDefinition<_vstor_v1_RollbackResponse, _vstor_v1_RollbackResponse__Output>
      SessionError: MessageTypeDefinition<_vstor_v1_SessionError, _vstor_v1_SessionError__Output>
      SessionRequest: MessageTypeDefinition<_vstor_v1_SessionRequest, _vstor_v1_SessionRequest__Output>
      SessionResponse: MessageTypeDefinition<_vstor_v1_SessionResponse, _vstor_v1_SessionResponse__Output>
      TxnRequest: MessageTypeDefinition<_vstor_v1_TxnRequest, _vstor_v1_TxnRequest__Output>
      TxnResponse: MessageTypeDefinition<_vstor_v1_TxnResponse, _vstor_v1_TxnResponse__Output>
      VDisk: MessageTypeDefinition<_vstor_v1_VDisk, _vstor_v1_VDisk__Output>
      VDiskFlushRequest: MessageTypeDefinition<_vstor_v1_VDiskFlushRequest, _vstor_v1_VDiskFlushRequest__Output>
      VDiskFlushResponse: MessageTypeDefinition<_vstor_v1_VDiskFlushResponse, _vstor_v1_VDiskFlushResponse__Output>
      VDiskParent: MessageTypeDefinition<_vstor_v1_VDiskParent, _vstor_v1_VDiskParent__Output>
      VDiskRangeRequest: MessageTypeDefinition<_vstor_v1_VDiskRangeRequest, _vstor_v1_VDiskRangeRequest__Output>
      VDiskRangeResponse: MessageTypeDefinition<_vstor_v1_VDiskRangeResponse, _vstor_v1_VDiskRangeResponse__Output>
      VDiskReadRequest: MessageTypeDefinition<_vstor_v1_VDiskReadRequest, _vstor_v1_VDiskReadRequest__Output>
      VDiskReadResponse: MessageTypeDefinition<_vstor_v1_VDiskReadResponse, _vstor_v1_VDiskReadResponse__Output>
      VDiskSessionRequest: MessageTypeDefinition<_vstor_v1_VDiskSessionRequest, _vstor_v1_VDiskSessionRequest__Output>
      VDiskSessionResponse: MessageTypeDefinition<_vstor_v1_VDiskSessionResponse, _vstor_v1_VDiskSessionResponse__Output>
      VDiskSnapshot: MessageTypeDefinition<_vstor_v1_VDiskSnapshot, _vstor_v1_VDiskSnapshot__Output>
      VDiskWriteRequest: MessageTypeDefinition<_vstor_v1_VDiskWriteRequest, _vstor_v1_VDiskWriteRequest__Output>
      VDiskWriteResponse: MessageTypeDefinition<_vstor_v1_VDiskWriteResponse, _vstor_v1_VDiskWriteResponse__Output>
      VDisks: SubtypeConstructor<typeof grpc.Client, _vstor_v1_VDisksClient> & { service: _vstor_v1_VDisksDefinition }
      WatchRequest: MessageTypeDefinition<_vstor_v1_WatchRequest, _vstor_v1_WatchRequest__Output>
      WatchResponse: MessageTypeDefinition<_vstor_v1_WatchResponse, _vstor_v1_WatchResponse__Output>
    }
  }
}

