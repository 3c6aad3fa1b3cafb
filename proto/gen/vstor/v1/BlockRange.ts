// Original file: proto/vstor/v1/vdisk.proto

import type { Long } from '@grpc/proto-loader';

export interface BlockRange {
  'firstBlockIndex'?: (number | string | Long);
  'blockCount'?: (number | string | Long);
}

export interface BlockRange__Output {
  'firstBlockIndex': (number);
  'blockCount': (number);
}
