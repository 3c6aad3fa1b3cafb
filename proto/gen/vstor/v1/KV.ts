// Original file: proto/vstor/v1/kv.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { DeleteRangeRequest as _vstor_v1_DeleteRangeRequest, DeleteRangeRequest__Output as _vstor_v1_DeleteRangeRequest__Output } from '../../vstor/v1/DeleteRangeRequest.ts';
import type { DeleteRangeResponse as _vstor_v1_DeleteRangeResponse, DeleteRangeResponse__Output as _vstor_v1_DeleteRangeResponse__Output } from '../../vstor/v1/DeleteRangeResponse.ts';
import type { PutRequest as _vstor_v1_PutRequest, PutRequest__Output as _vstor_v1_PutRequest__Output } from '../../vstor/v1/PutRequest.ts';
import type { PutResponse as _vstor_v1_PutResponse, PutResponse__Output as _vstor_v1_PutResponse__Output } from '../../vstor/v1/PutResponse.ts';
import type { RangeRequest as _vstor_v1_RangeRequest, RangeRequest__Output as _vstor_v1_RangeRequest__Output } from '../../vstor/v1/RangeRequest.ts';
import type { RangeResponse as _vstor_v1_RangeResponse, RangeResponse__Output as _vstor_v1_RangeResponse__Output } from '../../vstor/v1/RangeResponse.ts';
import type { SessionRequest as _vstor_v1_SessionRequest, SessionRequest__Output as _vstor_v1_SessionRequest__Output } from '../../vstor/v1/SessionRequest.ts';
import type { SessionResponse as _vstor_v1_SessionResponse, SessionResponse__Output as _vstor_v1_SessionResponse__Output } from '../../vstor/v1/SessionResponse.ts';
import type { TxnRequest as _vstor_v1_TxnRequest, TxnRequest__Output as _vstor_v1_TxnRequest__Output } from '../../vstor/v1/TxnRequest.ts';
import type { TxnResponse as _vstor_v1_TxnResponse, TxnResponse__Output as _vstor_v1_TxnResponse__Output } from '../../vstor/v1/TxnResponse.ts';
import type { WatchRequest as _vstor_v1_WatchRequest, WatchRequest__Output as _vstor_v1_WatchRequest__Output } from '../../vstor/v1/WatchRequest.ts';
import type { WatchResponse as _vstor_v1_WatchResponse, WatchResponse__Output as _vstor_v1_WatchResponse__Output } from '../../vstor/v1/WatchResponse.ts';

export interface KVClient extends grpc.Client {
  DeleteRange(argument: _vstor_v1_DeleteRangeRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vstor_v1_DeleteRangeResponse__Output>): grpc.ClientUnaryCall;
  DeleteRange(argument: _vstor_v1_DeleteRangeRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_vstor_v1_DeleteRangeResponse__Output>): grpc.ClientUnaryCall;
  DeleteRange(argument: _vstor_v1_DeleteRangeRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_vstor_v1_DeleteRangeResponse__Output>): grpc.ClientUnaryCall;
  DeleteRange(argument: _vstor_v1_DeleteRangeRequest, callback: grpc.requestCallback<_vstor_v1_DeleteRangeResponse__Output>): grpc.ClientUnaryCall;
  deleteRange(argument: _vstor_v1_DeleteRangeRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vstor_v1_DeleteRangeResponse__Output>): grpc.ClientUnaryCall;
  deleteRange(argument: _vstor_v1_DeleteRangeRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_vstor_v1_DeleteRangeResponse__Output>): grpc.ClientUnaryCall;
  deleteRange(argument: _vstor_v1_DeleteRangeRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_vstor_v1_DeleteRangeResponse__Output>): grpc.ClientUnaryCall;
  deleteRange(argument: _vstor_v1_DeleteRangeRequest, callback: grpc.requestCallback<_vstor_v1_DeleteRangeResponse__Output>): grpc.ClientUnaryCall;
  
  Put(argument: _vstor_v1_PutRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vstor_v1_PutResponse__Output>): grpc.ClientUnaryCall;
  Put(argument: _vstor_v1_PutRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_vstor_v1_PutResponse__Output>): grpc.ClientUnaryCall;
  Put(argument: _vstor_v1_PutRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_vstor_v1_PutResponse__Output>): grpc.ClientUnaryCall;
  Put(argument: _vstor_v1_PutRequest, callback: grpc.requestCallback<_vstor_v1_PutResponse__Output>): grpc.ClientUnaryCall;
  put(argument: _vstor_v1_PutRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vstor_v1_PutResponse__Output>): grpc.ClientUnaryCall;
  put(argument: _vstor_v1_PutRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_vstor_v1_PutResponse__Output>): grpc.ClientUnaryCall;
  put(argument: _vstor_v1_PutRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_vstor_v1_PutResponse__Output>): grpc.ClientUnaryCall;
  put(argument: _vstor_v1_PutRequest, callback: grpc.requestCallback<_vstor_v1_PutResponse__Output>): grpc.ClientUnaryCall;
  
