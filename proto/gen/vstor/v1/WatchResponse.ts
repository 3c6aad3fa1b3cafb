// Original file: proto/vstor/v1/kv.proto

import type { ResponseHeader as _vstor_v1_ResponseHeader, ResponseHeader__Output as _vstor_v1_ResponseHeader__Output } from '../../vstor/v1/ResponseHeader.ts';
import type { Event as _vstor_v1_Event, Event__Output as _vstor_v1_Event__Output } from '../../vstor/v1/Event.ts';

export interface WatchResponse {
  'header'?: (_vstor_v1_ResponseHeader | null);
  'events'?: (_vstor_v1_Event)[];
}

export interface WatchResponse__Output {
  'header': (_vstor_v1_ResponseHeader__Output | null);
  'events': (_vstor_v1_Event__Output)[];
}
