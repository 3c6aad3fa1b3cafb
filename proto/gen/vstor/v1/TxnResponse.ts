// Original file: proto/vstor/v1/kv.proto

import type { ResponseHeader as _vstor_v1_ResponseHeader, ResponseHeader__Output as _vstor_v1_ResponseHeader__Output } from '../../vstor/v1/ResponseHeader.ts';
import type { ResponseOp as _vstor_v1_ResponseOp, ResponseOp__Output as _vstor_v1_ResponseOp__Output } from '../../vstor/v1/ResponseOp.ts';

export interface TxnResponse {
  'header'?: (_vstor_v1_ResponseHeader | null);
  'succeeded'?: (boolean);
  'responses'?: (_vstor_v1_ResponseOp)[];
}

export interface TxnResponse__Output {
  'header': (_vstor_v1_ResponseHeader__Output | null);
  'succeeded': (boolean);
  'responses': (_vstor_v1_ResponseOp__Output)[];
}
