// How every unary handler of the public services runs: refuse an oversized request, do the
// work, answer with the response or the error's status, and report the call to the
// observer. The services then only say what a call does.
//
// Errors: a coded error (VstorError, or a library's coded error such as Level's) becomes
// its status (rpc/errors.ts), anything else INTERNAL with its message. A failed assertion
// is a broken invariant: DESIGN.md wants the process to stop rather than serve, so it is
// rethrown outside the promise chain, where nothing catches it.
import type { handleUnaryCall, ServerUnaryCall } from '@grpc/grpc-js';
import { status } from '@grpc/grpc-js';
import { AssertionError } from '../consensus/index.ts';
import type { ErrorStatus } from './errors.ts';
import { toErrorStatus } from './errors.ts';
import type { RpcObserver } from './observer.ts';
import { CallRecorder } from './observer.ts';
import { checkRequestSize } from './request-limit.ts';

/** The status to answer `error` with; stops the process if `error` is a failed assertion. */
export function errorStatusOf(error: unknown): ErrorStatus {
  if (error instanceof AssertionError) {
    process.nextTick(() => {
      throw error;
    });
  }
  return toErrorStatus(error);
}

/** A unary handler that runs `work` and reports the call as `method` to `observer`. */
export function serveUnary<Request, Response>(
  method: string,
  observer: RpcObserver | undefined,
  work: (request: Request, call: ServerUnaryCall<Request, Response>) => Promise<Response>,
): handleUnaryCall<Request, Response> {
  return (call, callback) => {
    const recorder = new CallRecorder(observer, method, false);
    // A call the client gave up on (its deadline, a cancel) is counted then, even if the
    // work never ends.
    call.once('cancelled', () => recorder.finish(status.CANCELLED));
    const answer = async (): Promise<Response> => {
      checkRequestSize(call.request);
      return work(call.request, call);
    };
    answer().then(
      (response) => {
        recorder.finish(call.cancelled ? status.CANCELLED : status.OK);
        callback(null, response);
      },
      (error: unknown) => {
        const errorStatus = errorStatusOf(error);
        recorder.finish(call.cancelled ? status.CANCELLED : errorStatus.code);
        callback(errorStatus);
      },
    );
  };
}
