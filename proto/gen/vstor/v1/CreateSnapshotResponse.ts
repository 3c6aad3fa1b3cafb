// Original file: proto/vstor/v1/vdisk.proto

import type { ResponseHeader as _vstor_v1_ResponseHeader, ResponseHeader__Output as _vstor_v1_ResponseHeader__Output } from '../../vstor/v1/ResponseHeader.ts';
import type { VDisk as _vstor_v1_VDisk, VDisk__Output as _vstor_v1_VDisk__Output } from '../../vstor/v1/VDisk.ts';
import type { VDiskSnapshot as _vstor_v1_VDiskSnapshot, VDiskSnapshot__Output as _vstor_v1_VDiskSnapshot__Output } from '../../vstor/v1/VDiskSnapshot.ts';

export interface CreateSnapshotResponse {
  'header'?: (_vstor_v1_ResponseHeader | null);
  'vdisk'?: (_vstor_v1_VDisk | null);
  'snapshot'?: (_vstor_v1_VDiskSnapshot | null);
}

export interface CreateSnapshotResponse__Output {
  'header': (_vstor_v1_ResponseHeader__Output | null);
  'vdisk': (_vstor_v1_VDisk__Output | null);
  'snapshot': (_vstor_v1_VDiskSnapshot__Output | null);
}
