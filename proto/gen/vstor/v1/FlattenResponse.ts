// Original file: proto/vstor/v1/vdisk.proto

import type { ResponseHeader as _vstor_v1_ResponseHeader, ResponseHeader__Output as _vstor_v1_ResponseHeader__Output } from '../../vstor/v1/ResponseHeader.ts';
import type { VDisk as _vstor_v1_VDisk, VDisk__Output as _vstor_v1_VDisk__Output } from '../../vstor/v1/VDisk.ts';

export interface FlattenResponse {
  'header'?: (_vstor_v1_ResponseHeader | null);
  'vdisk'?: (_vstor_v1_VDisk | null);
}

export interface FlattenResponse__Output {
  'header': (_vstor_v1_ResponseHeader__Output | null);
  'vdisk': (_vstor_v1_VDisk__Output | null);
}
