// Original file: proto/vstor/v1/vdisk.proto

import type { Long } from '@grpc/proto-loader';

export interface VDiskSnapshot {
  'name'?: (string);
  'epoch'?: (number | string | Long);
  'sizeBytes'?: (number | string | Long);
  'createdAtMs'?: (number | string | Long);
  'clones'?: (string)[];
}

export interface VDiskSnapshot__Output {
  'name': (string);
  'epoch': (number);
  'sizeBytes': (number);
  'createdAtMs': (number);
  'clones': (string)[];
}
