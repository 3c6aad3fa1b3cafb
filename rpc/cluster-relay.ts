// A follower's relay of membership calls to the leader's Cluster service. Only the leader
// can accept or refuse a configuration change, and a client should not need to know who
// leads, so a follower passes the call on and hands back the leader's answer.
//
// A relayed call carries `vstor-forwarded-by` (the relaying member's name), and a member
// never relays a call that carries it: when two members each believe the other leads
// (views go stale during an election), the call ends with NOT_LEADER and the leader hint
// instead of bouncing between them. The relayed call inherits the client's deadline and
// cancellation (grpc-js propagation) and is bounded by relayTimeoutMs besides.
import type { CallOptions, Metadata as MetadataType, requestCallback, ServerUnaryCall } from '@grpc/grpc-js';
import { credentials, Metadata, propagate } from '@grpc/grpc-js';
import { errorMetadataKeys, fromServiceError, VstorError } from './errors.ts';
import type { MemberInfo } from './node-api.ts';
import { ClusterClient } from './proto.ts';

/** The metadata key that marks a call relayed by a follower. */
export const FORWARDED_BY_KEY = 'vstor-forwarded-by';

/** The most leader connections kept; leaders change rarely, and a connection to a former
 * one is closed when a newer one pushes it out. */
const RELAY_CLIENTS_MAX = 8;

/** A unary method of a generated client, in its full form. */
export type UnaryMethod<Request, Response> = (
  request: Request,
  metadata: MetadataType,
  options: CallOptions,
  callback: requestCallback<Response>,
) => unknown;

export function forwardedBy(call: ServerUnaryCall<unknown, unknown>): string | undefined {
  const value = call.metadata.get(FORWARDED_BY_KEY)[0];
  return value === undefined ? undefined : String(value);
}

export class LeaderRelay {
  private readonly clients = new Map<string, ClusterClient>();
  private closed = false;

  constructor(
    private readonly memberName: string,
    private readonly relayTimeoutMs: number,
  ) {}

  /**
   * Calls `method` of the leader's Cluster service with `request` on behalf of `parent`.
   * The leader's errors come back as they were (its code, message and leader hint); a
   * leader that cannot be reached is UNAVAILABLE, which the client retries.
   */
  async relay<Request, Response>(
    leader: MemberInfo,
    method: (client: ClusterClient) => UnaryMethod<Request, Response>,
    request: Request,
    parent: ServerUnaryCall<unknown, unknown>,
  ): Promise<Response> {
    if (this.closed) throw new VstorError('UNAVAILABLE', 'the server is shutting down');
    const client = this.client(leader.grpc);
    const metadata = new Metadata();
    metadata.set(FORWARDED_BY_KEY, this.memberName);
    const options: CallOptions = { deadline: Date.now() + this.relayTimeoutMs, parent, propagate_flags: propagate.DEFAULTS };
    return new Promise<Response>((resolve, reject) => {
      method(client).call(client, request, metadata, options, (error, response) => {
        if (error === null && response !== undefined) {
          resolve(response);
          return;
        }
        const coded = fromServiceError(error);
        // A transport failure says nothing of the leader's own; name the hop that failed.
        const fromLeader = (error?.metadata?.get(errorMetadataKeys.code).length ?? 0) > 0;
        reject(fromLeader ? coded : new VstorError(coded.code, `relaying to the leader ${leader.name} at ${leader.grpc}: ${coded.message}`, { retryable: coded.retryable }));
      });
    });
  }

  /** Closes every connection to a leader. Safe twice. */
  close(): void {
    this.closed = true;
    for (const client of this.clients.values()) client.close();
    this.clients.clear();
  }

  private client(address: string): ClusterClient {
    let client = this.clients.get(address);
    if (client !== undefined) return client;
    if (this.clients.size >= RELAY_CLIENTS_MAX) {
      const [oldestAddress, oldest] = this.clients.entries().next().value as [string, ClusterClient];
      oldest.close();
      this.clients.delete(oldestAddress);
    }
    client = new ClusterClient(address, credentials.createInsecure());
    this.clients.set(address, client);
    return client;
  }
}