  Range(argument: _vstor_v1_RangeRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vstor_v1_RangeResponse__Output>): grpc.ClientUnaryCall;
  Range(argument: _vstor_v1_RangeRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_vstor_v1_RangeResponse__Output>): grpc.ClientUnaryCall;
  Range(argument: _vstor_v1_RangeRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_vstor_v1_RangeResponse__Output>): grpc.ClientUnaryCall;
  Range(argument: _vstor_v1_RangeRequest, callback: grpc.requestCallback<_vstor_v1_RangeResponse__Output>): grpc.ClientUnaryCall;
  range(argument: _vstor_v1_RangeRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vstor_v1_RangeResponse__Output>): grpc.ClientUnaryCall;
  range(argument: _vstor_v1_RangeRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_vstor_v1_RangeResponse__Output>): grpc.ClientUnaryCall;
  range(argument: _vstor_v1_RangeRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_vstor_v1_RangeResponse__Output>): grpc.ClientUnaryCall;
  range(argument: _vstor_v1_RangeRequest, callback: grpc.requestCallback<_vstor_v1_RangeResponse__Output>): grpc.ClientUnaryCall;
  
  Session(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_vstor_v1_SessionRequest, _vstor_v1_SessionResponse__Output>;
  Session(options?: grpc.CallOptions): grpc.ClientDuplexStream<_vstor_v1_SessionRequest, _vstor_v1_SessionResponse__Output>;
  session(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_vstor_v1_SessionRequest, _vstor_v1_SessionResponse__Output>;
  session(options?: grpc.CallOptions): grpc.ClientDuplexStream<_vstor_v1_SessionRequest, _vstor_v1_SessionResponse__Output>;
  
  Txn(argument: _vstor_v1_TxnRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vstor_v1_TxnResponse__Output>): grpc.ClientUnaryCall;
  Txn(argument: _vstor_v1_TxnRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_vstor_v1_TxnResponse__Output>): grpc.ClientUnaryCall;
  Txn(argument: _vstor_v1_TxnRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_vstor_v1_TxnResponse__Output>): grpc.ClientUnaryCall;
  Txn(argument: _vstor_v1_TxnRequest, callback: grpc.requestCallback<_vstor_v1_TxnResponse__Output>): grpc.ClientUnaryCall;
  txn(argument: _vstor_v1_TxnRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vstor_v1_TxnResponse__Output>): grpc.ClientUnaryCall;
  txn(argument: _vstor_v1_TxnRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_vstor_v1_TxnResponse__Output>): grpc.ClientUnaryCall;
  txn(argument: _vstor_v1_TxnRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_vstor_v1_TxnResponse__Output>): grpc.ClientUnaryCall;
  txn(argument: _vstor_v1_TxnRequest, callback: grpc.requestCallback<_vstor_v1_TxnResponse__Output>): grpc.ClientUnaryCall;
  
  Watch(argument: _vstor_v1_WatchRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_vstor_v1_WatchResponse__Output>;
  Watch(argument: _vstor_v1_WatchRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_vstor_v1_WatchResponse__Output>;
  watch(argument: _vstor_v1_WatchRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_vstor_v1_WatchResponse__Output>;
  watch(argument: _vstor_v1_WatchRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_vstor_v1_WatchResponse__Output>;
  
}

export interface KVHandlers extends grpc.UntypedServiceImplementation {
  DeleteRange: grpc.handleUnaryCall<_vstor_v1_DeleteRangeRequest__Output, _vstor_v1_DeleteRangeResponse>;
  
  Put: grpc.handleUnaryCall<_vstor_v1_PutRequest__Output, _vstor_v1_PutResponse>;
  
  Range: grpc.handleUnaryCall<_vstor_v1_RangeRequest__Output, _vstor_v1_RangeResponse>;
  
  Session: grpc.handleBidiStreamingCall<_vstor_v1_SessionRequest__Output, _vstor_v1_SessionResponse>;
  
  Txn: grpc.handleUnaryCall<_vstor_v1_TxnRequest__Output, _vstor_v1_TxnResponse>;
  
  Watch: grpc.handleServerStreamingCall<_vstor_v1_WatchRequest__Output, _vstor_v1_WatchResponse>;
  
}

export interface KVDefinition extends grpc.ServiceDefinition {
  DeleteRange: MethodDefinition<_vstor_v1_DeleteRangeRequest, _vstor_v1_DeleteRangeResponse, _vstor_v1_DeleteRangeRequest__Output, _vstor_v1_DeleteRangeResponse__Output>
  Put: MethodDefinition<_vstor_v1_PutRequest, _vstor_v1_PutResponse, _vstor_v1_PutRequest__Output, _vstor_v1_PutResponse__Output>
  Range: MethodDefinition<_vstor_v1_RangeRequest, _vstor_v1_RangeResponse, _vstor_v1_RangeRequest__Output, _vstor_v1_RangeResponse__Output>
  Session: MethodDefinition<_vstor_v1_SessionRequest, _vstor_v1_SessionResponse, _vstor_v1_SessionRequest__Output, _vstor_v1_SessionResponse__Output>
  Txn: MethodDefinition<_vstor_v1_TxnRequest, _vstor_v1_TxnResponse, _vstor_v1_TxnRequest__Output, _vstor_v1_TxnResponse__Output>
  Watch: MethodDefinition<_vstor_v1_WatchRequest, _vstor_v1_WatchResponse, _vstor_v1_WatchRequest__Output, _vstor_v1_WatchResponse__Output>
}
