// requestBytesMax for the public services on a server whose transport limit is higher.
//
// One grpc-js server carries both the public API and Raft snapshot streams, and its
// grpc.max_receive_message_length applies to every call: it must be large enough for a
// snapshot chunk (peerMessageBytesMax), which is far more than any client request
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
  /** Field 1 when the message starts with it as a varint: a Session call's id, so that
   * the refusal can be that call's answer instead of the end of the stream. */
  leadingCallId: number | undefined;
  /** The number of the field after it (a Session request's call kind), if readable. */
  secondField: number | undefined;
}

/** Field 1 of a protobuf message if it is the first field and a varint below 2^53, and
 * the number of the field that follows it (a one-byte tag). */
function leadingFields(bytes: Buffer): { first: number | undefined; second: number | undefined } {
  if (bytes.length < 2 || bytes[0] !== 0x08) return { first: undefined, second: undefined };
  let value = 0;
  let scale = 1;
  for (let i = 1; i < bytes.length && i <= 8; i++) {
    const byte = bytes[i]!;
    value += (byte & 0x7f) * scale;
    if ((byte & 0x80) === 0) {
      const tag = bytes[i + 1];
      return { first: Number.isSafeInteger(value) ? value : undefined, second: tag === undefined || tag >= 0x80 ? undefined : tag >> 3 };
    }
    scale *= 128;
  }
  return { first: undefined, second: undefined };
}

/** The same service with a deserializer that refuses requests over `requestBytesMax`. */
export function limitRequestBytes<Definition extends ServiceDefinition>(definition: Definition, requestBytesMax: number): Definition {
  const limited: Record<string, unknown> = {};
  for (const [name, method] of Object.entries(definition)) {
    const deserialize = method.requestDeserialize;
    limited[name] = {
      ...method,
      requestDeserialize: (bytes: Buffer): unknown => {
        if (bytes.length <= requestBytesMax) return deserialize(bytes);
        const leading = leadingFields(bytes);
        return {
          [oversized]: `the request is ${bytes.length} bytes, over requestBytesMax (${requestBytesMax})`,
          leadingCallId: leading.first,
          secondField: leading.second,
        } satisfies OversizedRequest;
      },
    };
  }
  return limited as Definition;
}

/** Throws RESOURCE_EXHAUSTED if `request` is the marker of an oversized request. */
export function checkRequestSize(request: unknown): void {
  const refusal = oversizedRequestOf(request);
  if (refusal !== undefined) throw refusal.error;
}

/** The refusal of `request` if it is the marker of an oversized request. */
export function oversizedRequestOf(request: unknown): { error: VstorError; leadingCallId: number | undefined; secondField: number | undefined } | undefined {
  if (typeof request !== 'object' || request === null || !(oversized in request)) return undefined;
  const marker = request as OversizedRequest;
  // Not retryable: the same request is as large the next time.
  return { error: new VstorError('RESOURCE_EXHAUSTED', marker[oversized], { retryable: false }), leadingCallId: marker.leadingCallId, secondField: marker.secondField };
}
