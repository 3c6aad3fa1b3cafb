// Original file: proto/vstor/v1/kv.proto

import type { Long } from '@grpc/proto-loader';

export interface PutRequest {
  'key'?: (Buffer | Uint8Array | string);
  'value'?: (Buffer | Uint8Array | string);
  'prevKv'?: (boolean);
  'clientId'?: (string);
  'sequence'?: (number | string | Long);
}

export interface PutRequest__Output {
  'key': (Buffer);
  'value': (Buffer);
  'prevKv': (boolean);
  'clientId': (string);
  'sequence': (number);
}
