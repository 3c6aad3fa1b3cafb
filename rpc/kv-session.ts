// One KV Session stream on the server (kv.proto, `Session`): the calls of one client come
// in as SessionRequests, each is served exactly as its unary call is (the same work
// functions of KvService), and each answer goes back with the call's id as soon as it is
// ready, so a slow write does not hold up the reads sent after it.
//
// Bounds: at most `callsMax` calls of a session in flight; one more is refused with
// RESOURCE_EXHAUSTED (retryable), not queued. Answers the client does not read stop the
// reading of its requests (the stream is paused until the answers drain), so an unread
// session holds at most callsMax answers and grpc-js's buffers.
//
// A malformed request (no call, an id that is not a safe integer, or an id already in
// flight) cannot be answered reliably, so it ends the whole stream with INVALID_ARGUMENT
// naming the problem; a well-formed call whose content is bad gets its own
// INVALID_ARGUMENT answer, as a unary call would. A request over requestBytesMax is
// answered RESOURCE_EXHAUSTED when its id can be read from its first bytes, and ends the
// stream otherwise.
//
// Shutdown: stop() refuses new calls with UNAVAILABLE and ends the stream with
// UNAVAILABLE once the calls in flight have been answered; the server's shutdown grace
// bounds that wait.
import type { ServerDuplexStream } from '@grpc/grpc-js';
import { status } from '@grpc/grpc-js';
import type { DeleteRangeRequest__Output } from '../proto/gen/vstor/v1/DeleteRangeRequest.ts';
import type { DeleteRangeResponse } from '../proto/gen/vstor/v1/DeleteRangeResponse.ts';
import type { PutRequest__Output } from '../proto/gen/vstor/v1/PutRequest.ts';
import type { PutResponse } from '../proto/gen/vstor/v1/PutResponse.ts';
import type { RangeRequest__Output } from '../proto/gen/vstor/v1/RangeRequest.ts';
import type { RangeResponse } from '../proto/gen/vstor/v1/RangeResponse.ts';
import type { SessionRequest__Output } from '../proto/gen/vstor/v1/SessionRequest.ts';
import type { SessionResponse } from '../proto/gen/vstor/v1/SessionResponse.ts';
import type { TxnRequest__Output } from '../proto/gen/vstor/v1/TxnRequest.ts';
import type { TxnResponse } from '../proto/gen/vstor/v1/TxnResponse.ts';
import { describeError, toErrorStatus, VstorError } from './errors.ts';
import { errorStatusOf } from './handler.ts';
import type { RpcObserver } from './observer.ts';
import { CallRecorder } from './observer.ts';
import { oversizedRequestOf } from './request-limit.ts';

export type SessionCall = ServerDuplexStream<SessionRequest__Output, SessionResponse>;

/** What each kind of call does: KvService's work functions, shared with the unary calls. */
export interface SessionWork {
  range(request: RangeRequest__Output): Promise<RangeResponse>;
  put(request: PutRequest__Output): Promise<PutResponse>;
  deleteRange(request: DeleteRangeRequest__Output): Promise<DeleteRangeResponse>;
  txn(request: TxnRequest__Output): Promise<TxnResponse>;
}

export interface KvSessionOptions {
  work: SessionWork;
  callsMax: number;
  observer: RpcObserver | undefined;
  /** Full method names for the observer, by call kind: a call on a session is counted
   * under its unary method's name, so dashboards see one figure for both framings. */
  methodNames: Readonly<Record<keyof SessionWork, string>>;
  /** The Session method's own name, for a refused call whose kind cannot be read. */
  sessionMethodName: string;
}

const callKinds: ReadonlySet<string> = new Set<keyof SessionWork>(['range', 'put', 'deleteRange', 'txn']);
/** SessionRequest's field number of each call kind (kv.proto). */
const callKindByField: Readonly<Record<number, keyof SessionWork>> = { 2: 'range', 3: 'put', 4: 'deleteRange', 5: 'txn' };

export class KvSession {
  private readonly inFlight = new Set<number>();
  private stopping: VstorError | undefined;
  private ended = false;
  private clientDone = false;
  private paused = false;
  private resolveEnded!: (code: status) => void;
  private readonly endedPromise = new Promise<status>((resolve) => {
    this.resolveEnded = resolve;
  });

  constructor(
    private readonly call: SessionCall,
    private readonly options: KvSessionOptions,
  ) {}

  /** Serves the stream; resolves with its final status code once it has ended. */
  run(): Promise<status> {
    this.call.on('data', (request: SessionRequest__Output) => this.receive(request));
    this.call.on('end', () => {
      this.clientDone = true;
      this.maybeFinish();
    });
    this.call.on('cancelled', () => this.finish(status.CANCELLED));
    this.call.on('error', () => this.finish(status.CANCELLED));
    this.call.on('drain', () => {
      if (this.paused) {
        this.paused = false;
        this.call.resume();
      }
    });
    return this.endedPromise;
  }

