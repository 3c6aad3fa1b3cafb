// Original file: proto/vstor/v1/vdisk.proto

import type { Long } from '@grpc/proto-loader';

export interface VDiskRangeRequest {
  'name'?: (string);
  'offsetBytes'?: (number | string | Long);
  'lengthBytes'?: (number | string | Long);
  'fua'?: (boolean);
}

export interface VDiskRangeRequest__Output {
  'name': (string);
  'offsetBytes': (number);
  'lengthBytes': (number);
  'fua': (boolean);
}
