// Original file: proto/vstor/v1/cluster.proto

import type { Long } from '@grpc/proto-loader';

export interface MemberRemoveRequest {
  'id'?: (number | string | Long);
  'clientId'?: (string);
  'sequence'?: (number | string | Long);
}

export interface MemberRemoveRequest__Output {
  'id': (number);
  'clientId': (string);
  'sequence': (number);
}
