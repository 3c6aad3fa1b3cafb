// Original file: proto/vstor/v1/cluster.proto

import type { ResponseHeader as _vstor_v1_ResponseHeader, ResponseHeader__Output as _vstor_v1_ResponseHeader__Output } from '../../vstor/v1/ResponseHeader.ts';
import type { Role as _vstor_v1_Role, Role__Output as _vstor_v1_Role__Output } from '../../vstor/v1/Role.ts';
import type { MemberStatus as _vstor_v1_MemberStatus, MemberStatus__Output as _vstor_v1_MemberStatus__Output } from '../../vstor/v1/MemberStatus.ts';
import type { Long } from '@grpc/proto-loader';

export interface StatusResponse {
  'header'?: (_vstor_v1_ResponseHeader | null);
  'id'?: (number | string | Long);
  'name'?: (string);
  'role'?: (_vstor_v1_Role);
  'isLearner'?: (boolean);
  'raftTerm'?: (number | string | Long);
  'leaderId'?: (number | string | Long);
  'commitIndex'?: (number | string | Long);
  'appliedIndex'?: (number | string | Long);
  'firstIndex'?: (number | string | Long);
  'lastIndex'?: (number | string | Long);
  'members'?: (_vstor_v1_MemberStatus)[];
}

export interface StatusResponse__Output {
  'header': (_vstor_v1_ResponseHeader__Output | null);
  'id': (number);
  'name': (string);
  'role': (_vstor_v1_Role__Output);
  'isLearner': (boolean);
  'raftTerm': (number);
  'leaderId': (number);
  'commitIndex': (number);
  'appliedIndex': (number);
  'firstIndex': (number);
  'lastIndex': (number);
  'members': (_vstor_v1_MemberStatus__Output)[];
}
