// Original file: proto/vstor/v1/vdisk.proto

import type { ResponseHeader as _vstor_v1_ResponseHeader, ResponseHeader__Output as _vstor_v1_ResponseHeader__Output } from '../../vstor/v1/ResponseHeader.ts';
import type { VDiskSnapshot as _vstor_v1_VDiskSnapshot, VDiskSnapshot__Output as _vstor_v1_VDiskSnapshot__Output } from '../../vstor/v1/VDiskSnapshot.ts';

export interface ListSnapshotsResponse {
  'header'?: (_vstor_v1_ResponseHeader | null);
  'snapshots'?: (_vstor_v1_VDiskSnapshot)[];
}

export interface ListSnapshotsResponse__Output {
  'header': (_vstor_v1_ResponseHeader__Output | null);
  'snapshots': (_vstor_v1_VDiskSnapshot__Output)[];
}
