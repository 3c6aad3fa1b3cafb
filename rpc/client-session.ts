// The client's side of a Session (KV.Session in kv.proto, VDisks.Session in vdisk.proto;
// the server's side is rpc/session-stream.ts): one long-lived stream per endpoint and
// service that carries this client's small calls of that service (KV: Range, Put,
// DeleteRange, Txn; VDisks: GetVDisk, Read, Write, Trim, WriteZeroes, Flush and the
// snapshot calls), each with an id of its own. It looks to the rest of the
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
// Large calls go as unary calls: the server's transport refuses a message over its limit
// by ending the call that carried it, and on a session that would fail every other call
// in flight with it; a large answer would also hold up the answers behind it on the one
// stream. Below SESSION_REQUEST_BYTES_MAX (of request payload, or of data a read asks
// for), far under any server's limit, the payload is small enough that a stream's saving
// matters; above it the call's own bytes dominate and a unary call costs little more.
//
// A VDisks session call carries what a unary call's deadline says as `timeout_ms`.
import type { ClientDuplexStream, Metadata as MetadataType, ServiceError } from '@grpc/grpc-js';
import { Metadata, status } from '@grpc/grpc-js';
import type { CreateSnapshotRequest } from '../proto/gen/vstor/v1/CreateSnapshotRequest.ts';
import type { CreateSnapshotResponse__Output } from '../proto/gen/vstor/v1/CreateSnapshotResponse.ts';
import type { DeleteRangeRequest } from '../proto/gen/vstor/v1/DeleteRangeRequest.ts';
import type { DeleteRangeResponse__Output } from '../proto/gen/vstor/v1/DeleteRangeResponse.ts';
import type { DeleteSnapshotRequest } from '../proto/gen/vstor/v1/DeleteSnapshotRequest.ts';
import type { DeleteSnapshotResponse__Output } from '../proto/gen/vstor/v1/DeleteSnapshotResponse.ts';
import type { GetVDiskRequest } from '../proto/gen/vstor/v1/GetVDiskRequest.ts';
import type { GetVDiskResponse__Output } from '../proto/gen/vstor/v1/GetVDiskResponse.ts';
import type { KVClient } from '../proto/gen/vstor/v1/KV.ts';
import type { ListSnapshotsRequest } from '../proto/gen/vstor/v1/ListSnapshotsRequest.ts';
import type { ListSnapshotsResponse__Output } from '../proto/gen/vstor/v1/ListSnapshotsResponse.ts';
import type { PutRequest } from '../proto/gen/vstor/v1/PutRequest.ts';
import type { PutResponse__Output } from '../proto/gen/vstor/v1/PutResponse.ts';
import type { RangeRequest } from '../proto/gen/vstor/v1/RangeRequest.ts';
import type { RangeResponse__Output } from '../proto/gen/vstor/v1/RangeResponse.ts';
import type { SessionError__Output } from '../proto/gen/vstor/v1/SessionError.ts';
import type { TxnRequest } from '../proto/gen/vstor/v1/TxnRequest.ts';
import type { TxnResponse__Output } from '../proto/gen/vstor/v1/TxnResponse.ts';
import type { VDiskFlushRequest } from '../proto/gen/vstor/v1/VDiskFlushRequest.ts';
import type { VDiskFlushResponse__Output } from '../proto/gen/vstor/v1/VDiskFlushResponse.ts';
import type { VDiskRangeRequest } from '../proto/gen/vstor/v1/VDiskRangeRequest.ts';
import type { VDiskRangeResponse__Output } from '../proto/gen/vstor/v1/VDiskRangeResponse.ts';
import type { VDiskReadRequest } from '../proto/gen/vstor/v1/VDiskReadRequest.ts';
import type { VDiskReadResponse__Output } from '../proto/gen/vstor/v1/VDiskReadResponse.ts';
import type { VDisksClient } from '../proto/gen/vstor/v1/VDisks.ts';
import type { VDiskWriteRequest } from '../proto/gen/vstor/v1/VDiskWriteRequest.ts';
import type { VDiskWriteResponse__Output } from '../proto/gen/vstor/v1/VDiskWriteResponse.ts';
import { errorMetadataKeys, isVstorErrorCode, sessionCallError } from './errors.ts';
import { VDISK_SESSION_UNARY_METHODS } from './vdisk-wire.ts';

