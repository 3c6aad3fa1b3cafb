// Operating errors on the wire. A server turns a coded error (a VstorError, from whichever
// layer raised it) into a gRPC status whose code generic tools
// understand, and carries the precise vstor code, whether a retry can succeed, and for
// NOT_LEADER the leader it knows, in trailing metadata. A client turns any ServiceError,
// ours or the transport's, back into one VstorError with a vstor code and a one-line message,
// which vstorctl prints as is.
//
// The codes and VstorError itself live in storage-engine/errors.ts, the lowest layer that
// raises them; this module only maps them to and from the wire.
import type { ServiceError, StatusObject } from '@grpc/grpc-js';
import { Metadata, status } from '@grpc/grpc-js';
import type { LeaderHint, VstorErrorCode } from '../storage-engine/errors.ts';
import { isVstorError, retryableCodes, VstorError, vstorErrorCodes } from '../storage-engine/errors.ts';

export type { LeaderHint, VstorErrorCode };
export { isVstorError, retryableCodes, VstorError, vstorErrorCodes };

/** What a coded error looks like, whichever layer raised it. */
export interface CodedError {
  code: string;
  message: string;
}

/** Trailing metadata keys, all lower case as gRPC requires. */
export const errorMetadataKeys = {
  code: 'vstor-code',
  retryable: 'vstor-retryable',
  leaderId: 'vstor-leader-id',
  leaderAddress: 'vstor-leader-address',
} as const;

const grpcStatusByCode: Readonly<Record<VstorErrorCode, status>> = {
  NOT_LEADER: status.UNAVAILABLE,
  NOT_FOUND: status.NOT_FOUND,
  ALREADY_EXISTS: status.ALREADY_EXISTS,
  INVALID_ARGUMENT: status.INVALID_ARGUMENT,
  OUT_OF_RANGE: status.OUT_OF_RANGE,
  UNAVAILABLE: status.UNAVAILABLE,
  FAILED_PRECONDITION: status.FAILED_PRECONDITION,
  RESOURCE_EXHAUSTED: status.RESOURCE_EXHAUSTED,
  DEADLINE_EXCEEDED: status.DEADLINE_EXCEEDED,
  CANCELLED: status.CANCELLED,
  DATA_LOSS: status.DATA_LOSS,
  UNIMPLEMENTED: status.UNIMPLEMENTED,
  INTERNAL: status.INTERNAL,
  COMPACTED: status.OUT_OF_RANGE,
  CORRUPTION: status.DATA_LOSS,
  UNSUPPORTED_FORMAT: status.FAILED_PRECONDITION,
  NOT_OPEN: status.UNAVAILABLE,
  OPEN_FAILED: status.UNAVAILABLE,
};

/**
 * A failure the transport reported without a vstor server's word on it (no vstor-code
 * trailer): a refused or broken connection is UNAVAILABLE and worth retrying elsewhere; a
 * RESOURCE_EXHAUSTED from grpc-js means a message over its size limit, which a retry will
 * not fix; a client's own deadline is the caller's to extend.
 */
const transportRetryableStatuses: ReadonlySet<status> = new Set([status.UNAVAILABLE]);

const codeByGrpcStatus: ReadonlyMap<status, VstorErrorCode> = new Map<status, VstorErrorCode>([
  [status.CANCELLED, 'CANCELLED'],
  [status.INVALID_ARGUMENT, 'INVALID_ARGUMENT'],
  [status.DEADLINE_EXCEEDED, 'DEADLINE_EXCEEDED'],
  [status.NOT_FOUND, 'NOT_FOUND'],
  [status.ALREADY_EXISTS, 'ALREADY_EXISTS'],
  [status.RESOURCE_EXHAUSTED, 'RESOURCE_EXHAUSTED'],
  [status.FAILED_PRECONDITION, 'FAILED_PRECONDITION'],
  [status.OUT_OF_RANGE, 'OUT_OF_RANGE'],
  [status.UNIMPLEMENTED, 'UNIMPLEMENTED'],
  [status.INTERNAL, 'INTERNAL'],
  [status.UNAVAILABLE, 'UNAVAILABLE'],
  [status.DATA_LOSS, 'DATA_LOSS'],
]);

const knownCodes: ReadonlySet<string> = new Set(vstorErrorCodes);

export function isVstorErrorCode(code: unknown): code is VstorErrorCode {
  return typeof code === 'string' && knownCodes.has(code);
}

export function isRetryableCode(code: VstorErrorCode): boolean {
  return retryableCodes.has(code);
}

export function grpcStatusOf(code: VstorErrorCode): status {
  return grpcStatusByCode[code];
}

function isCodedError(error: unknown): error is CodedError {
  return (
    typeof error === 'object' && error !== null &&
    typeof (error as CodedError).code === 'string' && typeof (error as CodedError).message === 'string'
  );
}

/** The status a server sends for `error`, for a unary callback or a stream's 'error'. */
export type ErrorStatus = Pick<StatusObject, 'code' | 'details' | 'metadata'>;

/**
 * The gRPC status for an error thrown while serving a call. A coded error with a vstor code
 * keeps its code and message; anything else (an unknown code, a plain Error) is INTERNAL
 * with its message, since it is a bug the operator needs to see. (A failed assertion is not
 * mapped at all: it stops the process, DESIGN.md; the server decides that before calling
 * this.) For NOT_LEADER, pass what this member knows of the leader: the client goes there
 * next.
 */
