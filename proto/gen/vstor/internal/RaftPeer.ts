// Original file: proto/vstor/internal/raft.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { MessageBatch as _vstor_internal_MessageBatch, MessageBatch__Output as _vstor_internal_MessageBatch__Output } from '../../vstor/internal/MessageBatch.ts';
import type { SendAck as _vstor_internal_SendAck, SendAck__Output as _vstor_internal_SendAck__Output } from '../../vstor/internal/SendAck.ts';
import type { SnapshotAck as _vstor_internal_SnapshotAck, SnapshotAck__Output as _vstor_internal_SnapshotAck__Output } from '../../vstor/internal/SnapshotAck.ts';
import type { SnapshotChunk as _vstor_internal_SnapshotChunk, SnapshotChunk__Output as _vstor_internal_SnapshotChunk__Output } from '../../vstor/internal/SnapshotChunk.ts';

export interface RaftPeerClient extends grpc.Client {
  Send(metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vstor_internal_SendAck__Output>): grpc.ClientWritableStream<_vstor_internal_MessageBatch>;
  Send(metadata: grpc.Metadata, callback: grpc.requestCallback<_vstor_internal_SendAck__Output>): grpc.ClientWritableStream<_vstor_internal_MessageBatch>;
  Send(options: grpc.CallOptions, callback: grpc.requestCallback<_vstor_internal_SendAck__Output>): grpc.ClientWritableStream<_vstor_internal_MessageBatch>;
  Send(callback: grpc.requestCallback<_vstor_internal_SendAck__Output>): grpc.ClientWritableStream<_vstor_internal_MessageBatch>;
  send(metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vstor_internal_SendAck__Output>): grpc.ClientWritableStream<_vstor_internal_MessageBatch>;
  send(metadata: grpc.Metadata, callback: grpc.requestCallback<_vstor_internal_SendAck__Output>): grpc.ClientWritableStream<_vstor_internal_MessageBatch>;
  send(options: grpc.CallOptions, callback: grpc.requestCallback<_vstor_internal_SendAck__Output>): grpc.ClientWritableStream<_vstor_internal_MessageBatch>;
  send(callback: grpc.requestCallback<_vstor_internal_SendAck__Output>): grpc.ClientWritableStream<_vstor_internal_MessageBatch>;
  
  SendSnapshot(metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vstor_internal_SnapshotAck__Output>): grpc.ClientWritableStream<_vstor_internal_SnapshotChunk>;
  SendSnapshot(metadata: grpc.Metadata, callback: grpc.requestCallback<_vstor_internal_SnapshotAck__Output>): grpc.ClientWritableStream<_vstor_internal_SnapshotChunk>;
  SendSnapshot(options: grpc.CallOptions, callback: grpc.requestCallback<_vstor_internal_SnapshotAck__Output>): grpc.ClientWritableStream<_vstor_internal_SnapshotChunk>;
  SendSnapshot(callback: grpc.requestCallback<_vstor_internal_SnapshotAck__Output>): grpc.ClientWritableStream<_vstor_internal_SnapshotChunk>;
  sendSnapshot(metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vstor_internal_SnapshotAck__Output>): grpc.ClientWritableStream<_vstor_internal_SnapshotChunk>;
  sendSnapshot(metadata: grpc.Metadata, callback: grpc.requestCallback<_vstor_internal_SnapshotAck__Output>): grpc.ClientWritableStream<_vstor_internal_SnapshotChunk>;
  sendSnapshot(options: grpc.CallOptions, callback: grpc.requestCallback<_vstor_internal_SnapshotAck__Output>): grpc.ClientWritableStream<_vstor_internal_SnapshotChunk>;
  sendSnapshot(callback: grpc.requestCallback<_vstor_internal_SnapshotAck__Output>): grpc.ClientWritableStream<_vstor_internal_SnapshotChunk>;
  
}

export interface RaftPeerHandlers extends grpc.UntypedServiceImplementation {
  Send: grpc.handleClientStreamingCall<_vstor_internal_MessageBatch__Output, _vstor_internal_SendAck>;
  
  SendSnapshot: grpc.handleClientStreamingCall<_vstor_internal_SnapshotChunk__Output, _vstor_internal_SnapshotAck>;
  
}

export interface RaftPeerDefinition extends grpc.ServiceDefinition {
  Send: MethodDefinition<_vstor_internal_MessageBatch, _vstor_internal_SendAck, _vstor_internal_MessageBatch__Output, _vstor_internal_SendAck__Output>
  SendSnapshot: MethodDefinition<_vstor_internal_SnapshotChunk, _vstor_internal_SnapshotAck, _vstor_internal_SnapshotChunk__Output, _vstor_internal_SnapshotAck__Output>
}
