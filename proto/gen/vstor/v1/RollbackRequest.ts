// Original file: proto/vstor/v1/vdisk.proto


export interface RollbackRequest {
  'name'?: (string);
  'snapshot'?: (string);
}

export interface RollbackRequest__Output {
  'name': (string);
  'snapshot': (string);
}