export function toErrorStatus(error: unknown, leader?: LeaderHint): ErrorStatus {
  const described = describeError(error, leader);
  const metadata = trailersOf(described);
  return { code: described.grpcCode, details: described.message, metadata };
}

/** The trailers a vstor server adds to a failed call. */
function trailersOf(described: Pick<ErrorDescription, 'vstorCode' | 'retryable' | 'leader'>): Metadata {
  const metadata = new Metadata();
  metadata.set(errorMetadataKeys.code, described.vstorCode);
  metadata.set(errorMetadataKeys.retryable, String(described.retryable));
  if (described.leader !== undefined) {
    metadata.set(errorMetadataKeys.leaderId, String(described.leader.leaderId));
    if (described.leader.leaderAddress !== undefined) metadata.set(errorMetadataKeys.leaderAddress, described.leader.leaderAddress);
  }
  return metadata;
}

/** What a server answers for an error, before it is framed as a unary call's status and
 * trailers (toErrorStatus) or as a Session answer (rpc/session-stream.ts). */
export interface ErrorDescription {
  grpcCode: status;
  message: string;
  vstorCode: VstorErrorCode;
  retryable: boolean;
  /** Only for NOT_LEADER, when the leader is known. */
  leader: LeaderHint | undefined;
}

/** See toErrorStatus. */
export function describeError(error: unknown, leader?: LeaderHint): ErrorDescription {
  let code: VstorErrorCode = 'INTERNAL';
  let details: string;
  if (isCodedError(error) && isVstorErrorCode(error.code)) {
    code = error.code;
    details = error.message;
  } else if (isCodedError(error)) {
    details = `${error.code}: ${error.message}`;
  } else {
    details = error instanceof Error ? error.message : String(error);
  }
  // A VstorError may know better than its code's default (an oversized request is
  // RESOURCE_EXHAUSTED, but no retry makes it smaller).
  const retryable = error instanceof VstorError && error.code === code ? error.retryable : retryableCodes.has(code);
  const hint = leader ?? (error instanceof VstorError ? error.leader : undefined);
  return {
    grpcCode: grpcStatusByCode[code],
    message: details === '' ? code : details,
    vstorCode: code,
    retryable,
    leader: code === 'NOT_LEADER' && hint !== undefined && hint.leaderId > 0 ? hint : undefined,
  };
}

/**
 * The error a client hands on for a Session call that failed: shaped as grpc-js shapes a
 * failed unary call (code, details, trailers), so that fromServiceError and the retry
 * rules treat both framings alike.
 */
export function sessionCallError(described: Omit<ErrorDescription, 'grpcCode'> & { grpcCode: number }): ServiceError {
  const metadata = trailersOf(described);
  const error = new Error(`${described.grpcCode} ${status[described.grpcCode] ?? ''}: ${described.message}`) as ServiceError;
  error.code = described.grpcCode;
  error.details = described.message;
  error.metadata = metadata;
  return error;
}

function firstString(metadata: Metadata | undefined, key: string): string | undefined {
  const value = metadata?.get(key)[0];
  return typeof value === 'string' ? value : undefined;
}

function leaderHintOf(metadata: Metadata | undefined): LeaderHint | undefined {
  const id = Number(firstString(metadata, errorMetadataKeys.leaderId));
  if (!Number.isSafeInteger(id) || id <= 0) return undefined;
  const leaderAddress = firstString(metadata, errorMetadataKeys.leaderAddress);
  return leaderAddress === undefined ? { leaderId: id } : { leaderId: id, leaderAddress };
}

/** Whether `error` is what grpc-js hands a client for a failed call. */
export function isServiceError(error: unknown): error is ServiceError {
  return error instanceof Error && typeof (error as Partial<ServiceError>).code === 'number' && 'details' in error;
}

/**
 * A client's view of a failed call: the vstor code the server sent if it sent one, else
 * the closest code for the gRPC status (transport failures, other servers). Statuses with
 * no vstor counterpart (PERMISSION_DENIED, UNKNOWN, ...) become INTERNAL with the status
 * name in the message. Anything that is not a ServiceError is returned as INTERNAL too.
 */
export function fromServiceError(error: unknown): VstorError {
  if (isVstorError(error)) return error;
  if (!isServiceError(error)) {
    return new VstorError('INTERNAL', error instanceof Error ? error.message : String(error), { retryable: false });
  }
  // grpc-js appends an empty "Resolution note:" to connection failures; it says nothing.
  const details = (error.details !== '' ? error.details : error.message).replace(/\.?\s*Resolution note:\s*$/, '');
  const serverCode = firstString(error.metadata, errorMetadataKeys.code);
  if (isVstorErrorCode(serverCode)) {
    return new VstorError(serverCode, details, {
      retryable: firstString(error.metadata, errorMetadataKeys.retryable) === 'true',
      leader: serverCode === 'NOT_LEADER' ? leaderHintOf(error.metadata) : undefined,
    });
  }
  const code = codeByGrpcStatus.get(error.code);
  const retryable = transportRetryableStatuses.has(error.code);
  if (code === undefined) return new VstorError('INTERNAL', `${status[error.code] ?? error.code}: ${details}`, { retryable });
  return new VstorError(code, details, { retryable });
}
