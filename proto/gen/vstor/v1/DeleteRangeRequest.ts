// Original file: proto/vstor/v1/kv.proto

import type { Long } from '@grpc/proto-loader';

export interface DeleteRangeRequest {
  'key'?: (Buffer | Uint8Array | string);
  'rangeEnd'?: (Buffer | Uint8Array | string);
  'prevKv'?: (boolean);
  'clientId'?: (string);
  'sequence'?: (number | string | Long);
}

export interface DeleteRangeRequest__Output {
  'key': (Buffer);
  'rangeEnd': (Buffer);
  'prevKv': (boolean);
  'clientId': (string);
  'sequence': (number);
}
