// Original file: proto/vstor/internal/raft.proto

import type { RaftSnapshotMetadata as _vstor_internal_RaftSnapshotMetadata, RaftSnapshotMetadata__Output as _vstor_internal_RaftSnapshotMetadata__Output } from '../../vstor/internal/RaftSnapshotMetadata.ts';

export interface RaftSnapshot {
  'metadata'?: (_vstor_internal_RaftSnapshotMetadata | null);
  'data'?: (Buffer | Uint8Array | string);
}

export interface RaftSnapshot__Output {
  'metadata': (_vstor_internal_RaftSnapshotMetadata__Output | null);
  'data': (Buffer);
}
