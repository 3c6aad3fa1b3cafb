// Original file: proto/vstor/v1/vdisk.proto

import type { Long } from '@grpc/proto-loader';

export interface CreateVDiskRequest {
  'name'?: (string);
  'sizeBytes'?: (number | string | Long);
  'node'?: (string);
  'clientId'?: (string);
  'sequence'?: (number | string | Long);
}

export interface CreateVDiskRequest__Output {
  'name': (string);
  'sizeBytes': (number);
  'node': (string);
  'clientId': (string);
  'sequence': (number);
}
