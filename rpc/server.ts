// A node's gRPC server: the public API (vstor.v1.KV, vstor.v1.Cluster), the peer protocol
// (vstor.internal.RaftPeer), the standard health service and server reflection, all on one
// port, so that generic tools (grpcurl, grpc_health_probe) find and call everything.
//
// Message sizes: the transport's receive limit is the larger of requestBytesMax and
// peerMessageBytesMax, because one limit covers every call on the server and a batch of
// Raft entries needs more room than any client request; the public services then hold
// their requests to requestBytesMax themselves (rpc/request-limit.ts).
//
// Lifecycle: listen() once; close() stops the watches and health watchers that would
// otherwise never end, lets calls in flight finish for up to shutdownGraceMs, then cuts
// what is left. close() is safe to call twice and before listen().
import * as grpc from '@grpc/grpc-js';
import { ReflectionService } from '@grpc/reflection';
import { assert } from '../consensus/index.ts';
import type { ModelConfig } from '../storage-engine/model/index.ts';
import { joinHostPort } from './addresses.ts';
import { ClusterService } from './cluster-service.ts';
import type { HealthService } from './health.ts';
import { KvService } from './kv-service.ts';
import type { ClusterNode } from './node-api.ts';
import type { RpcObserver } from './observer.ts';
import { clusterService, healthService, kvService, packageDefinition, raftPeerService } from './proto.ts';
import type { RaftPeerReceiver } from './raft-peer-server.ts';
import { raftPeerHandlers } from './raft-peer-server.ts';
import { limitRequestBytes } from './request-limit.ts';

export interface GrpcServerOptions {
  node: ClusterNode;
  raftPeer: RaftPeerReceiver;
  health: HealthService;
  observer?: RpcObserver;
  /** The largest request a client may send to KV or Cluster, in bytes (encoded). */
  requestBytesMax: number;
  /** The largest peer message (a batch of Raft messages, a snapshot chunk), in bytes. */
  peerMessageBytesMax: number;
  /** The model's limits, for the KV service's checks at the edge. */
  modelLimits?: ModelConfig;
  /** See KvServiceOptions. */
  rangeResponseBytesMax?: number;
  watchProgressIntervalMs?: number;
  /** See ClusterServiceOptions. */
  relayTimeoutMs?: number;
  /** How long close() lets calls in flight finish before cutting them. Default 5 s. */
  shutdownGraceMs?: number;
}

export type GrpcServerStatus = 'new' | 'listening' | 'closing' | 'closed';

export class GrpcServer {
  private readonly server: grpc.Server;
  private readonly kv: KvService;
  private readonly cluster: ClusterService;
  private readonly health: HealthService;
  private readonly shutdownGraceMs: number;
  private currentStatus: GrpcServerStatus = 'new';
  private closing: Promise<void> | undefined;
  private boundPort: number | undefined;

  constructor(options: GrpcServerOptions) {
    // The daemon validates its config at start-up; a bad limit here is a bug.
    for (const limit of ['requestBytesMax', 'peerMessageBytesMax'] as const) {
      assert(Number.isSafeInteger(options[limit]) && options[limit] > 0 && options[limit] < 2 ** 31, () => `${limit} must be a positive 32-bit integer, got ${options[limit]}`);
    }
    this.shutdownGraceMs = options.shutdownGraceMs ?? 5_000;
    assert(Number.isSafeInteger(this.shutdownGraceMs) && this.shutdownGraceMs >= 0, 'shutdownGraceMs must be a non-negative integer');
    this.health = options.health;
    this.kv = new KvService({
      node: options.node,
      observer: options.observer,
      limits: options.modelLimits,
      rangeResponseBytesMax: options.rangeResponseBytesMax,
      watchProgressIntervalMs: options.watchProgressIntervalMs,
    });
    this.cluster = new ClusterService({
      node: options.node,
      observer: options.observer,
      limits: options.modelLimits,
      relayTimeoutMs: options.relayTimeoutMs,
    });
    this.server = new grpc.Server({
      'grpc.max_receive_message_length': Math.max(options.requestBytesMax, options.peerMessageBytesMax),
    });
    this.server.addService(limitRequestBytes(kvService, options.requestBytesMax), this.kv.handlers);
    this.server.addService(limitRequestBytes(clusterService, options.requestBytesMax), this.cluster.handlers);
    this.server.addService(raftPeerService, raftPeerHandlers(options.raftPeer));
    this.server.addService(healthService, this.health.handlers);
    new ReflectionService(packageDefinition).addToServer(this.server);
  }

  get status(): GrpcServerStatus {
    return this.currentStatus;
  }

  /** The port listened on, once listen() resolved. */
  get port(): number | undefined {
    return this.boundPort;
  }

  /** Binds host:port (port 0: one the OS picks) and resolves with the port. */
  async listen(host: string, port: number): Promise<number> {
    assert(this.currentStatus === 'new', () => `listen() on a server that is ${this.currentStatus}`);
    this.currentStatus = 'listening';
    this.boundPort = await new Promise<number>((resolve, reject) => {
      this.server.bindAsync(joinHostPort(host, port), grpc.ServerCredentials.createInsecure(), (error, boundPort) => {
        if (error === null) resolve(boundPort);
        else reject(error);
      });
    });
    return this.boundPort;
  }

  /** Stops serving: see the top of this file. Safe twice. */
  close(): Promise<void> {
    this.closing ??= this._close();
    return this.closing;
  }

  private async _close(): Promise<void> {
    this.currentStatus = 'closing';
    this.kv.close();
    this.health.close();
    await new Promise<void>((resolve) => {
      const force = setTimeout(() => {
        this.server.forceShutdown();
        resolve();
      }, this.shutdownGraceMs);
      this.server.tryShutdown(() => {
        clearTimeout(force);
        resolve();
      });
    });
    this.cluster.close();
    this.currentStatus = 'closed';
  }
}

export function createGrpcServer(options: GrpcServerOptions): GrpcServer {
  return new GrpcServer(options);
}
