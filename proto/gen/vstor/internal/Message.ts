// Original file: proto/vstor/internal/raft.proto

import type { MessageType as _vstor_internal_MessageType, MessageType__Output as _vstor_internal_MessageType__Output } from '../../vstor/internal/MessageType.ts';
import type { Entry as _vstor_internal_Entry, Entry__Output as _vstor_internal_Entry__Output } from '../../vstor/internal/Entry.ts';
import type { RaftSnapshot as _vstor_internal_RaftSnapshot, RaftSnapshot__Output as _vstor_internal_RaftSnapshot__Output } from '../../vstor/internal/RaftSnapshot.ts';
import type { Long } from '@grpc/proto-loader';

export interface Message {
  'type'?: (_vstor_internal_MessageType);
  'to'?: (number | string | Long);
  'from'?: (number | string | Long);
  'term'?: (number | string | Long);
  'logTerm'?: (number | string | Long);
  'index'?: (number | string | Long);
  'entries'?: (_vstor_internal_Entry)[];
  'commit'?: (number | string | Long);
  'snapshot'?: (_vstor_internal_RaftSnapshot | null);
  'reject'?: (boolean);
  'rejectHint'?: (number | string | Long);
  'context'?: (Buffer | Uint8Array | string);
}

export interface Message__Output {
  'type': (_vstor_internal_MessageType__Output);
  'to': (number);
  'from': (number);
  'term': (number);
  'logTerm': (number);
  'index': (number);
  'entries': (_vstor_internal_Entry__Output)[];
  'commit': (number);
  'snapshot': (_vstor_internal_RaftSnapshot__Output | null);
  'reject': (boolean);
  'rejectHint': (number);
  'context': (Buffer);
}
