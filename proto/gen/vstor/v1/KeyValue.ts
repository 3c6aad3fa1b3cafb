// Original file: proto/vstor/v1/kv.proto

import type { Long } from '@grpc/proto-loader';

export interface KeyValue {
  'key'?: (Buffer | Uint8Array | string);
  'createRevision'?: (number | string | Long);
  'modRevision'?: (number | string | Long);
  'version'?: (number | string | Long);
  'value'?: (Buffer | Uint8Array | string);
}

export interface KeyValue__Output {
  'key': (Buffer);
  'createRevision': (number);
  'modRevision': (number);
  'version': (number);
  'value': (Buffer);
}
