// Original file: proto/vstor/v1/vdisk.proto


export interface ListSnapshotsRequest {
  'name'?: (string);
  'serializable'?: (boolean);
}

export interface ListSnapshotsRequest__Output {
  'name': (string);
  'serializable': (boolean);
}
