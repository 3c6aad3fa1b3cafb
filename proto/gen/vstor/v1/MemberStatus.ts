// Original file: proto/vstor/v1/cluster.proto

import type { Member as _vstor_v1_Member, Member__Output as _vstor_v1_Member__Output } from '../../vstor/v1/Member.ts';
import type { ProgressState as _vstor_v1_ProgressState, ProgressState__Output as _vstor_v1_ProgressState__Output } from '../../vstor/v1/ProgressState.ts';
import type { Long } from '@grpc/proto-loader';

export interface MemberStatus {
  'member'?: (_vstor_v1_Member | null);
  'progressKnown'?: (boolean);
  'matchIndex'?: (number | string | Long);
  'lagEntries'?: (number | string | Long);
  'progressState'?: (_vstor_v1_ProgressState);
  'recentActive'?: (boolean);
}

export interface MemberStatus__Output {
  'member': (_vstor_v1_Member__Output | null);
  'progressKnown': (boolean);
  'matchIndex': (number);
  'lagEntries': (number);
  'progressState': (_vstor_v1_ProgressState__Output);
  'recentActive': (boolean);
}
