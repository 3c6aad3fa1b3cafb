// Original file: proto/vstor/v1/cluster.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { MemberAddRequest as _vstor_v1_MemberAddRequest, MemberAddRequest__Output as _vstor_v1_MemberAddRequest__Output } from '../../vstor/v1/MemberAddRequest.ts';
import type { MemberAddResponse as _vstor_v1_MemberAddResponse, MemberAddResponse__Output as _vstor_v1_MemberAddResponse__Output } from '../../vstor/v1/MemberAddResponse.ts';
import type { MemberListRequest as _vstor_v1_MemberListRequest, MemberListRequest__Output as _vstor_v1_MemberListRequest__Output } from '../../vstor/v1/MemberListRequest.ts';
import type { MemberListResponse as _vstor_v1_MemberListResponse, MemberListResponse__Output as _vstor_v1_MemberListResponse__Output } from '../../vstor/v1/MemberListResponse.ts';
import type { MemberPromoteRequest as _vstor_v1_MemberPromoteRequest, MemberPromoteRequest__Output as _vstor_v1_MemberPromoteRequest__Output } from '../../vstor/v1/MemberPromoteRequest.ts';
import type { MemberPromoteResponse as _vstor_v1_MemberPromoteResponse, MemberPromoteResponse__Output as _vstor_v1_MemberPromoteResponse__Output } from '../../vstor/v1/MemberPromoteResponse.ts';
import type { MemberRemoveRequest as _vstor_v1_MemberRemoveRequest, MemberRemoveRequest__Output as _vstor_v1_MemberRemoveRequest__Output } from '../../vstor/v1/MemberRemoveRequest.ts';
import type { MemberRemoveResponse as _vstor_v1_MemberRemoveResponse, MemberRemoveResponse__Output as _vstor_v1_MemberRemoveResponse__Output } from '../../vstor/v1/MemberRemoveResponse.ts';
import type { StatusRequest as _vstor_v1_StatusRequest, StatusRequest__Output as _vstor_v1_StatusRequest__Output } from '../../vstor/v1/StatusRequest.ts';
import type { StatusResponse as _vstor_v1_StatusResponse, StatusResponse__Output as _vstor_v1_StatusResponse__Output } from '../../vstor/v1/StatusResponse.ts';
import type { TransferLeadershipRequest as _vstor_v1_TransferLeadershipRequest, TransferLeadershipRequest__Output as _vstor_v1_TransferLeadershipRequest__Output } from '../../vstor/v1/TransferLeadershipRequest.ts';
import type { TransferLeadershipResponse as _vstor_v1_TransferLeadershipResponse, TransferLeadershipResponse__Output as _vstor_v1_TransferLeadershipResponse__Output } from '../../vstor/v1/TransferLeadershipResponse.ts';

export interface ClusterClient extends grpc.Client {
  MemberAdd(argument: _vstor_v1_MemberAddRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vstor_v1_MemberAddResponse__Output>): grpc.ClientUnaryCall;
  MemberAdd(argument: _vstor_v1_MemberAddRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_vstor_v1_MemberAddResponse__Output>): grpc.ClientUnaryCall;
  MemberAdd(argument: _vstor_v1_MemberAddRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_vstor_v1_MemberAddResponse__Output>): grpc.ClientUnaryCall;
  MemberAdd(argument: _vstor_v1_MemberAddRequest, callback: grpc.requestCallback<_vstor_v1_MemberAddResponse__Output>): grpc.ClientUnaryCall;
  memberAdd(argument: _vstor_v1_MemberAddRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vstor_v1_MemberAddResponse__Output>): grpc.ClientUnaryCall;
  memberAdd(argument: _vstor_v1_MemberAddRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_vstor_v1_MemberAddResponse__Output>): grpc.ClientUnaryCall;
  memberAdd(argument: _vstor_v1_MemberAddRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_vstor_v1_MemberAddResponse__Output>): grpc.ClientUnaryCall;
  memberAdd(argument: _vstor_v1_MemberAddRequest, callback: grpc.requestCallback<_vstor_v1_MemberAddResponse__Output>): grpc.ClientUnaryCall;
  
