// The mapping of vstor error codes to gRPC statuses and back (rpc/errors.ts): every code
// survives the trip from a server's thrown error to a client's VstorError with its message,
// retryability and, for NOT_LEADER, the leader hint; errors that no vstor server produced
// (transport failures, plain exceptions) still come out as one clear coded error.
import type { ServiceError } from '@grpc/grpc-js';
import { Metadata, status } from '@grpc/grpc-js';
import test from 'ava';
import type { ErrorStatus, VstorErrorCode } from '../../rpc/errors.ts';
import {
  errorMetadataKeys, fromServiceError, grpcStatusOf, isRetryableCode, isVstorError, VstorError, toErrorStatus, vstorErrorCodes,
} from '../../rpc/errors.ts';

/** What grpc-js hands a client callback when the server answered with `sent`. */
function serviceErrorFrom(sent: ErrorStatus): ServiceError {
  const error = new Error(`${sent.code} ${status[sent.code]}: ${sent.details}`);
  return Object.assign(error, { code: sent.code, details: sent.details, metadata: sent.metadata });
}

function transportError(code: status, details: string): ServiceError {
  return serviceErrorFrom({ code, details, metadata: new Metadata() });
}

const expectedStatus: Record<VstorErrorCode, status> = {
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

test('every vstor code maps to its gRPC status and back, with its message and retryability', (t) => {
  for (const code of vstorErrorCodes) {
    const sent = toErrorStatus({ code, message: `something about ${code}` });
    t.is(sent.code, expectedStatus[code], code);
    t.is(grpcStatusOf(code), expectedStatus[code]);
    t.is(sent.details, `something about ${code}`);
    t.deepEqual(sent.metadata.get(errorMetadataKeys.code), [code]);

    const received = fromServiceError(serviceErrorFrom(sent));
    t.true(received instanceof VstorError);
    t.is(received.code, code);
    t.is(received.message, `something about ${code}`);
    t.is(received.retryable, isRetryableCode(code), code);
  }
});

test('only NOT_LEADER, UNAVAILABLE, RESOURCE_EXHAUSTED and DEADLINE_EXCEEDED are retryable', (t) => {
  t.deepEqual(vstorErrorCodes.filter(isRetryableCode), ['NOT_LEADER', 'UNAVAILABLE', 'RESOURCE_EXHAUSTED', 'DEADLINE_EXCEEDED']);
});

test('NOT_LEADER is UNAVAILABLE, retryable, with the leader hint in trailing metadata', (t) => {
  const sent = toErrorStatus({ code: 'NOT_LEADER', message: 'member 1 is not the leader' }, { leaderId: 3, leaderAddress: '127.0.0.1:7103' });
  t.is(sent.code, status.UNAVAILABLE);
  t.deepEqual(sent.metadata.get(errorMetadataKeys.retryable), ['true']);
  t.deepEqual(sent.metadata.get(errorMetadataKeys.leaderId), ['3']);
  t.deepEqual(sent.metadata.get(errorMetadataKeys.leaderAddress), ['127.0.0.1:7103']);

  const received = fromServiceError(serviceErrorFrom(sent));
  t.true(isVstorError(received, 'NOT_LEADER'));
  t.true(received.retryable);
  t.deepEqual(received.leader, { leaderId: 3, leaderAddress: '127.0.0.1:7103' });
});

test('NOT_LEADER with no leader known carries no hint; an VstorError carries its own', (t) => {
  const none = toErrorStatus({ code: 'NOT_LEADER', message: 'no leader' }, { leaderId: 0 });
  t.deepEqual(none.metadata.get(errorMetadataKeys.leaderId), []);
  t.is(fromServiceError(serviceErrorFrom(none)).leader, undefined);

  const own = toErrorStatus(new VstorError('NOT_LEADER', 'ask 2', { leader: { leaderId: 2 } }));
  t.deepEqual(fromServiceError(serviceErrorFrom(own)).leader, { leaderId: 2 });
});

test('a leader hint is only read from a NOT_LEADER error, and only if it is a valid id', (t) => {
  const sent = toErrorStatus({ code: 'UNAVAILABLE', message: 'no quorum' });
  sent.metadata.set(errorMetadataKeys.leaderId, '2');
  t.is(fromServiceError(serviceErrorFrom(sent)).leader, undefined);

  const bad = toErrorStatus({ code: 'NOT_LEADER', message: 'x' });
  bad.metadata.set(errorMetadataKeys.leaderId, '1.5');
  t.is(fromServiceError(serviceErrorFrom(bad)).leader, undefined);
});

test('an unknown code or a plain exception is INTERNAL, keeping what it said', (t) => {
  const unknown = toErrorStatus({ code: 'LEVEL_CORRUPTION', message: 'bad block' });
  t.is(unknown.code, status.INTERNAL);
  t.is(unknown.details, 'LEVEL_CORRUPTION: bad block');
  t.deepEqual(unknown.metadata.get(errorMetadataKeys.retryable), ['false']);

  const plain = toErrorStatus(new TypeError('x is undefined'));
  t.is(plain.code, status.INTERNAL);
  t.is(plain.details, 'x is undefined');
  t.is(toErrorStatus('a string').details, 'a string');
  t.is(toErrorStatus({ code: 'NOT_FOUND', message: '' }).details, 'NOT_FOUND', 'never an empty message');
});

test('a transport failure maps by its status; only UNAVAILABLE is retryable without a server\'s word', (t) => {
  const refused = fromServiceError(transportError(status.UNAVAILABLE, 'No connection established'));
  t.is(refused.code, 'UNAVAILABLE');
  t.is(refused.message, 'No connection established');
  t.true(refused.retryable);

  const tooLarge = fromServiceError(transportError(status.RESOURCE_EXHAUSTED, 'Received message larger than max'));
  t.is(tooLarge.code, 'RESOURCE_EXHAUSTED');
  t.false(tooLarge.retryable);

  const deadline = fromServiceError(transportError(status.DEADLINE_EXCEEDED, 'Deadline exceeded'));
  t.is(deadline.code, 'DEADLINE_EXCEEDED');
  t.false(deadline.retryable);

  const denied = fromServiceError(transportError(status.PERMISSION_DENIED, 'no'));
  t.is(denied.code, 'INTERNAL');
  t.is(denied.message, 'PERMISSION_DENIED: no');

  t.is(fromServiceError(transportError(status.UNKNOWN, 'handler threw')).message, 'UNKNOWN: handler threw');
});

test('fromServiceError never throws: non-gRPC errors are INTERNAL, VstorErrors pass through', (t) => {
  t.is(fromServiceError(new Error('socket hang up')).code, 'INTERNAL');
  t.is(fromServiceError(undefined).message, 'undefined');
  const own = new VstorError('NOT_FOUND', 'no such key');
  t.is(fromServiceError(own), own);
});

test('a server\'s explicit retryable=false wins over the default for its code', (t) => {
  const sent = toErrorStatus({ code: 'UNAVAILABLE', message: 'member removed' });
  sent.metadata.set(errorMetadataKeys.retryable, 'false');
  t.false(fromServiceError(serviceErrorFrom(sent)).retryable);
});

test('a VstorError\'s own retryable flag is what the server sends', (t) => {
  const sent = toErrorStatus(new VstorError('RESOURCE_EXHAUSTED', 'the request is too large', { retryable: false }));
  t.deepEqual(sent.metadata.get(errorMetadataKeys.retryable), ['false']);
  t.false(fromServiceError(serviceErrorFrom(sent)).retryable);
  const busy = toErrorStatus(new VstorError('RESOURCE_EXHAUSTED', 'too many requests waiting'));
  t.deepEqual(busy.metadata.get(errorMetadataKeys.retryable), ['true']);
});

test('an empty "Resolution note" that grpc-js appends to connection failures is trimmed', (t) => {
  const error = transportError(status.UNAVAILABLE, 'No connection established. Last error: connect ECONNREFUSED 127.0.0.1:7102. Resolution note: ');
  t.is(fromServiceError(error).message, 'No connection established. Last error: connect ECONNREFUSED 127.0.0.1:7102');
});
