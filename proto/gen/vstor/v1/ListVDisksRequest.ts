// Original file: proto/vstor/v1/vdisk.proto


export interface ListVDisksRequest {
  'serializable'?: (boolean);
}

export interface ListVDisksRequest__Output {
  'serializable': (boolean);
}
