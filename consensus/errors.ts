// Two kinds of failure, kept apart as STYLE.md asks. A RaftError is an operating error the
// caller is expected to handle (a proposal with no leader, a log position compacted away);
// a failed assertion is a bug, and the process must stop rather than serve.

export type RaftErrorCode =
  /** The proposal was not appended: no leader known, a transfer in progress, or a limit hit.
   * Retryable once a leader is known. */
  | 'PROPOSAL_DROPPED'
  /** The requested index is older than the first index still in the log. */
  | 'COMPACTED'
  /** The requested index is past the last index in the log. */
  | 'UNAVAILABLE'
  /** The requested snapshot is older than the one already stored. */
  | 'SNAPSHOT_OUT_OF_DATE'
  /** The state machine cannot produce a snapshot right now; the leader retries later. */
  | 'SNAPSHOT_TEMPORARILY_UNAVAILABLE'
  /** A message meant for the local node only arrived through step(). */
  | 'STEP_LOCAL_MESSAGE'
  /** A response arrived from a peer that is not in the configuration. */
  | 'STEP_PEER_NOT_FOUND'
  /** A message from the network names no sender, this node as its sender, or another
   * node as its recipient (two members configured with one id, or a misrouted message). */
  | 'INVALID_MESSAGE'
  /** A configuration change the current configuration cannot take. */
  | 'INVALID_CONF_CHANGE'
  /** A Config value is out of its range. */
  | 'INVALID_CONFIG';

export class RaftError extends Error {
  readonly code: RaftErrorCode;
  /** True when the same call may succeed later without any change by the caller. */
  readonly retryable: boolean;

  constructor(code: RaftErrorCode, message: string) {
    super(message);
    this.name = 'RaftError';
    this.code = code;
    this.retryable = code === 'PROPOSAL_DROPPED' || code === 'SNAPSHOT_TEMPORARILY_UNAVAILABLE';
  }
}

export function isRaftError(error: unknown, code?: RaftErrorCode): error is RaftError {
  return error instanceof RaftError && (code === undefined || error.code === code);
}

export class AssertionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AssertionError';
  }
}

/** A broken invariant: never caught, it stops the replica. */
export function assert(condition: unknown, message: string | (() => string)): asserts condition {
  if (!condition) throw new AssertionError(typeof message === 'string' ? message : message());
}