/** Each kind of KV call with its request and response. */
export type SessionCalls = {
  range: { request: RangeRequest; response: RangeResponse__Output };
  put: { request: PutRequest; response: PutResponse__Output };
  deleteRange: { request: DeleteRangeRequest; response: DeleteRangeResponse__Output };
  txn: { request: TxnRequest; response: TxnResponse__Output };
};
export type SessionCallKind = keyof SessionCalls;

/** Each kind of VDisks call a session carries, with its request and response. */
export type VDiskSessionCalls = {
  getVdisk: { request: GetVDiskRequest; response: GetVDiskResponse__Output };
  read: { request: VDiskReadRequest; response: VDiskReadResponse__Output };
  write: { request: VDiskWriteRequest; response: VDiskWriteResponse__Output };
  trim: { request: VDiskRangeRequest; response: VDiskRangeResponse__Output };
  writeZeroes: { request: VDiskRangeRequest; response: VDiskRangeResponse__Output };
  flush: { request: VDiskFlushRequest; response: VDiskFlushResponse__Output };
  createSnapshot: { request: CreateSnapshotRequest; response: CreateSnapshotResponse__Output };
  listSnapshots: { request: ListSnapshotsRequest; response: ListSnapshotsResponse__Output };
  deleteSnapshot: { request: DeleteSnapshotRequest; response: DeleteSnapshotResponse__Output };
};

type CallTable = Record<string, { request: unknown; response: unknown }>;
type Callback<Response> = (error: ServiceError | null, response?: Response) => void;

/** An answer on a session stream, as proto-loader decodes either service's. */
interface SessionAnswer {
  callId: number;
  result?: string;
  error?: SessionError__Output | null;
  [kind: string]: unknown;
}

/** What a session needs to know of its service. */
export interface SessionService<Calls extends CallTable> {
  /** Opens the service's Session stream. */
  open(): ClientDuplexStream<object, SessionAnswer>;
  /** Makes `kind`'s unary call, for a server without Session and for large calls. */
  unary<Kind extends keyof Calls & string>(kind: Kind, request: Calls[Kind]['request'], deadline: number, callback: Callback<Calls[Kind]['response']>): void;
  /** Whether the call is small enough for the session (SESSION_REQUEST_BYTES_MAX). */
  fits<Kind extends keyof Calls & string>(kind: Kind, request: Calls[Kind]['request']): boolean;
  /** Fields of a session request besides its id and call, for a call with `deadline`. */
  callFields?(deadline: number): object;
}

interface Pending {
  kind: string;
  /** Kept for a server without Session, which gets it again as a unary call. */
  request: unknown;
  deadline: number;
  callback: Callback<never>;
  timer: NodeJS.Timeout;
}

/** Requests whose payload (keys, values, data, or the data a read asks for) adds up to
 * more than this go as unary calls. */
export const SESSION_REQUEST_BYTES_MAX = 64 * 1024;

