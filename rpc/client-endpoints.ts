// The endpoints a client knows, one gRPC channel each (shared by its KV, Cluster and
// VDisks client objects), and which one it is using. The client sticks to an endpoint while it works and
// moves on, round robin, when it fails; a NOT_LEADER answer can name a leader's address
// that is not among the configured endpoints, which gets a channel too (a bounded number
// of them, the oldest closed first).
import * as grpc from '@grpc/grpc-js';
import type { SessionCalls, SessionChannel, VDiskSessionCalls } from './client-session.ts';
import { kvSession, vdiskSession } from './client-session.ts';
import { ClusterClient, KVClient, VDisksClient } from './proto.ts';

export interface Endpoint {
  address: string;
  channel: grpc.Channel;
  kv: KVClient;
  cluster: ClusterClient;
  vdisks: VDisksClient;
  /** KV calls over one stream (rpc/client-session.ts). */
  session: SessionChannel<SessionCalls>;
  /** The small VDisks calls over one stream (rpc/client-session.ts). */
  vdiskSession: SessionChannel<VDiskSessionCalls>;
}

/** The most channels kept for addresses learnt from leader hints. */
const HINTED_ENDPOINTS_MAX = 8;

export class EndpointPool {
  private readonly configured: Endpoint[];
  private readonly hinted = new Map<string, Endpoint>();
  private currentIndex = 0;

  constructor(
    addresses: readonly string[],
    private readonly channelOptions: grpc.ChannelOptions,
  ) {
    this.configured = addresses.map((address) => this.open(address));
  }

  get count(): number {
    return this.configured.length;
  }

  get addresses(): string[] {
    return this.configured.map((endpoint) => endpoint.address);
  }

  /** The endpoint in use. */
  current(): Endpoint {
    return this.configured[this.currentIndex]!;
  }

  /** Gives up on the endpoint in use for the next one. */
  advance(): Endpoint {
    this.currentIndex = (this.currentIndex + 1) % this.configured.length;
    return this.current();
  }

  /** The endpoint for `address`, which a configured one becomes the one in use if `stick`
   * (a leader hint); another address gets a channel of its own, used for the call that
   * learnt of it. */
  endpointFor(address: string, stick: boolean): Endpoint {
    const index = this.configured.findIndex((endpoint) => endpoint.address === address);
    if (index >= 0) {
      if (stick) this.currentIndex = index;
      return this.configured[index]!;
    }
    let endpoint = this.hinted.get(address);
    if (endpoint === undefined) {
      if (this.hinted.size >= HINTED_ENDPOINTS_MAX) {
        const [oldestAddress, oldest] = this.hinted.entries().next().value as [string, Endpoint];
        closeEndpoint(oldest);
        this.hinted.delete(oldestAddress);
      }
      endpoint = this.open(address);
      this.hinted.set(address, endpoint);
    }
    return endpoint;
  }

  close(): void {
    for (const endpoint of [...this.configured, ...this.hinted.values()]) closeEndpoint(endpoint);
    this.hinted.clear();
  }

  private open(address: string): Endpoint {
    const channel = new grpc.Channel(address, grpc.credentials.createInsecure(), this.channelOptions);
    const kv = new KVClient(address, grpc.credentials.createInsecure(), { channelOverride: channel });
    const vdisks = new VDisksClient(address, grpc.credentials.createInsecure(), { channelOverride: channel });
    return {
      address,
      channel,
      kv,
      session: kvSession(kv),
      cluster: new ClusterClient(address, grpc.credentials.createInsecure(), { channelOverride: channel }),
      vdisks,
      vdiskSession: vdiskSession(vdisks),
    };
  }
}

/** The client objects share the channel; closing it closes them. */
function closeEndpoint(endpoint: Endpoint): void {
  endpoint.session.close();
  endpoint.vdiskSession.close();
  endpoint.channel.close();
}
