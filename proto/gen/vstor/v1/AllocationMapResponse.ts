// Original file: proto/vstor/v1/vdisk.proto

import type { ResponseHeader as _vstor_v1_ResponseHeader, ResponseHeader__Output as _vstor_v1_ResponseHeader__Output } from '../../vstor/v1/ResponseHeader.ts';
import type { AllocationExtent as _vstor_v1_AllocationExtent, AllocationExtent__Output as _vstor_v1_AllocationExtent__Output } from '../../vstor/v1/AllocationExtent.ts';

export interface AllocationMapResponse {
  'header'?: (_vstor_v1_ResponseHeader | null);
  'extents'?: (_vstor_v1_AllocationExtent)[];
}

export interface AllocationMapResponse__Output {
  'header': (_vstor_v1_ResponseHeader__Output | null);
  'extents': (_vstor_v1_AllocationExtent__Output)[];
}
