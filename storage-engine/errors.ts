// vstor's one operating-error type (DESIGN.md "Errors"): a string code that rpc/ maps to a
// gRPC status and vstorctl prints as one line. Callers test the code, never the message.
// Broken invariants are not VstorErrors: they are assertions (consensus/errors.ts) and stop
// the process. The Raft core keeps its own RaftError, which the daemon translates.

/** Every vstor operating error code; rpc/errors.ts maps each to a gRPC status. */
export const vstorErrorCodes = [
  /** This member does not lead and cannot forward; the leader hint says where to go. */
  'NOT_LEADER',
  'NOT_FOUND',
  'ALREADY_EXISTS',
  /** Malformed or out-of-limit input: it says what is wrong, and nothing was applied. */
  'INVALID_ARGUMENT',
  /** An offset, size or index outside what exists (a read past the end of a vDisk). */
  'OUT_OF_RANGE',
  /** Temporarily unable to serve (no leader, no quorum, shutting down): retryable. */
  'UNAVAILABLE',
  /** The request is valid but the state does not allow it (a snapshot with clones). */
  'FAILED_PRECONDITION',
  /** A bounded queue or quota is full: retry later. */
  'RESOURCE_EXHAUSTED',
  /** The outcome is unknown: the deadline passed before an answer. */
  'DEADLINE_EXCEEDED',
  /** The client cancelled the call. */
  'CANCELLED',
  /** A revision or log position is older than what is retained. */
  'COMPACTED',
  /** What was read back is not what was written: a checksum mismatch, a gap, a torn record. */
  'CORRUPTION',
  /** A checksum did not match on the wire. */
  'DATA_LOSS',
  /** Data in a format version this build cannot read. */
  'UNSUPPORTED_FORMAT',
  /** An object was used before open() or after close(). */
  'NOT_OPEN',
  /** The engine could not open its database (a lock held by another process, a bad path). */
  'OPEN_FAILED',
  /** The server does not implement the call (an older or newer member). */
  'UNIMPLEMENTED',
  /** A bug or an unexpected failure; the message says what happened. */
  'INTERNAL',
] as const;

export type VstorErrorCode = (typeof vstorErrorCodes)[number];

/**
 * Codes whose call may succeed later with no change by the caller. A retried write stays
 * at most once because it reuses its (client id, sequence) pair, which is what makes
 * DEADLINE_EXCEEDED (outcome unknown) safe to retry.
 */
export const retryableCodes: ReadonlySet<VstorErrorCode> = new Set<VstorErrorCode>([
  'NOT_LEADER', 'UNAVAILABLE', 'RESOURCE_EXHAUSTED', 'DEADLINE_EXCEEDED',
]);

/** The leader as a member that is not the leader knows it; leaderId 0 means unknown. */
export interface LeaderHint {
  leaderId: number;
  /** host:port of the leader's gRPC service, if known. */
  leaderAddress?: string;
}

export class VstorError extends Error {
  readonly code: VstorErrorCode;
  /** True when the same call may succeed later unchanged. */
  readonly retryable: boolean;
  /** For NOT_LEADER: the leader the answering member knew of. */
  readonly leader: LeaderHint | undefined;

  constructor(code: VstorErrorCode, message: string, options: { cause?: unknown; retryable?: boolean; leader?: LeaderHint } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'VstorError';
    this.code = code;
    this.retryable = options.retryable ?? retryableCodes.has(code);
    this.leader = options.leader;
  }
}

export function isVstorError(error: unknown, code?: VstorErrorCode): error is VstorError {
  return error instanceof VstorError && (code === undefined || error.code === code);
}
