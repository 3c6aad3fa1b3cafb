// Original file: proto/vstor/v1/vdisk.proto

import type { ResponseHeader as _vstor_v1_ResponseHeader, ResponseHeader__Output as _vstor_v1_ResponseHeader__Output } from '../../vstor/v1/ResponseHeader.ts';
import type { BlockRange as _vstor_v1_BlockRange, BlockRange__Output as _vstor_v1_BlockRange__Output } from '../../vstor/v1/BlockRange.ts';
import type { Long } from '@grpc/proto-loader';

export interface DiffResponse {
  'header'?: (_vstor_v1_ResponseHeader | null);
  'blockBytes'?: (number);
  'ranges'?: (_vstor_v1_BlockRange)[];
  'more'?: (boolean);
  'nextStartBlockIndex'?: (number | string | Long);
}

export interface DiffResponse__Output {
  'header': (_vstor_v1_ResponseHeader__Output | null);
  'blockBytes': (number);
  'ranges': (_vstor_v1_BlockRange__Output)[];
  'more': (boolean);
  'nextStartBlockIndex': (number);
}
