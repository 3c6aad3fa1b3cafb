// The client's side of a KV Session (kv.proto, `Session`; the server's side is
// rpc/kv-session.ts): one long-lived stream per endpoint that carries this client's Range,
// Put, DeleteRange and Txn calls, each with an id of its own. It looks to the rest of the
// client like the unary calls it replaces: call() takes a request, a deadline and a
// callback, and a failed call calls back with an error shaped as grpc-js shapes a failed
// unary call (code, details, vstor trailers), so the retry rules (client-retry.ts) and
// the at-most-once contract of writes work unchanged.
//
// The stream opens on the first call and again on the first call after it ended. When it
// ends with calls unanswered (the connection dropped, the server shut down), each of them
// fails with the stream's status: UNAVAILABLE, which the client retries (a write with the
// same client id and sequence, so it is applied at most once). A call whose deadline
// passes fails with DEADLINE_EXCEEDED and its late answer, if any, is dropped. A server
// that does not know Session (UNIMPLEMENTED) gets unary calls from then on.
//
// Large requests go as unary calls: the server's transport refuses a message over its
// limit by ending the call that carried it, and on a session that would fail every other
// call in flight with it. Below SESSION_REQUEST_BYTES_MAX, far under any server's limit,
// the payload is small enough that a stream's saving matters; above it the call's own
// bytes dominate and a unary call costs little more.
import type { ClientDuplexStream, ServiceError } from '@grpc/grpc-js';
import { Metadata, status } from '@grpc/grpc-js';
import type { DeleteRangeRequest } from '../proto/gen/vstor/v1/DeleteRangeRequest.ts';
import type { DeleteRangeResponse__Output } from '../proto/gen/vstor/v1/DeleteRangeResponse.ts';
import type { KVClient } from '../proto/gen/vstor/v1/KV.ts';
import type { PutRequest } from '../proto/gen/vstor/v1/PutRequest.ts';
import type { PutResponse__Output } from '../proto/gen/vstor/v1/PutResponse.ts';
import type { RangeRequest } from '../proto/gen/vstor/v1/RangeRequest.ts';
import type { RangeResponse__Output } from '../proto/gen/vstor/v1/RangeResponse.ts';
import type { SessionRequest } from '../proto/gen/vstor/v1/SessionRequest.ts';
import type { SessionResponse__Output } from '../proto/gen/vstor/v1/SessionResponse.ts';
import type { TxnRequest } from '../proto/gen/vstor/v1/TxnRequest.ts';
import type { TxnResponse__Output } from '../proto/gen/vstor/v1/TxnResponse.ts';
import { errorMetadataKeys, isVstorErrorCode, sessionCallError } from './errors.ts';

/** Each kind of call with its request and response. */
export interface SessionCalls {
  range: { request: RangeRequest; response: RangeResponse__Output };
  put: { request: PutRequest; response: PutResponse__Output };
  deleteRange: { request: DeleteRangeRequest; response: DeleteRangeResponse__Output };
  txn: { request: TxnRequest; response: TxnResponse__Output };
}
export type SessionCallKind = keyof SessionCalls;

type Callback<Response> = (error: ServiceError | null, response?: Response) => void;

interface Pending {
  kind: SessionCallKind;
  /** Kept for a server without Session, which gets it again as a unary call. */
  request: unknown;
  deadline: number;
  callback: Callback<never>;
  timer: NodeJS.Timeout;
}

/** Requests whose keys and values add up to more than this go as unary calls. */
export const SESSION_REQUEST_BYTES_MAX = 64 * 1024;

/** The key, value and range bytes of a request, which are nearly all of its size. */
function payloadBytes(kind: SessionCallKind, request: SessionCalls[SessionCallKind]['request']): number {
  const length = (bytes: unknown): number => (bytes instanceof Uint8Array ? bytes.length : typeof bytes === 'string' ? bytes.length * 3 : 0);
  if (kind !== 'txn') {
    const simple = request as PutRequest & RangeRequest;
    return length(simple.key) + length(simple.value) + length(simple.rangeEnd);
  }
  const txn = request as TxnRequest;
  let total = 0;
  for (const compare of txn.compare ?? []) total += length(compare.key) + length(compare.value) + 32;
  for (const operation of [...(txn.success ?? []), ...(txn.failure ?? [])]) {
    const put = operation.requestPut;
    const deletion = operation.requestDeleteRange;
    const range = operation.requestRange;
    total += 32 + length(put?.key) + length(put?.value) + length(deletion?.key) + length(deletion?.rangeEnd) + length(range?.key) + length(range?.rangeEnd);
  }
  return total;
}

/** The unary method of each kind, for a server without Session. */
const unaryMethods = { range: 'Range', put: 'Put', deleteRange: 'DeleteRange', txn: 'Txn' } as const;

/** A failure with no vstor server's word on it, as grpc-js reports its own. */
function transportError(code: status, details: string): ServiceError {
  const error = new Error(`${code} ${status[code]}: ${details}`) as ServiceError;
  error.code = code;
  error.details = details;
  error.metadata = new Metadata();
  return error;
}

export class SessionChannel {
  private stream: ClientDuplexStream<SessionRequest, SessionResponse__Output> | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextCallId = 1;
  private unsupported = false;
  private closed = false;

