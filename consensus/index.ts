// The Raft core's public surface. Everything else in consensus/ is internal.
export { RawNode } from './rawnode.ts';
export type { RaftStatus, ProgressStatus } from './rawnode.ts';
export type { RaftConfig, RaftLogger } from './config.ts';
export { silentLogger, validateRaftConfig } from './config.ts';
export type { ConfChange, ConfChangeSingle, ConfChangeTransition, ConfChangeType } from './confchange.ts';
export { decodeConfChange, encodeConfChange, isLeaveJoint } from './confchange.ts';
export { AssertionError, RaftError, assert, isRaftError } from './errors.ts';
export type { RaftErrorCode } from './errors.ts';
export type { RandomSource } from './random.ts';
export { SeededRandom } from './random.ts';
export type { ReadOnlyOption } from './read-only.ts';
export type { InitialState, LogStorage } from './storage.ts';
export { MemoryStorage, limitSize } from './storage.ts';
export * from './types.ts';
