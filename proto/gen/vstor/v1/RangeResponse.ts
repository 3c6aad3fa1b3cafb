// Original file: proto/vstor/v1/kv.proto

import type { ResponseHeader as _vstor_v1_ResponseHeader, ResponseHeader__Output as _vstor_v1_ResponseHeader__Output } from '../../vstor/v1/ResponseHeader.ts';
import type { KeyValue as _vstor_v1_KeyValue, KeyValue__Output as _vstor_v1_KeyValue__Output } from '../../vstor/v1/KeyValue.ts';
import type { Long } from '@grpc/proto-loader';

export interface RangeResponse {
  'header'?: (_vstor_v1_ResponseHeader | null);
  'kvs'?: (_vstor_v1_KeyValue)[];
  'more'?: (boolean);
  'count'?: (number | string | Long);
}

export interface RangeResponse__Output {
  'header': (_vstor_v1_ResponseHeader__Output | null);
  'kvs': (_vstor_v1_KeyValue__Output)[];
  'more': (boolean);
  'count': (number);
}
