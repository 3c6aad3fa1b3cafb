// Original file: proto/vstor/v1/vdisk.proto

import type { Long } from '@grpc/proto-loader';

export interface FlattenRequest {
  'name'?: (string);
  'clientId'?: (string);
  'sequence'?: (number | string | Long);
}

export interface FlattenRequest__Output {
  'name': (string);
  'clientId': (string);
  'sequence': (number);
}
