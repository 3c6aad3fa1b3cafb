// Original file: proto/vstor/v1/vdisk.proto

import type { Long } from '@grpc/proto-loader';

export interface CloneRequest {
  'name'?: (string);
  'snapshot'?: (string);
  'cloneName'?: (string);
  'clientId'?: (string);
  'sequence'?: (number | string | Long);
}

export interface CloneRequest__Output {
  'name': (string);
  'snapshot': (string);
  'cloneName': (string);
  'clientId': (string);
  'sequence': (number);
}
