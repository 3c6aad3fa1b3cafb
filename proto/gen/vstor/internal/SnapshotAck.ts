// Original file: proto/vstor/internal/raft.proto

import type { Long } from '@grpc/proto-loader';

export interface SnapshotAck {
  'bytesReceived'?: (number | string | Long);
}

export interface SnapshotAck__Output {
  'bytesReceived': (number);
}