  /** Refuses new calls and ends the stream with `reason` once those in flight are answered. */
  stop(reason: VstorError): void {
    if (this.stopping !== undefined || this.ended) return;
    this.stopping = reason;
    this.maybeFinish();
  }

  private receive(request: SessionRequest__Output): void {
    if (this.ended) return;
    const oversized = oversizedRequestOf(request);
    if (oversized !== undefined) {
      if (oversized.leadingCallId === undefined || this.inFlight.has(oversized.leadingCallId)) return this.fail(oversized.error);
      // Counted under its unary method's name when the call's kind can be read.
      const kind = oversized.secondField === undefined ? undefined : callKindByField[oversized.secondField];
      new CallRecorder(this.options.observer, kind === undefined ? this.options.sessionMethodName : this.options.methodNames[kind], false).finish(status.RESOURCE_EXHAUSTED);
      return this.answerError(oversized.leadingCallId, oversized.error);
    }
    const callId = request.callId;
    if (!Number.isSafeInteger(callId) || callId < 0) {
      return this.fail(new VstorError('INVALID_ARGUMENT', `call_id: ${String(callId)} is not an integer below 2^53`));
    }
    if (this.inFlight.has(callId)) {
      return this.fail(new VstorError('INVALID_ARGUMENT', `call_id: ${callId} is already in flight on this session; ids must be unique among calls in flight`));
    }
    const kind = request.call;
    if (kind === undefined || !callKinds.has(kind)) {
      return this.fail(new VstorError('INVALID_ARGUMENT', `call: call ${callId} names none of range, put, delete_range, txn`));
    }
    if (this.stopping !== undefined) return this.answerError(callId, this.stopping);
    if (this.inFlight.size >= this.options.callsMax) {
      return this.answerError(callId, new VstorError('RESOURCE_EXHAUSTED', `${this.options.callsMax} calls are already in flight on this session (sessionCallsMax); retry`));
    }
    this.inFlight.add(callId);
    const recorder = new CallRecorder(this.options.observer, this.options.methodNames[kind], false);
    this.serve(kind, request).then(
      (result) => {
        recorder.finish(status.OK);
        this.answer({ callId, [kind]: result, result: kind });
      },
      (error: unknown) => {
        const errorStatus = errorStatusOf(error);
        recorder.finish(errorStatus.code);
        this.answerError(callId, error);
      },
    );
  }

  private serve(kind: keyof SessionWork, request: SessionRequest__Output): Promise<SessionResponse[keyof SessionWork]> {
    const { work } = this.options;
    // The oneof's member is present whenever `call` names it (proto-loader, oneofs: true);
    // a missing one is an empty message of that kind, which the edge checks refuse.
    switch (kind) {
      case 'range':
        return work.range(request.range ?? ({} as RangeRequest__Output));
      case 'put':
        return work.put(request.put ?? ({} as PutRequest__Output));
      case 'deleteRange':
        return work.deleteRange(request.deleteRange ?? ({} as DeleteRangeRequest__Output));
      case 'txn':
        return work.txn(request.txn ?? ({} as TxnRequest__Output));
    }
  }

  private answerError(callId: number, error: unknown): void {
    const described = describeError(error);
    this.answer({
      callId,
      result: 'error',
      error: {
        grpcCode: described.grpcCode,
        message: described.message,
        vstorCode: described.vstorCode,
        retryable: described.retryable,
        leaderId: described.leader?.leaderId ?? 0,
        leaderAddress: described.leader?.leaderAddress ?? '',
      },
    });
  }

  private answer(response: SessionResponse): void {
    this.inFlight.delete(response.callId as number);
    if (this.ended) return;
    if (!this.call.write(response) && !this.paused) {
      // The client is not reading its answers: read no more of its requests until it does.
      this.paused = true;
      this.call.pause();
    }
    this.maybeFinish();
  }

  private maybeFinish(): void {
    if (this.ended || this.inFlight.size > 0) return;
    if (this.stopping !== undefined) return this.fail(this.stopping);
    if (this.clientDone) {
      this.call.end();
      this.finish(status.OK);
    }
  }

  /** Ends the stream with `error` as its status. */
  private fail(error: VstorError): void {
    if (this.ended) return;
    const errorStatus = toErrorStatus(error);
    this.call.emit('error', errorStatus);
    this.finish(errorStatus.code);
  }

  private finish(code: status): void {
    if (this.ended) return;
    this.ended = true;
    this.resolveEnded(code);
  }
}
