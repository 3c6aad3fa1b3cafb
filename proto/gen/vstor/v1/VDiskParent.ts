// Original file: proto/vstor/v1/vdisk.proto

import type { Long } from '@grpc/proto-loader';

export interface VDiskParent {
  'name'?: (string);
  'id'?: (number);
  'snapshot'?: (string);
  'epoch'?: (number | string | Long);
}

export interface VDiskParent__Output {
  'name': (string);
  'id': (number);
  'snapshot': (string);
  'epoch': (number);
}
