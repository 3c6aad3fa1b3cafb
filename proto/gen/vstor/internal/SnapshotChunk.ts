// Original file: proto/vstor/internal/raft.proto

import type { Message as _vstor_internal_Message, Message__Output as _vstor_internal_Message__Output } from '../../vstor/internal/Message.ts';
import type { Long } from '@grpc/proto-loader';

export interface SnapshotChunk {
  'clusterId'?: (string);
  'message'?: (_vstor_internal_Message | null);
  'totalBytes'?: (number | string | Long);
  'offset'?: (number | string | Long);
  'data'?: (Buffer | Uint8Array | string);
  'crc32c'?: (number);
}

export interface SnapshotChunk__Output {
  'clusterId': (string);
  'message': (_vstor_internal_Message__Output | null);
  'totalBytes': (number);
  'offset': (number);
  'data': (Buffer);
  'crc32c': (number);
}
