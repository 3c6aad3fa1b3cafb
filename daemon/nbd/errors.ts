// Two kinds of failure in the NBD codec (STYLE 5). What a client sends is never trusted:
// bad bytes become a ProtocolError event that the server acts on (an error reply, or a
// hard disconnect for the fatal ones). An encoder called with values no correct server
// would pass is a bug in the server, so it is an assertion and crashes.

export type ProtocolErrorCode =
  /** A magic number did not match: the stream is not NBD or we lost the frame boundary. */
  | 'BAD_MAGIC'
  /** The client set a flag we do not know or did not offer; the spec says drop it. */
  | 'BAD_CLIENT_FLAGS'
  /** More bytes arrived than the connection may hold unparsed. */
  | 'BUFFER_FULL'
  /** A WRITE announced a payload above the configured maximum. */
  | 'PAYLOAD_TOO_BIG'
  /** Bytes arrived after the phase that accepts them ended (after ABORT or DISC). */
  | 'UNEXPECTED_DATA';

/** A fatal protocol error: the decoder that emits it ignores all further input. */
export interface ProtocolError {
  kind: 'protocol-error';
  code: ProtocolErrorCode;
  message: string;
}

export function protocolError(code: ProtocolErrorCode, message: string): ProtocolError {
  return { kind: 'protocol-error', code, message };
}

export class NbdAssertionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NbdAssertionError';
  }
}

export function assert(condition: boolean, message: string): asserts condition {
  if (!condition) throw new NbdAssertionError(message);
}
