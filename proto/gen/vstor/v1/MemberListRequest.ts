// Original file: proto/vstor/v1/cluster.proto


export interface MemberListRequest {
  'serializable'?: (boolean);
}

export interface MemberListRequest__Output {
  'serializable': (boolean);
}
