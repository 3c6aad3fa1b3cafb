// Original file: proto/vstor/v1/cluster.proto

export const ProgressState = {
  PROGRESS_STATE_UNSPECIFIED: 'PROGRESS_STATE_UNSPECIFIED',
  PROGRESS_STATE_PROBE: 'PROGRESS_STATE_PROBE',
  PROGRESS_STATE_REPLICATE: 'PROGRESS_STATE_REPLICATE',
  PROGRESS_STATE_SNAPSHOT: 'PROGRESS_STATE_SNAPSHOT',
} as const;

export type ProgressState =
  | 'PROGRESS_STATE_UNSPECIFIED'
  | 0
  | 'PROGRESS_STATE_PROBE'
  | 1
  | 'PROGRESS_STATE_REPLICATE'
  | 2
  | 'PROGRESS_STATE_SNAPSHOT'
  | 3

export type ProgressState__Output = typeof ProgressState[keyof typeof ProgressState]
