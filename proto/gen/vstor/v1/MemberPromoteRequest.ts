// Original file: proto/vstor/v1/cluster.proto

import type { Long } from '@grpc/proto-loader';

export interface MemberPromoteRequest {
  'id'?: (number | string | Long);
  'clientId'?: (string);
  'sequence'?: (number | string | Long);
}

export interface MemberPromoteRequest__Output {
  'id': (number);
  'clientId': (string);
  'sequence': (number);
}
