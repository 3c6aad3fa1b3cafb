// Original file: proto/vstor/v1/kv.proto

import type { ResponseHeader as _vstor_v1_ResponseHeader, ResponseHeader__Output as _vstor_v1_ResponseHeader__Output } from '../../vstor/v1/ResponseHeader.ts';
import type { KeyValue as _vstor_v1_KeyValue, KeyValue__Output as _vstor_v1_KeyValue__Output } from '../../vstor/v1/KeyValue.ts';

export interface PutResponse {
  'header'?: (_vstor_v1_ResponseHeader | null);
  'prevKv'?: (_vstor_v1_KeyValue | null);
}

export interface PutResponse__Output {
  'header': (_vstor_v1_ResponseHeader__Output | null);
  'prevKv': (_vstor_v1_KeyValue__Output | null);
}
