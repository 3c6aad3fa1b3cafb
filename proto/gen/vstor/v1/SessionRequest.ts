// Original file: proto/vstor/v1/kv.proto

import type { RangeRequest as _vstor_v1_RangeRequest, RangeRequest__Output as _vstor_v1_RangeRequest__Output } from '../../vstor/v1/RangeRequest.ts';
import type { PutRequest as _vstor_v1_PutRequest, PutRequest__Output as _vstor_v1_PutRequest__Output } from '../../vstor/v1/PutRequest.ts';
import type { DeleteRangeRequest as _vstor_v1_DeleteRangeRequest, DeleteRangeRequest__Output as _vstor_v1_DeleteRangeRequest__Output } from '../../vstor/v1/DeleteRangeRequest.ts';
import type { TxnRequest as _vstor_v1_TxnRequest, TxnRequest__Output as _vstor_v1_TxnRequest__Output } from '../../vstor/v1/TxnRequest.ts';
import type { Long } from '@grpc/proto-loader';

export interface SessionRequest {
  'callId'?: (number | string | Long);
  'range'?: (_vstor_v1_RangeRequest | null);
  'put'?: (_vstor_v1_PutRequest | null);
  'deleteRange'?: (_vstor_v1_DeleteRangeRequest | null);
  'txn'?: (_vstor_v1_TxnRequest | null);
  'call'?: "range"|"put"|"deleteRange"|"txn";
}

export interface SessionRequest__Output {
  'callId': (number);
  'range'?: (_vstor_v1_RangeRequest__Output | null);
  'put'?: (_vstor_v1_PutRequest__Output | null);
  'deleteRange'?: (_vstor_v1_DeleteRangeRequest__Output | null);
  'txn'?: (_vstor_v1_TxnRequest__Output | null);
  'call'?: "range"|"put"|"deleteRange"|"txn";
}
