// Original file: proto/vstor/v1/vdisk.proto

import type { Long } from '@grpc/proto-loader';

export interface DeleteVDiskRequest {
  'name'?: (string);
  'clientId'?: (string);
  'sequence'?: (number | string | Long);
}

export interface DeleteVDiskRequest__Output {
  'name': (string);
  'clientId': (string);
  'sequence': (number);
}