  MemberList(argument: _vstor_v1_MemberListRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vstor_v1_MemberListResponse__Output>): grpc.ClientUnaryCall;
  MemberList(argument: _vstor_v1_MemberListRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_vstor_v1_MemberListResponse__Output>): grpc.ClientUnaryCall;
  MemberList(argument: _vstor_v1_MemberListRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_vstor_v1_MemberListResponse__Output>): grpc.ClientUnaryCall;
  MemberList(argument: _vstor_v1_MemberListRequest, callback: grpc.requestCallback<_vstor_v1_MemberListResponse__Output>): grpc.ClientUnaryCall;
  memberList(argument: _vstor_v1_MemberListRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vstor_v1_MemberListResponse__Output>): grpc.ClientUnaryCall;
  memberList(argument: _vstor_v1_MemberListRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_vstor_v1_MemberListResponse__Output>): grpc.ClientUnaryCall;
  memberList(argument: _vstor_v1_MemberListRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_vstor_v1_MemberListResponse__Output>): grpc.ClientUnaryCall;
  memberList(argument: _vstor_v1_MemberListRequest, callback: grpc.requestCallback<_vstor_v1_MemberListResponse__Output>): grpc.ClientUnaryCall;
  
  MemberPromote(argument: _vstor_v1_MemberPromoteRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vstor_v1_MemberPromoteResponse__Output>): grpc.ClientUnaryCall;
  MemberPromote(argument: _vstor_v1_MemberPromoteRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_vstor_v1_MemberPromoteResponse__Output>): grpc.ClientUnaryCall;
  MemberPromote(argument: _vstor_v1_MemberPromoteRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_vstor_v1_MemberPromoteResponse__Output>): grpc.ClientUnaryCall;
  MemberPromote(argument: _vstor_v1_MemberPromoteRequest, callback: grpc.requestCallback<_vstor_v1_MemberPromoteResponse__Output>): grpc.ClientUnaryCall;
  memberPromote(argument: _vstor_v1_MemberPromoteRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vstor_v1_MemberPromoteResponse__Output>): grpc.ClientUnaryCall;
  memberPromote(argument: _vstor_v1_MemberPromoteRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_vstor_v1_MemberPromoteResponse__Output>): grpc.ClientUnaryCall;
  memberPromote(argument: _vstor_v1_MemberPromoteRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_vstor_v1_MemberPromoteResponse__Output>): grpc.ClientUnaryCall;
  memberPromote(argument: _vstor_v1_MemberPromoteRequest, callback: grpc.requestCallback<_vstor_v1_MemberPromoteResponse__Output>): grpc.ClientUnaryCall;
  
  MemberRemove(argument: _vstor_v1_MemberRemoveRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vstor_v1_MemberRemoveResponse__Output>): grpc.ClientUnaryCall;
  MemberRemove(argument: _vstor_v1_MemberRemoveRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_vstor_v1_MemberRemoveResponse__Output>): grpc.ClientUnaryCall;
  MemberRemove(argument: _vstor_v1_MemberRemoveRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_vstor_v1_MemberRemoveResponse__Output>): grpc.ClientUnaryCall;
  MemberRemove(argument: _vstor_v1_MemberRemoveRequest, callback: grpc.requestCallback<_vstor_v1_MemberRemoveResponse__Output>): grpc.ClientUnaryCall;
  memberRemove(argument: _vstor_v1_MemberRemoveRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vstor_v1_MemberRemoveResponse__Output>): grpc.ClientUnaryCall;
  memberRemove(argument: _vstor_v1_MemberRemoveRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_vstor_v1_MemberRemoveResponse__Output>): grpc.ClientUnaryCall;
  memberRemove(argument: _vstor_v1_MemberRemoveRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_vstor_v1_MemberRemoveResponse__Output>): grpc.ClientUnaryCall;
  memberRemove(argument: _vstor_v1_MemberRemoveRequest, callback: grpc.requestCallback<_vstor_v1_MemberRemoveResponse__Output>): grpc.ClientUnaryCall;
  
  Status(argument: _vstor_v1_StatusRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vstor_v1_StatusResponse__Output>): grpc.ClientUnaryCall;
  Status(argument: _vstor_v1_StatusRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_vstor_v1_StatusResponse__Output>): grpc.ClientUnaryCall;
  Status(argument: _vstor_v1_StatusRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_vstor_v1_StatusResponse__Output>): grpc.ClientUnaryCall;
  Status(argument: _vstor_v1_StatusRequest, callback: grpc.requestCallback<_vstor_v1_StatusResponse__Output>): grpc.ClientUnaryCall;
  status(argument: _vstor_v1_StatusRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vstor_v1_StatusResponse__Output>): grpc.ClientUnaryCall;
  status(argument: _vstor_v1_StatusRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_vstor_v1_StatusResponse__Output>): grpc.ClientUnaryCall;
  status(argument: _vstor_v1_StatusRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_vstor_v1_StatusResponse__Output>): grpc.ClientUnaryCall;
  status(argument: _vstor_v1_StatusRequest, callback: grpc.requestCallback<_vstor_v1_StatusResponse__Output>): grpc.ClientUnaryCall;
  
