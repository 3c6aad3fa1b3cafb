// Original file: proto/vstor/v1/kv.proto

import type { Long } from '@grpc/proto-loader';

export interface SessionError {
  'grpcCode'?: (number);
  'message'?: (string);
  'vstorCode'?: (string);
  'retryable'?: (boolean);
  'leaderId'?: (number | string | Long);
  'leaderAddress'?: (string);
}

export interface SessionError__Output {
  'grpcCode': (number);
  'message': (string);
  'vstorCode': (string);
  'retryable': (boolean);
  'leaderId': (number);
  'leaderAddress': (string);
}
