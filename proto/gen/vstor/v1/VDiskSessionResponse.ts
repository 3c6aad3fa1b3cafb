// Original file: proto/vstor/v1/vdisk.proto

import type { GetVDiskResponse as _vstor_v1_GetVDiskResponse, GetVDiskResponse__Output as _vstor_v1_GetVDiskResponse__Output } from '../../vstor/v1/GetVDiskResponse.ts';
import type { VDiskReadResponse as _vstor_v1_VDiskReadResponse, VDiskReadResponse__Output as _vstor_v1_VDiskReadResponse__Output } from '../../vstor/v1/VDiskReadResponse.ts';
import type { VDiskWriteResponse as _vstor_v1_VDiskWriteResponse, VDiskWriteResponse__Output as _vstor_v1_VDiskWriteResponse__Output } from '../../vstor/v1/VDiskWriteResponse.ts';
import type { VDiskRangeResponse as _vstor_v1_VDiskRangeResponse, VDiskRangeResponse__Output as _vstor_v1_VDiskRangeResponse__Output } from '../../vstor/v1/VDiskRangeResponse.ts';
import type { VDiskFlushResponse as _vstor_v1_VDiskFlushResponse, VDiskFlushResponse__Output as _vstor_v1_VDiskFlushResponse__Output } from '../../vstor/v1/VDiskFlushResponse.ts';
import type { CreateSnapshotResponse as _vstor_v1_CreateSnapshotResponse, CreateSnapshotResponse__Output as _vstor_v1_CreateSnapshotResponse__Output } from '../../vstor/v1/CreateSnapshotResponse.ts';
import type { ListSnapshotsResponse as _vstor_v1_ListSnapshotsResponse, ListSnapshotsResponse__Output as _vstor_v1_ListSnapshotsResponse__Output } from '../../vstor/v1/ListSnapshotsResponse.ts';
import type { DeleteSnapshotResponse as _vstor_v1_DeleteSnapshotResponse, DeleteSnapshotResponse__Output as _vstor_v1_DeleteSnapshotResponse__Output } from '../../vstor/v1/DeleteSnapshotResponse.ts';
import type { SessionError as _vstor_v1_SessionError, SessionError__Output as _vstor_v1_SessionError__Output } from '../../vstor/v1/SessionError.ts';
import type { Long } from '@grpc/proto-loader';

export interface VDiskSessionResponse {
  'callId'?: (number | string | Long);
  'getVdisk'?: (_vstor_v1_GetVDiskResponse | null);
  'read'?: (_vstor_v1_VDiskReadResponse | null);
  'write'?: (_vstor_v1_VDiskWriteResponse | null);
  'trim'?: (_vstor_v1_VDiskRangeResponse | null);
  'writeZeroes'?: (_vstor_v1_VDiskRangeResponse | null);
  'flush'?: (_vstor_v1_VDiskFlushResponse | null);
  'createSnapshot'?: (_vstor_v1_CreateSnapshotResponse | null);
  'listSnapshots'?: (_vstor_v1_ListSnapshotsResponse | null);
  'deleteSnapshot'?: (_vstor_v1_DeleteSnapshotResponse | null);
  'error'?: (_vstor_v1_SessionError | null);
  'result'?: "getVdisk"|"read"|"write"|"trim"|"writeZeroes"|"flush"|"createSnapshot"|"listSnapshots"|"deleteSnapshot"|"error";
}

export interface VDiskSessionResponse__Output {
  'callId': (number);
  'getVdisk'?: (_vstor_v1_GetVDiskResponse__Output | null);
  'read'?: (_vstor_v1_VDiskReadResponse__Output | null);
  'write'?: (_vstor_v1_VDiskWriteResponse__Output | null);
  'trim'?: (_vstor_v1_VDiskRangeResponse__Output | null);
  'writeZeroes'?: (_vstor_v1_VDiskRangeResponse__Output | null);
  'flush'?: (_vstor_v1_VDiskFlushResponse__Output | null);
  'createSnapshot'?: (_vstor_v1_CreateSnapshotResponse__Output | null);
  'listSnapshots'?: (_vstor_v1_ListSnapshotsResponse__Output | null);
  'deleteSnapshot'?: (_vstor_v1_DeleteSnapshotResponse__Output | null);
  'error'?: (_vstor_v1_SessionError__Output | null);
  'result'?: "getVdisk"|"read"|"write"|"trim"|"writeZeroes"|"flush"|"createSnapshot"|"listSnapshots"|"deleteSnapshot"|"error";
}
