// Original file: proto/vstor/internal/raft.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { SnapshotAck as _vstor_internal_SnapshotAck, SnapshotAck__Output as _vstor_internal_SnapshotAck__Output } from '../../vstor/internal/SnapshotAck.ts';
import type { SnapshotChunk as _vstor_internal_SnapshotChunk, SnapshotChunk__Output as _vstor_internal_SnapshotChunk__Output } from '../../vstor/internal/SnapshotChunk.ts';

export interface RaftPeerClient extends grpc.Client {
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
  SendSnapshot: grpc.handleClientStreamingCall<_vstor_internal_SnapshotChunk__Output, _vstor_internal_SnapshotAck>;
  
}

export interface RaftPeerDefinition extends grpc.ServiceDefinition {
  SendSnapshot: MethodDefinition<_vstor_internal_SnapshotChunk, _vstor_internal_SnapshotAck, _vstor_internal_SnapshotChunk__Output, _vstor_internal_SnapshotAck__Output>
}
