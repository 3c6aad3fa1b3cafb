// Original file: proto/vstor/v1/kv.proto

import type { RangeResponse as _vstor_v1_RangeResponse, RangeResponse__Output as _vstor_v1_RangeResponse__Output } from '../../vstor/v1/RangeResponse.ts';
import type { PutResponse as _vstor_v1_PutResponse, PutResponse__Output as _vstor_v1_PutResponse__Output } from '../../vstor/v1/PutResponse.ts';
import type { DeleteRangeResponse as _vstor_v1_DeleteRangeResponse, DeleteRangeResponse__Output as _vstor_v1_DeleteRangeResponse__Output } from '../../vstor/v1/DeleteRangeResponse.ts';

export interface ResponseOp {
  'responseRange'?: (_vstor_v1_RangeResponse | null);
  'responsePut'?: (_vstor_v1_PutResponse | null);
  'responseDeleteRange'?: (_vstor_v1_DeleteRangeResponse | null);
  'response'?: "responseRange"|"responsePut"|"responseDeleteRange";
}

export interface ResponseOp__Output {
  'responseRange'?: (_vstor_v1_RangeResponse__Output | null);
  'responsePut'?: (_vstor_v1_PutResponse__Output | null);
  'responseDeleteRange'?: (_vstor_v1_DeleteRangeResponse__Output | null);
  'response'?: "responseRange"|"responsePut"|"responseDeleteRange";
}
