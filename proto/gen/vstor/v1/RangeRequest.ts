// Original file: proto/vstor/v1/kv.proto

import type { Long } from '@grpc/proto-loader';

export interface RangeRequest {
  'key'?: (Buffer | Uint8Array | string);
  'rangeEnd'?: (Buffer | Uint8Array | string);
  'limit'?: (number | string | Long);
  'revision'?: (number | string | Long);
  'serializable'?: (boolean);
  'keysOnly'?: (boolean);
  'countOnly'?: (boolean);
  'reverse'?: (boolean);
}

export interface RangeRequest__Output {
  'key': (Buffer);
  'rangeEnd': (Buffer);
  'limit': (number);
  'revision': (number);
  'serializable': (boolean);
  'keysOnly': (boolean);
  'countOnly': (boolean);
  'reverse': (boolean);
}
