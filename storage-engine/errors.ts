// Operating errors of the storage engine, with a string code that rpc/ can map to a gRPC
// status and that callers test instead of matching messages. Broken invariants are not
// StorageErrors: they are assertions (consensus/errors.ts) and stop the process.

export type StorageErrorCode =
  /** openDatabase() was given an engine name it does not know. */
  | 'UNKNOWN_ENGINE'
  /** The engine could not open the database (a lock held by another process, a bad path, …). */
  | 'OPEN_FAILED'
  /** An argument at a public edge is malformed; nothing was written. */
  | 'INVALID_ARGUMENT'
  /** A configured limit (entryBytesMax, snapshotBytesMax, …) was exceeded; nothing was written. */
  | 'LIMIT_EXCEEDED'
  /** What was read back is not what was written: a checksum mismatch, a gap, a torn pair. */
  | 'CORRUPTION'
  /** A record was written in a format version this build cannot read. */
  | 'UNSUPPORTED_FORMAT'
  /** The object was used after close() was called. */
  | 'NOT_OPEN';

export class StorageError extends Error {
  readonly code: StorageErrorCode;

  constructor(code: StorageErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StorageError';
    this.code = code;
  }
}

export function isStorageError(error: unknown, code?: StorageErrorCode): error is StorageError {
  return error instanceof StorageError && (code === undefined || error.code === code);
}
