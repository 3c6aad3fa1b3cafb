// One Session stream on the server (KV.Session in kv.proto, VDisks.Session in vdisk.proto):
// the calls of one client come in as session requests, each is served exactly as its unary
// call is (the service's own work functions), and each answer goes back with the call's id
// as soon as it is ready, so a slow call does not hold up the ones sent after it. The
// service says which call kinds a request may name and how to serve each; this file is
// the framing they share.
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
import type { SessionError } from '../proto/gen/vstor/v1/SessionError.ts';
import { describeError, toErrorStatus, VstorError } from './errors.ts';
import { errorStatusOf } from './handler.ts';
import type { RpcObserver } from './observer.ts';
import { CallRecorder } from './observer.ts';
import { oversizedRequestOf } from './request-limit.ts';

/** The most calls of one session in flight at once, unless the server is told otherwise. */
export const SESSION_CALLS_MAX_DEFAULT = 1024;

/** What every session request has: the call's id and the name of the call it carries
 * (proto-loader's `oneofs` virtual field), the call itself under that name. */
export interface SessionRequestShape {
  callId: number;
  call?: string;
}

/** An answer as this file builds it: the call's id and, under `result`'s name, a
 * response or a SessionError. The service's generated SessionResponse type is the same
 * shape with the names spelled out. */
type AnswerShape = { callId: number; result: string; error?: SessionError } & Record<string, unknown>;

export type SessionCall<Request extends SessionRequestShape, Response> = ServerDuplexStream<Request, Response>;

export interface SessionStreamOptions<Request extends SessionRequestShape, Kind extends string> {
  /** The call kinds a request may name, by the number of their field (for a request too
   * large to decode, whose kind is read from its first bytes). */
  kindsByField: Readonly<Record<number, Kind>>;
  /** Serves one call of `kind`: the same work as its unary call. */
  serve(kind: Kind, request: Request): Promise<unknown>;
  callsMax: number;
  observer: RpcObserver | undefined;
  /** Full method names for the observer, by call kind: a call on a session is counted
   * under its unary method's name, so dashboards see one figure for both framings. */
  methodNames: Readonly<Record<Kind, string>>;
  /** The Session method's own name, for a refused call whose kind cannot be read. */
  sessionMethodName: string;
}

export class SessionStream<Request extends SessionRequestShape, Kind extends string, Response> {
  private readonly inFlight = new Set<number>();
  private readonly kinds: ReadonlySet<string>;
  private stopping: VstorError | undefined;
  private ended = false;
  private clientDone = false;
  private paused = false;
  private resolveEnded!: (code: status) => void;
  private readonly endedPromise = new Promise<status>((resolve) => {
    this.resolveEnded = resolve;
  });

  constructor(
    private readonly call: SessionCall<Request, Response>,
    private readonly options: SessionStreamOptions<Request, Kind>,
  ) {
    this.kinds = new Set(Object.values(options.kindsByField));
  }

  /** Serves the stream; resolves with its final status code once it has ended. */
  run(): Promise<status> {
    this.call.on('data', (request: Request) => this.receive(request));
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

  private receive(request: Request): void {
    if (this.ended) return;
    const { options } = this;
    const oversized = oversizedRequestOf(request);
    if (oversized !== undefined) {
      if (oversized.leadingCallId === undefined || this.inFlight.has(oversized.leadingCallId)) return this.fail(oversized.error);
      // Counted under its unary method's name when the call's kind can be read.
      const kind = oversized.secondField === undefined ? undefined : options.kindsByField[oversized.secondField];
      new CallRecorder(options.observer, kind === undefined ? options.sessionMethodName : options.methodNames[kind], false).finish(status.RESOURCE_EXHAUSTED);
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
    if (kind === undefined || !this.kinds.has(kind)) {
      const named = Object.values(options.kindsByField).map(snakeCase).join(', ');
      return this.fail(new VstorError('INVALID_ARGUMENT', `call: call ${callId} names none of ${named}`));
    }
    if (this.stopping !== undefined) return this.answerError(callId, this.stopping);
    if (this.inFlight.size >= options.callsMax) {
      return this.answerError(callId, new VstorError('RESOURCE_EXHAUSTED', `${options.callsMax} calls are already in flight on this session (sessionCallsMax); retry`));
    }
    this.inFlight.add(callId);
    const recorder = new CallRecorder(options.observer, options.methodNames[kind as Kind], false);
    options.serve(kind as Kind, request).then(
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

  private answer(response: AnswerShape): void {
    this.inFlight.delete(response.callId);
    if (this.ended) return;
    if (!this.call.write(response as unknown as Response) && !this.paused) {
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

/** A call kind as its proto field is named: deleteRange → delete_range. */
function snakeCase(kind: string): string {
  return kind.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
}

/** A service's Session streams: serves each new one, and ends them all on close(). */
export class SessionStreams<Request extends SessionRequestShape, Kind extends string, Response> {
  private readonly streams = new Set<SessionStream<Request, Kind, Response>>();
  private closed = false;

  constructor(private readonly options: SessionStreamOptions<Request, Kind>) {}

  /** Sessions open now. */
  get count(): number {
    return this.streams.size;
  }

  /** The Session method's handler. */
  serve(call: SessionCall<Request, Response>): void {
    const recorder = new CallRecorder(this.options.observer, this.options.sessionMethodName, true);
    if (this.closed) {
      const errorStatus = errorStatusOf(new VstorError('UNAVAILABLE', 'the server is shutting down; retry on another member'));
      call.emit('error', errorStatus);
      recorder.finish(errorStatus.code);
      return;
    }
    const stream = new SessionStream(call, this.options);
    this.streams.add(stream);
    void stream.run().then((code) => {
      this.streams.delete(stream);
      recorder.finish(code);
    });
  }

  /** Refuses new sessions, and ends each open one once its calls in flight are answered. Safe twice. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const stream of this.streams) stream.stop(new VstorError('UNAVAILABLE', 'the server is shutting down; retry on another member'));
  }
}