  TransferLeadership(argument: _vstor_v1_TransferLeadershipRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vstor_v1_TransferLeadershipResponse__Output>): grpc.ClientUnaryCall;
  TransferLeadership(argument: _vstor_v1_TransferLeadershipRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_vstor_v1_TransferLeadershipResponse__Output>): grpc.ClientUnaryCall;
  TransferLeadership(argument: _vstor_v1_TransferLeadershipRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_vstor_v1_TransferLeadershipResponse__Output>): grpc.ClientUnaryCall;
  TransferLeadership(argument: _vstor_v1_TransferLeadershipRequest, callback: grpc.requestCallback<_vstor_v1_TransferLeadershipResponse__Output>): grpc.ClientUnaryCall;
  transferLeadership(argument: _vstor_v1_TransferLeadershipRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vstor_v1_TransferLeadershipResponse__Output>): grpc.ClientUnaryCall;
  transferLeadership(argument: _vstor_v1_TransferLeadershipRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_vstor_v1_TransferLeadershipResponse__Output>): grpc.ClientUnaryCall;
  transferLeadership(argument: _vstor_v1_TransferLeadershipRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_vstor_v1_TransferLeadershipResponse__Output>): grpc.ClientUnaryCall;
  transferLeadership(argument: _vstor_v1_TransferLeadershipRequest, callback: grpc.requestCallback<_vstor_v1_TransferLeadershipResponse__Output>): grpc.ClientUnaryCall;
  
}

export interface ClusterHandlers extends grpc.UntypedServiceImplementation {
  MemberAdd: grpc.handleUnaryCall<_vstor_v1_MemberAddRequest__Output, _vstor_v1_MemberAddResponse>;
  
  MemberList: grpc.handleUnaryCall<_vstor_v1_MemberListRequest__Output, _vstor_v1_MemberListResponse>;
  
  MemberPromote: grpc.handleUnaryCall<_vstor_v1_MemberPromoteRequest__Output, _vstor_v1_MemberPromoteResponse>;
  
  MemberRemove: grpc.handleUnaryCall<_vstor_v1_MemberRemoveRequest__Output, _vstor_v1_MemberRemoveResponse>;
  
  Status: grpc.handleUnaryCall<_vstor_v1_StatusRequest__Output, _vstor_v1_StatusResponse>;
  
  TransferLeadership: grpc.handleUnaryCall<_vstor_v1_TransferLeadershipRequest__Output, _vstor_v1_TransferLeadershipResponse>;
  
}

export interface ClusterDefinition extends grpc.ServiceDefinition {
  MemberAdd: MethodDefinition<_vstor_v1_MemberAddRequest, _vstor_v1_MemberAddResponse, _vstor_v1_MemberAddRequest__Output, _vstor_v1_MemberAddResponse__Output>
  MemberList: MethodDefinition<_vstor_v1_MemberListRequest, _vstor_v1_MemberListResponse, _vstor_v1_MemberListRequest__Output, _vstor_v1_MemberListResponse__Output>
  MemberPromote: MethodDefinition<_vstor_v1_MemberPromoteRequest, _vstor_v1_MemberPromoteResponse, _vstor_v1_MemberPromoteRequest__Output, _vstor_v1_MemberPromoteResponse__Output>
  MemberRemove: MethodDefinition<_vstor_v1_MemberRemoveRequest, _vstor_v1_MemberRemoveResponse, _vstor_v1_MemberRemoveRequest__Output, _vstor_v1_MemberRemoveResponse__Output>
  Status: MethodDefinition<_vstor_v1_StatusRequest, _vstor_v1_StatusResponse, _vstor_v1_StatusRequest__Output, _vstor_v1_StatusResponse__Output>
  TransferLeadership: MethodDefinition<_vstor_v1_TransferLeadershipRequest, _vstor_v1_TransferLeadershipResponse, _vstor_v1_TransferLeadershipRequest__Output, _vstor_v1_TransferLeadershipResponse__Output>
}
