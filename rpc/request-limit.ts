// requestBytesMax for the public services on a server whose transport limit is higher.
//
// One grpc-js server carries both the public API and the peer protocol, and its
// grpc.max_receive_message_length applies to every call: it must be large enough for a
// batch of Raft entries (peerMessageBytesMax), which is far more than any client request
// needs. So the public services check the size themselves. grpc-js turns an exception in a
// deserializer into INTERNAL, which would hide a client's mistake behind a server error,
// so the deserializer does not throw: it hands the handler a marker with the size instead
// of decoding the message, and the handler answers RESOURCE_EXHAUSTED, as the transport
// would have.
import type { ServiceDefinition } from '@grpc/grpc-js';
import { VstorError } from './errors.ts';

const oversized = Symbol('vstor.oversizedRequest');

interface OversizedRequest {
  /** What to tell the client. */
  [oversized]: string;
}

/** The same service with a deserializer that refuses requests over `requestBytesMax`. */
export function limitRequestBytes<Definition extends ServiceDefinition>(definition: Definition, requestBytesMax: number): Definition {
  const limited: Record<string, unknown> = {};
  for (const [name, method] of Object.entries(definition)) {
    const deserialize = method.requestDeserialize;
    limited[name] = {
      ...method,
      requestDeserialize: (bytes: Buffer): unknown =>
        bytes.length > requestBytesMax
          ? ({ [oversized]: `the request is ${bytes.length} bytes, over requestBytesMax (${requestBytesMax})` } satisfies OversizedRequest)
          : deserialize(bytes),
    };
  }
  return limited as Definition;
}

/** Throws RESOURCE_EXHAUSTED if `request` is the marker of an oversized request. */
export function checkRequestSize(request: unknown): void {
  if (typeof request !== 'object' || request === null || !(oversized in request)) return;
  // Not retryable: the same request is as large the next time.
  throw new VstorError('RESOURCE_EXHAUSTED', (request as OversizedRequest)[oversized], { retryable: false });
}
