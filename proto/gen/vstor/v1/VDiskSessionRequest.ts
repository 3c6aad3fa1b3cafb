// Original file: proto/vstor/v1/vdisk.proto

import type { GetVDiskRequest as _vstor_v1_GetVDiskRequest, GetVDiskRequest__Output as _vstor_v1_GetVDiskRequest__Output } from '../../vstor/v1/GetVDiskRequest.ts';
import type { VDiskReadRequest as _vstor_v1_VDiskReadRequest, VDiskReadRequest__Output as _vstor_v1_VDiskReadRequest__Output } from '../../vstor/v1/VDiskReadRequest.ts';
import type { VDiskWriteRequest as _vstor_v1_VDiskWriteRequest, VDiskWriteRequest__Output as _vstor_v1_VDiskWriteRequest__Output } from '../../vstor/v1/VDiskWriteRequest.ts';
import type { VDiskRangeRequest as _vstor_v1_VDiskRangeRequest, VDiskRangeRequest__Output as _vstor_v1_VDiskRangeRequest__Output } from '../../vstor/v1/VDiskRangeRequest.ts';
import type { VDiskFlushRequest as _vstor_v1_VDiskFlushRequest, VDiskFlushRequest__Output as _vstor_v1_VDiskFlushRequest__Output } from '../../vstor/v1/VDiskFlushRequest.ts';
import type { CreateSnapshotRequest as _vstor_v1_CreateSnapshotRequest, CreateSnapshotRequest__Output as _vstor_v1_CreateSnapshotRequest__Output } from '../../vstor/v1/CreateSnapshotRequest.ts';
import type { ListSnapshotsRequest as _vstor_v1_ListSnapshotsRequest, ListSnapshotsRequest__Output as _vstor_v1_ListSnapshotsRequest__Output } from '../../vstor/v1/ListSnapshotsRequest.ts';
import type { DeleteSnapshotRequest as _vstor_v1_DeleteSnapshotRequest, DeleteSnapshotRequest__Output as _vstor_v1_DeleteSnapshotRequest__Output } from '../../vstor/v1/DeleteSnapshotRequest.ts';
import type { Long } from '@grpc/proto-loader';

export interface VDiskSessionRequest {
  'callId'?: (number | string | Long);
  'getVdisk'?: (_vstor_v1_GetVDiskRequest | null);
  'read'?: (_vstor_v1_VDiskReadRequest | null);
  'write'?: (_vstor_v1_VDiskWriteRequest | null);
  'trim'?: (_vstor_v1_VDiskRangeRequest | null);
  'writeZeroes'?: (_vstor_v1_VDiskRangeRequest | null);
  'flush'?: (_vstor_v1_VDiskFlushRequest | null);
  'createSnapshot'?: (_vstor_v1_CreateSnapshotRequest | null);
  'listSnapshots'?: (_vstor_v1_ListSnapshotsRequest | null);
  'deleteSnapshot'?: (_vstor_v1_DeleteSnapshotRequest | null);
  'vdiskId'?: (number | string | Long);
  'timeoutMs'?: (number | string | Long);
  'call'?: "getVdisk"|"read"|"write"|"trim"|"writeZeroes"|"flush"|"createSnapshot"|"listSnapshots"|"deleteSnapshot";
}

export interface VDiskSessionRequest__Output {
  'callId': (number);
  'getVdisk'?: (_vstor_v1_GetVDiskRequest__Output | null);
  'read'?: (_vstor_v1_VDiskReadRequest__Output | null);
  'write'?: (_vstor_v1_VDiskWriteRequest__Output | null);
  'trim'?: (_vstor_v1_VDiskRangeRequest__Output | null);
  'writeZeroes'?: (_vstor_v1_VDiskRangeRequest__Output | null);
  'flush'?: (_vstor_v1_VDiskFlushRequest__Output | null);
  'createSnapshot'?: (_vstor_v1_CreateSnapshotRequest__Output | null);
  'listSnapshots'?: (_vstor_v1_ListSnapshotsRequest__Output | null);
  'deleteSnapshot'?: (_vstor_v1_DeleteSnapshotRequest__Output | null);
  'vdiskId': (number);
  'timeoutMs': (number);
  'call'?: "getVdisk"|"read"|"write"|"trim"|"writeZeroes"|"flush"|"createSnapshot"|"listSnapshots"|"deleteSnapshot";
}
