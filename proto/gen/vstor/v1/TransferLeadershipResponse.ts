// Original file: proto/vstor/v1/cluster.proto

import type { ResponseHeader as _vstor_v1_ResponseHeader, ResponseHeader__Output as _vstor_v1_ResponseHeader__Output } from '../../vstor/v1/ResponseHeader.ts';
import type { Long } from '@grpc/proto-loader';

export interface TransferLeadershipResponse {
  'header'?: (_vstor_v1_ResponseHeader | null);
  'leaderId'?: (number | string | Long);
}

export interface TransferLeadershipResponse__Output {
  'header': (_vstor_v1_ResponseHeader__Output | null);
  'leaderId': (number);
}
