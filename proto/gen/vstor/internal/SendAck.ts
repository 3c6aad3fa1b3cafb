// Original file: proto/vstor/internal/raft.proto

import type { Long } from '@grpc/proto-loader';

export interface SendAck {
  'batchesReceived'?: (number | string | Long);
  'messagesReceived'?: (number | string | Long);
}

export interface SendAck__Output {
  'batchesReceived': (number);
  'messagesReceived': (number);
}
