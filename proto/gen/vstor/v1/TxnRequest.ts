// Original file: proto/vstor/v1/kv.proto

import type { Compare as _vstor_v1_Compare, Compare__Output as _vstor_v1_Compare__Output } from '../../vstor/v1/Compare.ts';
import type { RequestOp as _vstor_v1_RequestOp, RequestOp__Output as _vstor_v1_RequestOp__Output } from '../../vstor/v1/RequestOp.ts';
import type { Long } from '@grpc/proto-loader';

export interface TxnRequest {
  'compare'?: (_vstor_v1_Compare)[];
  'success'?: (_vstor_v1_RequestOp)[];
  'failure'?: (_vstor_v1_RequestOp)[];
  'clientId'?: (string);
  'sequence'?: (number | string | Long);
}

export interface TxnRequest__Output {
  'compare': (_vstor_v1_Compare__Output)[];
  'success': (_vstor_v1_RequestOp__Output)[];
  'failure': (_vstor_v1_RequestOp__Output)[];
  'clientId': (string);
  'sequence': (number);
}
