import type * as grpc from '@grpc/grpc-js';
import type { EnumTypeDefinition, MessageTypeDefinition } from '@grpc/proto-loader';

import type { ConfState as _vstor_internal_ConfState, ConfState__Output as _vstor_internal_ConfState__Output } from './vstor/internal/ConfState.ts';
import type { Entry as _vstor_internal_Entry, Entry__Output as _vstor_internal_Entry__Output } from './vstor/internal/Entry.ts';
import type { HardState as _vstor_internal_HardState, HardState__Output as _vstor_internal_HardState__Output } from './vstor/internal/HardState.ts';
import type { Message as _vstor_internal_Message, Message__Output as _vstor_internal_Message__Output } from './vstor/internal/Message.ts';
import type { RaftPeerClient as _vstor_internal_RaftPeerClient, RaftPeerDefinition as _vstor_internal_RaftPeerDefinition } from './vstor/internal/RaftPeer.ts';
import type { RaftSnapshot as _vstor_internal_RaftSnapshot, RaftSnapshot__Output as _vstor_internal_RaftSnapshot__Output } from './vstor/internal/RaftSnapshot.ts';
import type { RaftSnapshotMetadata as _vstor_internal_RaftSnapshotMetadata, RaftSnapshotMetadata__Output as _vstor_internal_RaftSnapshotMetadata__Output } from './vstor/internal/RaftSnapshotMetadata.ts';
import type { SnapshotAck as _vstor_internal_SnapshotAck, SnapshotAck__Output as _vstor_internal_SnapshotAck__Output } from './vstor/internal/SnapshotAck.ts';
import type { SnapshotChunk as _vstor_internal_SnapshotChunk, SnapshotChunk__Output as _vstor_internal_SnapshotChunk__Output } from './vstor/internal/SnapshotChunk.ts';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  vstor: {
    internal: {
      ConfState: MessageTypeDefinition<_vstor_internal_ConfState, _vstor_internal_ConfState__Output>
      Entry: MessageTypeDefinition<_vstor_internal_Entry, _vstor_internal_Entry__Output>
      EntryType: EnumTypeDefinition
      HardState: MessageTypeDefinition<_vstor_internal_HardState, _vstor_internal_HardState__Output>
      Message: MessageTypeDefinition<_vstor_internal_Message, _vstor_internal_Message__Output>
      MessageType: EnumTypeDefinition
      RaftPeer: SubtypeConstructor<typeof grpc.Client, _vstor_internal_RaftPeerClient> & { service: _vstor_internal_RaftPeerDefinition }
      RaftSnapshot: MessageTypeDefinition<_vstor_internal_RaftSnapshot, _vstor_internal_RaftSnapshot__Output>
      RaftSnapshotMetadata: MessageTypeDefinition<_vstor_internal_RaftSnapshotMetadata, _vstor_internal_RaftSnapshotMetadata__Output>
      SnapshotAck: MessageTypeDefinition<_vstor_internal_SnapshotAck, _vstor_internal_SnapshotAck__Output>
      SnapshotChunk: MessageTypeDefinition<_vstor_internal_SnapshotChunk, _vstor_internal_SnapshotChunk__Output>
    }
  }
}

