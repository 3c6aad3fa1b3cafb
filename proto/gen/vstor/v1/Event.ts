// Original file: proto/vstor/v1/kv.proto

import type { KeyValue as _vstor_v1_KeyValue, KeyValue__Output as _vstor_v1_KeyValue__Output } from '../../vstor/v1/KeyValue.ts';

// Original file: proto/vstor/v1/kv.proto

export const _vstor_v1_Event_Type = {
  TYPE_UNSPECIFIED: 'TYPE_UNSPECIFIED',
  PUT: 'PUT',
  DELETE: 'DELETE',
} as const;

export type _vstor_v1_Event_Type =
  | 'TYPE_UNSPECIFIED'
  | 0
  | 'PUT'
  | 1
  | 'DELETE'
  | 2

export type _vstor_v1_Event_Type__Output = typeof _vstor_v1_Event_Type[keyof typeof _vstor_v1_Event_Type]

export interface Event {
  'type'?: (_vstor_v1_Event_Type);
  'kv'?: (_vstor_v1_KeyValue | null);
  'prevKv'?: (_vstor_v1_KeyValue | null);
}

export interface Event__Output {
  'type': (_vstor_v1_Event_Type__Output);
  'kv': (_vstor_v1_KeyValue__Output | null);
  'prevKv': (_vstor_v1_KeyValue__Output | null);
}
