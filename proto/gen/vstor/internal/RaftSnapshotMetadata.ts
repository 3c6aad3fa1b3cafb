// Original file: proto/vstor/internal/raft.proto

import type { ConfState as _vstor_internal_ConfState, ConfState__Output as _vstor_internal_ConfState__Output } from '../../vstor/internal/ConfState.ts';
import type { Long } from '@grpc/proto-loader';

export interface RaftSnapshotMetadata {
  'index'?: (number | string | Long);
  'term'?: (number | string | Long);
  'confState'?: (_vstor_internal_ConfState | null);
}

export interface RaftSnapshotMetadata__Output {
  'index': (number);
  'term': (number);
  'confState': (_vstor_internal_ConfState__Output | null);
}
