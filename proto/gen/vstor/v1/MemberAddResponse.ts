// Original file: proto/vstor/v1/cluster.proto

import type { ResponseHeader as _vstor_v1_ResponseHeader, ResponseHeader__Output as _vstor_v1_ResponseHeader__Output } from '../../vstor/v1/ResponseHeader.ts';
import type { Member as _vstor_v1_Member, Member__Output as _vstor_v1_Member__Output } from '../../vstor/v1/Member.ts';

export interface MemberAddResponse {
  'header'?: (_vstor_v1_ResponseHeader | null);
  'member'?: (_vstor_v1_Member | null);
  'members'?: (_vstor_v1_Member)[];
}

export interface MemberAddResponse__Output {
  'header': (_vstor_v1_ResponseHeader__Output | null);
  'member': (_vstor_v1_Member__Output | null);
  'members': (_vstor_v1_Member__Output)[];
}
