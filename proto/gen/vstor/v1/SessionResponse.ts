// Original file: proto/vstor/v1/kv.proto

import type { RangeResponse as _vstor_v1_RangeResponse, RangeResponse__Output as _vstor_v1_RangeResponse__Output } from '../../vstor/v1/RangeResponse.ts';
import type { PutResponse as _vstor_v1_PutResponse, PutResponse__Output as _vstor_v1_PutResponse__Output } from '../../vstor/v1/PutResponse.ts';
import type { DeleteRangeResponse as _vstor_v1_DeleteRangeResponse, DeleteRangeResponse__Output as _vstor_v1_DeleteRangeResponse__Output } from '../../vstor/v1/DeleteRangeResponse.ts';
import type { TxnResponse as _vstor_v1_TxnResponse, TxnResponse__Output as _vstor_v1_TxnResponse__Output } from '../../vstor/v1/TxnResponse.ts';
import type { SessionError as _vstor_v1_SessionError, SessionError__Output as _vstor_v1_SessionError__Output } from '../../vstor/v1/SessionError.ts';
import type { Long } from '@grpc/proto-loader';

export interface SessionResponse {
  'callId'?: (number | string | Long);
  'range'?: (_vstor_v1_RangeResponse | null);
  'put'?: (_vstor_v1_PutResponse | null);
  'deleteRange'?: (_vstor_v1_DeleteRangeResponse | null);
  'txn'?: (_vstor_v1_TxnResponse | null);
  'error'?: (_vstor_v1_SessionError | null);
  'result'?: "range"|"put"|"deleteRange"|"txn"|"error";
}

export interface SessionResponse__Output {
  'callId': (number);
  'range'?: (_vstor_v1_RangeResponse__Output | null);
  'put'?: (_vstor_v1_PutResponse__Output | null);
  'deleteRange'?: (_vstor_v1_DeleteRangeResponse__Output | null);
  'txn'?: (_vstor_v1_TxnResponse__Output | null);
  'error'?: (_vstor_v1_SessionError__Output | null);
  'result'?: "range"|"put"|"deleteRange"|"txn"|"error";
}
