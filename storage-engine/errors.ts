// vstor's one operating-error type (DESIGN.md "Errors"): a string code that rpc/ maps to a
// gRPC status and vstorctl prints as one line. Callers test the code, never the message.
// Broken invariants are not VstorErrors: they are assertions (consensus/errors.ts) and stop
// the process. The Raft core keeps its own RaftError, which the daemon translates.

export type VstorErrorCode =
  /** This node is not the leader and cannot forward; the detail names the leader if known. */
  | 'NOT_LEADER'
  | 'NOT_FOUND'
  | 'ALREADY_EXISTS'
  /** Malformed or out-of-limit input; nothing was applied. */
  | 'INVALID_ARGUMENT'
  /** An offset or size outside what exists (a read past the end of a vDisk). */
  | 'OUT_OF_RANGE'
  /** Temporarily unable to serve (no leader, shutting down); the same call may succeed later. */
  | 'UNAVAILABLE'
  /** The request is valid but the state does not allow it (a snapshot with clones). */
  | 'FAILED_PRECONDITION'
  /** A bounded queue or quota is full; retry later. */
  | 'RESOURCE_EXHAUSTED'
  /** The outcome is unknown: the deadline passed before an answer. */
  | 'DEADLINE_EXCEEDED'
  /** A revision or log position is older than what is retained. */
  | 'COMPACTED'
  /** What was read back is not what was written: a checksum mismatch, a gap, a torn record. */
  | 'CORRUPTION'
  /** Data in a format version this build cannot read. */
  | 'UNSUPPORTED_FORMAT'
  /** An object was used before open() or after close(). */
  | 'NOT_OPEN'
  | 'INTERNAL';

export class VstorError extends Error {
  readonly code: VstorErrorCode;
  /** True when the same call may succeed later unchanged. */
  readonly retryable: boolean;

  constructor(code: VstorErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'VstorError';
    this.code = code;
    this.retryable = code === 'UNAVAILABLE' || code === 'NOT_LEADER' || code === 'RESOURCE_EXHAUSTED';
  }
}

export function isVstorError(error: unknown, code?: VstorErrorCode): error is VstorError {
  return error instanceof VstorError && (code === undefined || error.code === code);
}