  constructor(private readonly kv: KVClient) {}

  /** Calls in flight on the stream. */
  get inFlight(): number {
    return this.pending.size;
  }

  call<Kind extends SessionCallKind>(
    kind: Kind,
    request: SessionCalls[Kind]['request'],
    deadline: number,
    callback: Callback<SessionCalls[Kind]['response']>,
  ): void {
    if (this.unsupported || this.closed || payloadBytes(kind, request) > SESSION_REQUEST_BYTES_MAX) return this.unary(kind, request, deadline, callback);
    const stream = this.open();
    const callId = this.nextCallId++;
    const timer = setTimeout(() => {
      if (this.pending.delete(callId)) callback(transportError(status.DEADLINE_EXCEEDED, 'Deadline exceeded'));
    }, Math.max(0, deadline - Date.now()));
    this.pending.set(callId, { kind, request, deadline, callback: callback as Callback<never>, timer });
    stream.write({ callId, [kind]: request, call: kind } as SessionRequest);
  }

  /** Ends the stream; calls in flight fail with CANCELLED. Safe twice. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    const stream = this.stream;
    this.stream = undefined;
    stream?.cancel();
    this.failAll(transportError(status.CANCELLED, 'the client was closed'));
  }

  private open(): ClientDuplexStream<SessionRequest, SessionResponse__Output> {
    if (this.stream !== undefined) return this.stream;
    const stream = this.kv.Session();
    this.stream = stream;
    stream.on('data', (response: SessionResponse__Output) => this.receive(response));
    stream.on('error', (error: Error) => this.ended(stream, error));
    stream.on('status', (ending: { code: status; details: string }) => {
      if (ending.code === status.OK) this.ended(stream, transportError(status.UNAVAILABLE, 'the server ended the session with calls unanswered'));
    });
    return stream;
  }

  private receive(response: SessionResponse__Output): void {
    const pending = this.pending.get(response.callId);
    // An answer after its deadline (or to nothing) is dropped.
    if (pending === undefined) return;
    this.pending.delete(response.callId);
    clearTimeout(pending.timer);
    if (response.result === 'error' && response.error !== undefined && response.error !== null) {
      const error = response.error;
      const vstorCode = isVstorErrorCode(error.vstorCode) ? error.vstorCode : 'INTERNAL';
      pending.callback(sessionCallError({
        grpcCode: error.grpcCode,
        message: error.message,
        vstorCode,
        retryable: error.retryable,
        leader: error.leaderId > 0 ? { leaderId: error.leaderId, ...(error.leaderAddress === '' ? {} : { leaderAddress: error.leaderAddress }) } : undefined,
      }));
      return;
    }
    const result = response.result === pending.kind ? response[pending.kind] : undefined;
    if (result === undefined || result === null) {
      pending.callback(sessionCallError({
        grpcCode: status.INTERNAL,
        message: `the server answered a ${pending.kind} call with ${response.result ?? 'nothing'}`,
        vstorCode: 'INTERNAL',
        retryable: false,
        leader: undefined,
      }));
      return;
    }
    pending.callback(null, result as never);
  }

  /** The stream ended: its calls in flight fail with its status, or go unary if the server
   * does not know Session. */
  private ended(stream: ClientDuplexStream<SessionRequest, SessionResponse__Output>, failure: Error): void {
    if (this.stream !== stream) return;
    this.stream = undefined;
    // grpc-js reports a call's end as a ServiceError; anything else (a stream error of
    // Node's) is a broken transport.
    const error = typeof (failure as Partial<ServiceError>).code === 'number' && (failure as Partial<ServiceError>).metadata !== undefined
      ? failure as ServiceError
      : transportError(status.UNAVAILABLE, failure.message);
    const fromServer = error.metadata.get(errorMetadataKeys.code).length > 0;
    if (error.code === status.CANCELLED && !fromServer) {
      // This client cancels a session only in close(), which has already let go of it: the
      // server or the connection cut it (a forced shutdown resets its streams), which says
      // nothing about the calls on it but that they may not have run. They are retried.
      return this.failAll(transportError(status.UNAVAILABLE, `the session was cut: ${error.details}`));
    }
    if (error.code === status.UNIMPLEMENTED && !fromServer) {
      this.unsupported = true;
      // The server refused the stream itself, so none of its calls ran: each goes again
      // as its unary call, within its own deadline.
      const waiting = [...this.pending.values()];
      this.pending.clear();
      for (const call of waiting) {
        clearTimeout(call.timer);
        this.unary(call.kind, call.request as never, call.deadline, call.callback as Callback<unknown>);
      }
      return;
    }
    this.failAll(error);
  }

  private failAll(error: ServiceError): void {
    const waiting = [...this.pending.values()];
    this.pending.clear();
    for (const call of waiting) {
      clearTimeout(call.timer);
      call.callback(error);
    }
  }

  private unary<Kind extends SessionCallKind>(kind: Kind, request: SessionCalls[Kind]['request'], deadline: number, callback: Callback<SessionCalls[Kind]['response']>): void {
    const method = this.kv[unaryMethods[kind]] as (request: unknown, metadata: Metadata, options: { deadline: number }, callback: Callback<unknown>) => unknown;
    method.call(this.kv, request, new Metadata(), { deadline }, callback as Callback<unknown>);
  }
}
