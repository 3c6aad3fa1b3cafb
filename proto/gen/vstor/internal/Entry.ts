// Original file: proto/vstor/internal/raft.proto

import type { EntryType as _vstor_internal_EntryType, EntryType__Output as _vstor_internal_EntryType__Output } from '../../vstor/internal/EntryType.ts';
import type { Long } from '@grpc/proto-loader';

export interface Entry {
  'term'?: (number | string | Long);
  'index'?: (number | string | Long);
  'type'?: (_vstor_internal_EntryType);
  'data'?: (Buffer | Uint8Array | string);
}

export interface Entry__Output {
  'term': (number);
  'index': (number);
  'type': (_vstor_internal_EntryType__Output);
  'data': (Buffer);
}
