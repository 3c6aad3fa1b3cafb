// Original file: proto/vstor/v1/cluster.proto

import type { Long } from '@grpc/proto-loader';

export interface MemberAddRequest {
  'id'?: (number | string | Long);
  'name'?: (string);
  'grpcAddress'?: (string);
  'adminAddress'?: (string);
  'nbdAddress'?: (string);
  'clientId'?: (string);
  'sequence'?: (number | string | Long);
  'peerAddress'?: (string);
}

export interface MemberAddRequest__Output {
  'id': (number);
  'name': (string);
  'grpcAddress': (string);
  'adminAddress': (string);
  'nbdAddress': (string);
  'clientId': (string);
  'sequence': (number);
  'peerAddress': (string);
}
