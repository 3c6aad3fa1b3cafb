// Original file: proto/vstor/v1/vdisk.proto


export interface VDiskFlushRequest {
  'name'?: (string);
}

export interface VDiskFlushRequest__Output {
  'name': (string);
}
