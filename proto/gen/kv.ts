import type * as grpc from '@grpc/grpc-js';
import type { MessageTypeDefinition } from '@grpc/proto-loader';

import type { Compare as _vstor_v1_Compare, Compare__Output as _vstor_v1_Compare__Output } from './vstor/v1/Compare.ts';
import type { DeleteRangeRequest as _vstor_v1_DeleteRangeRequest, DeleteRangeRequest__Output as _vstor_v1_DeleteRangeRequest__Output } from './vstor/v1/DeleteRangeRequest.ts';
import type { DeleteRangeResponse as _vstor_v1_DeleteRangeResponse, DeleteRangeResponse__Output as _vstor_v1_DeleteRangeResponse__Output } from './vstor/v1/DeleteRangeResponse.ts';
import type { Event as _vstor_v1_Event, Event__Output as _vstor_v1_Event__Output } from './vstor/v1/Event.ts';
import type { KVClient as _vstor_v1_KVClient, KVDefinition as _vstor_v1_KVDefinition } from './vstor/v1/KV.ts';
import type { KeyValue as _vstor_v1_KeyValue, KeyValue__Output as _vstor_v1_KeyValue__Output } from './vstor/v1/KeyValue.ts';
import type { PutRequest as _vstor_v1_PutRequest, PutRequest__Output as _vstor_v1_PutRequest__Output } from './vstor/v1/PutRequest.ts';
import type { PutResponse as _vstor_v1_PutResponse, PutResponse__Output as _vstor_v1_PutResponse__Output } from './vstor/v1/PutResponse.ts';
import type { RangeRequest as _vstor_v1_RangeRequest, RangeRequest__Output as _vstor_v1_RangeRequest__Output } from './vstor/v1/RangeRequest.ts';
import type { RangeResponse as _vstor_v1_RangeResponse, RangeResponse__Output as _vstor_v1_RangeResponse__Output } from './vstor/v1/RangeResponse.ts';
import type { RequestOp as _vstor_v1_RequestOp, RequestOp__Output as _vstor_v1_RequestOp__Output } from './vstor/v1/RequestOp.ts';
import type { ResponseHeader as _vstor_v1_ResponseHeader, ResponseHeader__Output as _vstor_v1_ResponseHeader__Output } from './vstor/v1/ResponseHeader.ts';
import type { ResponseOp as _vstor_v1_ResponseOp, ResponseOp__Output as _vstor_v1_ResponseOp__Output } from './vstor/v1/ResponseOp.ts';
import type { SessionError as _vstor_v1_SessionError, SessionError__Output as _vstor_v1_SessionError__Output } from './vstor/v1/SessionError.ts';
import type { SessionRequest as _vstor_v1_SessionRequest, SessionRequest__Output as _vstor_v1_SessionRequest__Output } from './vstor/v1/SessionRequest.ts';
import type { SessionResponse as _vstor_v1_SessionResponse, SessionResponse__Output as _vstor_v1_SessionResponse__Output } from './vstor/v1/SessionResponse.ts';
import type { TxnRequest as _vstor_v1_TxnRequest, TxnRequest__Output as _vstor_v1_TxnRequest__Output } from './vstor/v1/TxnRequest.ts';
import type { TxnResponse as _vstor_v1_TxnResponse, TxnResponse__Output as _vstor_v1_TxnResponse__Output } from './vstor/v1/TxnResponse.ts';
import type { WatchRequest as _vstor_v1_WatchRequest, WatchRequest__Output as _vstor_v1_WatchRequest__Output } from './vstor/v1/WatchRequest.ts';
import type { WatchResponse as _vstor_v1_WatchResponse, WatchResponse__Output as _vstor_v1_WatchResponse__Output } from './vstor/v1/WatchResponse.ts';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  vstor: {
    v1: {
      Compare: MessageTypeDefinition<_vstor_v1_Compare, _vstor_v1_Compare__Output>
      DeleteRangeRequest: MessageTypeDefinition<_vstor_v1_DeleteRangeRequest, _vstor_v1_DeleteRangeRequest__Output>
      DeleteRangeResponse: MessageTypeDefinition<_vstor_v1_DeleteRangeResponse, _vstor_v1_DeleteRangeResponse__Output>
      Event: MessageTypeDefinition<_vstor_v1_Event, _vstor_v1_Event__Output>
      KV: SubtypeConstructor<typeof grpc.Client, _vstor_v1_KVClient> & { service: _vstor_v1_KVDefinition }
      KeyValue: MessageTypeDefinition<_vstor_v1_KeyValue, _vstor_v1_KeyValue__Output>
      PutRequest: MessageTypeDefinition<_vstor_v1_PutRequest, _vstor_v1_PutRequest__Output>
      PutResponse: MessageTypeDefinition<_vstor_v1_PutResponse, _vstor_v1_PutResponse__Output>
      RangeRequest: MessageTypeDefinition<_vstor_v1_RangeRequest, _vstor_v1_RangeRequest__Output>
      RangeResponse: MessageTypeDefinition<_vstor_v1_RangeResponse, _vstor_v1_RangeResponse__Output>
      RequestOp: MessageTypeDefinition<_vstor_v1_RequestOp, _vstor_v1_RequestOp__Output>
      ResponseHeader: MessageTypeDefinition<_vstor_v1_ResponseHeader, _vstor_v1_ResponseHeader__Output>
      ResponseOp: MessageTypeDefinition<_vstor_v1_ResponseOp, _vstor_v1_ResponseOp__Output>
      SessionError: MessageTypeDefinition<_vstor_v1_SessionError, _vstor_v1_SessionError__Output>
      SessionRequest: MessageTypeDefinition<_vstor_v1_SessionRequest, _vstor_v1_SessionRequest__Output>
      SessionResponse: MessageTypeDefinition<_vstor_v1_SessionResponse, _vstor_v1_SessionResponse__Output>
      TxnRequest: MessageTypeDefinition<_vstor_v1_TxnRequest, _vstor_v1_TxnRequest__Output>
      TxnResponse: MessageTypeDefinition<_vstor_v1_TxnResponse, _vstor_v1_TxnResponse__Output>
      WatchRequest: MessageTypeDefinition<_vstor_v1_WatchRequest, _vstor_v1_WatchRequest__Output>
      WatchResponse: MessageTypeDefinition<_vstor_v1_WatchResponse, _vstor_v1_WatchResponse__Output>
    }
  }
}

