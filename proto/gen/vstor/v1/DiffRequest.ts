// Original file: proto/vstor/v1/vdisk.proto

import type { Long } from '@grpc/proto-loader';

export interface DiffRequest {
  'name'?: (string);
  'fromSnapshot'?: (string);
  'toSnapshot'?: (string);
  'startBlockIndex'?: (number | string | Long);
  'rangesMax'?: (number);
}

export interface DiffRequest__Output {
  'name': (string);
  'fromSnapshot': (string);
  'toSnapshot': (string);
  'startBlockIndex': (number);
  'rangesMax': (number);
}
