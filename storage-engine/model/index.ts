// The model's public surface, for the Raft loop, rpc/ and tests: the state machine, the
// request and response types, the codec a proposer uses, and the errors it raises.

export type { ApplyOptions, ApplyResult, KvStateMachineOptions, ModelStatus } from './kv-state-machine.ts';
export { KvStateMachine } from './kv-state-machine.ts';
export type {
  Compare,
  CompareResult,
  CompareTarget,
  DeleteRangeCommand,
  DeleteRangeResponse,
  ErrorResponse,
  KeyValue,
  PutCommand,
  PutResponse,
  RangeRequest,
  RangeResponse,
  ResponseHeader,
  TxnCommand,
  TxnOperation,
  TxnOperationResponse,
  TxnResponse,
  WriteCommand,
  WriteRequest,
  WriteResponse,
} from './commands.ts';
export { validateWriteRequest } from './commands.ts';
export { COMMAND_CODEC_VERSION, decodeWriteRequest, encodeWriteRequest, isModelEntry, MODEL_ENTRY_TAG } from './codec.ts';
export type { ModelConfig } from './config.ts';
export { defaultModelConfig, modelConfig } from './config.ts';
export type { VstorErrorCode } from './errors.ts';
export { isVstorError, VstorError } from './errors.ts';
export type { WatchEvent } from './events.ts';
export { compareBytes, concatBytes } from './bytes.ts';
export { prefixEnd, RANGE_END_UNBOUNDED } from './key-range.ts';
export type { ModelDatabase } from './model-database.ts';
export type { ModelSnapshot } from './model-snapshot.ts';
export type { SnapshotHeader } from './snapshot-stream.ts';
export type { Watcher, WatchRequest } from './watch-hub.ts';
