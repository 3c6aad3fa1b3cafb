// Original file: proto/vstor/v1/kv.proto

import type { Long } from '@grpc/proto-loader';

export interface WatchRequest {
  'key'?: (Buffer | Uint8Array | string);
  'rangeEnd'?: (Buffer | Uint8Array | string);
  'startRevision'?: (number | string | Long);
  'prevKv'?: (boolean);
  'progressNotify'?: (boolean);
}

export interface WatchRequest__Output {
  'key': (Buffer);
  'rangeEnd': (Buffer);
  'startRevision': (number);
  'prevKv': (boolean);
  'progressNotify': (boolean);
}
