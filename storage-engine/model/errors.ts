// The model's operating errors. DESIGN.md asks for one VstorError with a string code that
// rpc/ maps to a gRPC status; no shared storage-engine/errors.ts exists on main yet, so the
// model defines it here, to be deduplicated once one lands. Broken invariants are not
// VstorErrors: they are assertions (consensus/errors.ts) that stop the replica.

export { assert, AssertionError } from '../../consensus/errors.ts';

export type VstorErrorCode =
  /** A request field is out of its range; the message names the field. */
  | 'INVALID_ARGUMENT'
  /** Bytes that do not decode: truncated, an unknown tag, trailing garbage, a bad checksum. */
  | 'MALFORMED'
  /** Bytes written by a newer codec than this replica knows. */
  | 'UNSUPPORTED_VERSION'
  /** A limit that depends on the current state was hit (keys one write changes, response
   * size, watchers); or a watcher fell too far behind and was cancelled. */
  | 'RESOURCE_EXHAUSTED'
  /** The request cannot apply to the current state, e.g. a sequence number older than the
   * last one applied for its client, whose response is no longer kept. */
  | 'FAILED_PRECONDITION'
  /** The requested watch revision is older than the retained event history. */
  | 'COMPACTED'
  /** The model is not open, is closing, or was replaced while the call was in flight. */
  | 'UNAVAILABLE';

export class VstorError extends Error {
  readonly code: VstorErrorCode;

  constructor(code: VstorErrorCode, message: string) {
    super(message);
    this.name = 'VstorError';
    this.code = code;
  }
}

export function isVstorError(error: unknown, code?: VstorErrorCode): error is VstorError {
  return error instanceof VstorError && (code === undefined || error.code === code);
}

export function invalidArgument(field: string, problem: string): VstorError {
  return new VstorError('INVALID_ARGUMENT', `${field}: ${problem}`);
}
