// Original file: proto/vstor/v1/vdisk.proto

import type { VDiskParent as _vstor_v1_VDiskParent, VDiskParent__Output as _vstor_v1_VDiskParent__Output } from '../../vstor/v1/VDiskParent.ts';
import type { VDiskSnapshot as _vstor_v1_VDiskSnapshot, VDiskSnapshot__Output as _vstor_v1_VDiskSnapshot__Output } from '../../vstor/v1/VDiskSnapshot.ts';
import type { Long } from '@grpc/proto-loader';

export interface VDisk {
  'name'?: (string);
  'id'?: (number);
  'sizeBytes'?: (number | string | Long);
  'owner'?: (string);
  'headEpoch'?: (number | string | Long);
  'parent'?: (_vstor_v1_VDiskParent | null);
  'snapshots'?: (_vstor_v1_VDiskSnapshot)[];
  'createdAtMs'?: (number | string | Long);
  'revision'?: (number | string | Long);
}

export interface VDisk__Output {
  'name': (string);
  'id': (number);
  'sizeBytes': (number);
  'owner': (string);
  'headEpoch': (number);
  'parent': (_vstor_v1_VDiskParent__Output | null);
  'snapshots': (_vstor_v1_VDiskSnapshot__Output)[];
  'createdAtMs': (number);
  'revision': (number);
}