/** The key, value and range bytes of a KV request, which are nearly all of its size. */
function kvPayloadBytes(kind: SessionCallKind, request: SessionCalls[SessionCallKind]['request']): number {
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

type UnaryMethod = (request: unknown, metadata: MetadataType, options: { deadline: number }, callback: Callback<unknown>) => unknown;

/** KV.Session over `kv`. */
export function kvSession(kv: KVClient): SessionChannel<SessionCalls> {
  const unaryMethods = { range: 'Range', put: 'Put', deleteRange: 'DeleteRange', txn: 'Txn' } as const;
  return new SessionChannel<SessionCalls>({
    open: () => kv.Session() as unknown as ClientDuplexStream<object, SessionAnswer>,
    unary: (kind, request, deadline, callback) => (kv[unaryMethods[kind]] as UnaryMethod).call(kv, request, new Metadata(), { deadline }, callback as Callback<unknown>),
    fits: (kind, request) => kvPayloadBytes(kind, request) <= SESSION_REQUEST_BYTES_MAX,
  });
}

/** VDisks.Session over `vdisks`. */
export function vdiskSession(vdisks: VDisksClient): SessionChannel<VDiskSessionCalls> {
  return new SessionChannel<VDiskSessionCalls>({
    open: () => vdisks.Session() as unknown as ClientDuplexStream<object, SessionAnswer>,
    unary: (kind, request, deadline, callback) => (vdisks[VDISK_SESSION_UNARY_METHODS[kind]] as UnaryMethod).call(vdisks, request, new Metadata(), { deadline }, callback as Callback<unknown>),
    fits: (kind, request) => {
      if (kind === 'write') return ((request as VDiskWriteRequest).data?.length ?? 0) <= SESSION_REQUEST_BYTES_MAX;
      if (kind === 'read') return Number((request as VDiskReadRequest).lengthBytes ?? 0) <= SESSION_REQUEST_BYTES_MAX;
      return true;
    },
    // The server turns it back into a deadline: a unary call's deadline travels the same way.
    callFields: (deadline) => ({ timeoutMs: Number.isFinite(deadline) ? Math.max(1, Math.ceil(deadline - Date.now())) : 0 }),
  });
}

/** A failure with no vstor server's word on it, as grpc-js reports its own. */
function transportError(code: status, details: string): ServiceError {
  const error = new Error(`${code} ${status[code]}: ${details}`) as ServiceError;
  error.code = code;
  error.details = details;
  error.metadata = new Metadata();
  return error;
}

export class SessionChannel<Calls extends CallTable> {
  private stream: ClientDuplexStream<object, SessionAnswer> | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextCallId = 1;
  private unsupported = false;
  private closed = false;

  constructor(private readonly service: SessionService<Calls>) {}

  /** Calls in flight on the stream. */
  get inFlight(): number {
    return this.pending.size;
  }

  call<Kind extends keyof Calls & string>(
    kind: Kind,
    request: Calls[Kind]['request'],
    deadline: number,
    callback: Callback<Calls[Kind]['response']>,
  ): void {
    if (this.unsupported || this.closed || !this.service.fits(kind, request)) return this.service.unary(kind, request, deadline, callback);
    const stream = this.open();
    const callId = this.nextCallId++;
    const timer = setTimeout(() => {
      if (this.pending.delete(callId)) callback(transportError(status.DEADLINE_EXCEEDED, 'Deadline exceeded'));
    }, Math.max(0, deadline - Date.now()));
    this.pending.set(callId, { kind, request, deadline, callback: callback as Callback<never>, timer });
    stream.write({ callId, [kind]: request, call: kind, ...this.service.callFields?.(deadline) });
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

  private open(): ClientDuplexStream<object, SessionAnswer> {
    if (this.stream !== undefined) return this.stream;
    const stream = this.service.open();
    this.stream = stream;
    stream.on('data', (response: SessionAnswer) => this.receive(response));
    stream.on('error', (error: Error) => this.ended(stream, error));
    stream.on('status', (ending: { code: status; details: string }) => {
      if (ending.code === status.OK) this.ended(stream, transportError(status.UNAVAILABLE, 'the server ended the session with calls unanswered'));
    });
    return stream;
  }

  private receive(response: SessionAnswer): void {
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
  private ended(stream: ClientDuplexStream<object, SessionAnswer>, failure: Error): void {
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
        (this.service.unary as (kind: string, request: unknown, deadline: number, callback: Callback<unknown>) => void)(call.kind, call.request, call.deadline, call.callback as Callback<unknown>);
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
}
