// Original file: proto/vstor/v1/cluster.proto

import type { ResponseHeader as _vstor_v1_ResponseHeader, ResponseHeader__Output as _vstor_v1_ResponseHeader__Output } from '../../vstor/v1/ResponseHeader.ts';
import type { Member as _vstor_v1_Member, Member__Output as _vstor_v1_Member__Output } from '../../vstor/v1/Member.ts';

export interface MemberRemoveResponse {
  'header'?: (_vstor_v1_ResponseHeader | null);
  'members'?: (_vstor_v1_Member)[];
}

export interface MemberRemoveResponse__Output {
  'header': (_vstor_v1_ResponseHeader__Output | null);
  'members': (_vstor_v1_Member__Output)[];
}
