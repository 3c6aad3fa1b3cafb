// Original file: proto/vstor/v1/cluster.proto

import type { Long } from '@grpc/proto-loader';

export interface TransferLeadershipRequest {
  'targetId'?: (number | string | Long);
}

export interface TransferLeadershipRequest__Output {
  'targetId': (number);
}
