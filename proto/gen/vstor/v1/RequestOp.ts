// Original file: proto/vstor/v1/kv.proto

import type { RangeRequest as _vstor_v1_RangeRequest, RangeRequest__Output as _vstor_v1_RangeRequest__Output } from '../../vstor/v1/RangeRequest.ts';
import type { PutRequest as _vstor_v1_PutRequest, PutRequest__Output as _vstor_v1_PutRequest__Output } from '../../vstor/v1/PutRequest.ts';
import type { DeleteRangeRequest as _vstor_v1_DeleteRangeRequest, DeleteRangeRequest__Output as _vstor_v1_DeleteRangeRequest__Output } from '../../vstor/v1/DeleteRangeRequest.ts';

export interface RequestOp {
  'requestRange'?: (_vstor_v1_RangeRequest | null);
  'requestPut'?: (_vstor_v1_PutRequest | null);
  'requestDeleteRange'?: (_vstor_v1_DeleteRangeRequest | null);
  'request'?: "requestRange"|"requestPut"|"requestDeleteRange";
}

export interface RequestOp__Output {
  'requestRange'?: (_vstor_v1_RangeRequest__Output | null);
  'requestPut'?: (_vstor_v1_PutRequest__Output | null);
  'requestDeleteRange'?: (_vstor_v1_DeleteRangeRequest__Output | null);
  'request'?: "requestRange"|"requestPut"|"requestDeleteRange";
}
