// Original file: proto/vstor/v1/cluster.proto

import type { Long } from '@grpc/proto-loader';

export interface Member {
  'id'?: (number | string | Long);
  'name'?: (string);
  'grpcAddress'?: (string);
  'adminAddress'?: (string);
  'nbdAddress'?: (string);
  'isLearner'?: (boolean);
  'peerAddress'?: (string);
}

export interface Member__Output {
  'id': (number);
  'name': (string);
  'grpcAddress': (string);
  'adminAddress': (string);
  'nbdAddress': (string);
  'isLearner': (boolean);
  'peerAddress': (string);
}
