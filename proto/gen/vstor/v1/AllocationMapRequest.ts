// Original file: proto/vstor/v1/vdisk.proto

import type { Long } from '@grpc/proto-loader';

export interface AllocationMapRequest {
  'name'?: (string);
  'snapshot'?: (string);
  'offsetBytes'?: (number | string | Long);
  'lengthBytes'?: (number | string | Long);
}

export interface AllocationMapRequest__Output {
  'name': (string);
  'snapshot': (string);
  'offsetBytes': (number);
  'lengthBytes': (number);
}
