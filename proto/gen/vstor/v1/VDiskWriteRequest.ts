// Original file: proto/vstor/v1/vdisk.proto

import type { Long } from '@grpc/proto-loader';

export interface VDiskWriteRequest {
  'name'?: (string);
  'offsetBytes'?: (number | string | Long);
  'data'?: (Buffer | Uint8Array | string);
  'fua'?: (boolean);
}

export interface VDiskWriteRequest__Output {
  'name': (string);
  'offsetBytes': (number);
  'data': (Buffer);
  'fua': (boolean);
}
