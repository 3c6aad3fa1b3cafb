// Original file: proto/vstor/v1/vdisk.proto


export interface GetVDiskRequest {
  'name'?: (string);
  'serializable'?: (boolean);
}

export interface GetVDiskRequest__Output {
  'name': (string);
  'serializable': (boolean);
}
