// Original file: proto/vstor/v1/vdisk.proto

import type { Long } from '@grpc/proto-loader';

export interface ResizeVDiskRequest {
  'name'?: (string);
  'sizeBytes'?: (number | string | Long);
  'clientId'?: (string);
  'sequence'?: (number | string | Long);
}

export interface ResizeVDiskRequest__Output {
  'name': (string);
  'sizeBytes': (number);
  'clientId': (string);
  'sequence': (number);
}
