// Original file: proto/vstor/internal/raft.proto

import type { Message as _vstor_internal_Message, Message__Output as _vstor_internal_Message__Output } from '../../vstor/internal/Message.ts';

export interface MessageBatch {
  'clusterId'?: (string);
  'messages'?: (_vstor_internal_Message)[];
}

export interface MessageBatch__Output {
  'clusterId': (string);
  'messages': (_vstor_internal_Message__Output)[];
}
