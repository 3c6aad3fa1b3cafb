// Original file: proto/vstor/v1/kv.proto

import type { Long } from '@grpc/proto-loader';

// Original file: proto/vstor/v1/kv.proto

export const _vstor_v1_Compare_Result = {
  RESULT_UNSPECIFIED: 'RESULT_UNSPECIFIED',
  EQUAL: 'EQUAL',
  NOT_EQUAL: 'NOT_EQUAL',
  LESS: 'LESS',
  GREATER: 'GREATER',
} as const;

export type _vstor_v1_Compare_Result =
  | 'RESULT_UNSPECIFIED'
  | 0
  | 'EQUAL'
  | 1
  | 'NOT_EQUAL'
  | 2
  | 'LESS'
  | 3
  | 'GREATER'
  | 4

export type _vstor_v1_Compare_Result__Output = typeof _vstor_v1_Compare_Result[keyof typeof _vstor_v1_Compare_Result]

export interface Compare {
  'result'?: (_vstor_v1_Compare_Result);
  'key'?: (Buffer | Uint8Array | string);
  'value'?: (Buffer | Uint8Array | string);
  'version'?: (number | string | Long);
  'createRevision'?: (number | string | Long);
  'modRevision'?: (number | string | Long);
  'target'?: "value"|"version"|"createRevision"|"modRevision";
}

export interface Compare__Output {
  'result': (_vstor_v1_Compare_Result__Output);
  'key': (Buffer);
  'value'?: (Buffer);
  'version'?: (number);
  'createRevision'?: (number);
  'modRevision'?: (number);
  'target'?: "value"|"version"|"createRevision"|"modRevision";
}
