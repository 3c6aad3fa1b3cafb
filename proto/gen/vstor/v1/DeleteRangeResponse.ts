// Original file: proto/vstor/v1/kv.proto

import type { ResponseHeader as _vstor_v1_ResponseHeader, ResponseHeader__Output as _vstor_v1_ResponseHeader__Output } from '../../vstor/v1/ResponseHeader.ts';
import type { KeyValue as _vstor_v1_KeyValue, KeyValue__Output as _vstor_v1_KeyValue__Output } from '../../vstor/v1/KeyValue.ts';
import type { Long } from '@grpc/proto-loader';

export interface DeleteRangeResponse {
  'header'?: (_vstor_v1_ResponseHeader | null);
  'deleted'?: (number | string | Long);
  'prevKvs'?: (_vstor_v1_KeyValue)[];
}

export interface DeleteRangeResponse__Output {
  'header': (_vstor_v1_ResponseHeader__Output | null);
  'deleted': (number);
  'prevKvs': (_vstor_v1_KeyValue__Output)[];
}
