// Original file: proto/vstor/v1/vdisk.proto

import type { Long } from '@grpc/proto-loader';

export interface AllocationExtent {
  'offsetBytes'?: (number | string | Long);
  'lengthBytes'?: (number | string | Long);
  'hole'?: (boolean);
}

export interface AllocationExtent__Output {
  'offsetBytes': (number);
  'lengthBytes': (number);
  'hole': (boolean);
}
