// Original file: proto/vstor/v1/vdisk.proto

import type { Long } from '@grpc/proto-loader';

export interface CreateSnapshotRequest {
  'name'?: (string);
  'snapshot'?: (string);
  'clientId'?: (string);
  'sequence'?: (number | string | Long);
}

export interface CreateSnapshotRequest__Output {
  'name': (string);
  'snapshot': (string);
  'clientId': (string);
  'sequence': (number);
}
