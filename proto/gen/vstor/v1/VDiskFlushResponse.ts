// Original file: proto/vstor/v1/vdisk.proto

import type { ResponseHeader as _vstor_v1_ResponseHeader, ResponseHeader__Output as _vstor_v1_ResponseHeader__Output } from '../../vstor/v1/ResponseHeader.ts';

export interface VDiskFlushResponse {
  'header'?: (_vstor_v1_ResponseHeader | null);
}

export interface VDiskFlushResponse__Output {
  'header': (_vstor_v1_ResponseHeader__Output | null);
}
