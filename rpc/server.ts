// A node's gRPC server: the public API (vstor.v1.KV, vstor.v1.Cluster, vstor.v1.VDisks), Raft
// snapshots from the other members (vstor.internal.RaftPeer; Raft messages have a TCP port of
// their own, daemon/peer-listener.ts), the standard health service and server reflection, all on one
// port, so that generic tools (grpcurl, grpc_health_probe) find and call everything.
// addPublicServices() registers the public part on a server someone else built (the
// daemon's); GrpcServer builds the whole server.
//
// Message sizes: the transport's receive limit is the larger of requestBytesMax and
// peerMessageBytesMax, because one limit covers every call on the server and a Raft
// snapshot chunk needs more room than any client request; the public services then hold
// their requests to requestBytesMax themselves (rpc/request-limit.ts). VDisks allows a
// little more (VDISK_REQUEST_OVERHEAD_BYTES), so that a write of requestBytesMax bytes of
// data, which the block engine accepts, fits with its fields.
//
// Lifecycle: listen() once; close() stops the watches and health watchers that would
// otherwise never end, lets calls in flight finish for up to shutdownGraceMs, then cuts
// what is left. close() is safe to call twice and before listen().
import * as grpc from '@grpc/grpc-js';
import { ReflectionService } from '@grpc/reflection';
import { assert } from '../consensus/index.ts';
import type { ModelConfig } from '../storage-engine/model/index.ts';
import { defaultModelConfig } from '../storage-engine/model/index.ts';
import { joinHostPort } from './addresses.ts';
import { ClusterService } from './cluster-service.ts';
import type { HealthService } from './health.ts';
import { KvService } from './kv-service.ts';
import type { ClusterNode } from './node-api.ts';
import type { RpcObserver } from './observer.ts';
import { clusterService, healthService, kvService, packageDefinition, raftPeerService, vdisksService } from './proto.ts';
import type { RaftPeerReceiver } from './raft-peer-server.ts';
import { raftPeerHandlers } from './raft-peer-server.ts';
import { limitRequestBytes } from './request-limit.ts';
import type { VDiskLimits, VDiskNode } from './vdisk-api.ts';
import { VDISK_REQUEST_OVERHEAD_BYTES } from './vdisk-checks.ts';
import { VDiskService } from './vdisk-service.ts';

export interface PublicServiceOptions {
  node: ClusterNode;
  observer?: RpcObserver;
  /** The largest request a client may send to KV or Cluster, in bytes (encoded). */
  requestBytesMax: number;
  /** The model's limits, for the KV service's checks at the edge: pass the model's own
   * full config (KvStateMachine#config), or the edge and the model disagree. */
  modelLimits?: ModelConfig;
  /** See KvServiceOptions. */
  rangeResponseBytesMax?: number;
  watchProgressIntervalMs?: number;
  watchStreamsMax?: number;
  /** See KvServiceOptions; the same bound applies to VDisks sessions. */
  sessionCallsMax?: number;
  /** See ClusterServiceOptions. */
  relayTimeoutMs?: number;
  /** The daemon's vDisk operations and their limits: with them, vstor.v1.VDisks is
   * served too. */
  vdisks?: { node: VDiskNode; limits: VDiskLimits };
  /** Also register server reflection for every service of proto/. Default true. */
  reflection?: boolean;
}

export interface PublicServices {
  /** The fully qualified names of the services registered, for the health service. */
  serviceNames: string[];
  /** Ends every watch and session (a session once its calls in flight are answered) and
   * refuses new ones: call it before the server's tryShutdown, or the open streams hold it
   * up. Safe twice. */
  stopStreams(): void;
  /** Closes the connections kept for relaying to the leader: call it after the server
   * stopped. Safe twice. */
  close(): void;
}

/** Registers vstor.v1.KV, vstor.v1.Cluster, vstor.v1.VDisks if given (and server
 * reflection) on `server`. */
export function addPublicServices(server: grpc.Server, options: PublicServiceOptions): PublicServices {
  assert(Number.isSafeInteger(options.requestBytesMax) && options.requestBytesMax > 0, () => `requestBytesMax must be a positive integer, got ${options.requestBytesMax}`);
  const kv = new KvService({
    node: options.node,
    observer: options.observer,
    limits: options.modelLimits,
    rangeResponseBytesMax: options.rangeResponseBytesMax,
    watchProgressIntervalMs: options.watchProgressIntervalMs,
    watchStreamsMax: options.watchStreamsMax,
    sessionCallsMax: options.sessionCallsMax,
  });
  const cluster = new ClusterService({
    node: options.node,
    observer: options.observer,
    limits: options.modelLimits,
    relayTimeoutMs: options.relayTimeoutMs,
  });
  server.addService(limitRequestBytes(kvService, options.requestBytesMax), kv.handlers);
  server.addService(limitRequestBytes(clusterService, options.requestBytesMax), cluster.handlers);
  const serviceNames = ['vstor.v1.KV', 'vstor.v1.Cluster'];
  let vdisks: VDiskService | undefined;
  if (options.vdisks !== undefined) {
    vdisks = new VDiskService({
      node: options.node,
      vdisks: options.vdisks.node,
      limits: options.vdisks.limits,
      clientIdBytesMax: (options.modelLimits ?? defaultModelConfig).clientIdBytesMax,
      observer: options.observer,
      sessionCallsMax: options.sessionCallsMax,
    });
    server.addService(limitRequestBytes(vdisksService, options.requestBytesMax + VDISK_REQUEST_OVERHEAD_BYTES), vdisks.handlers);
    serviceNames.push('vstor.v1.VDisks');
  }
  if (options.reflection !== false) new ReflectionService(packageDefinition).addToServer(server);
  return {
    serviceNames,
    stopStreams: () => {
      kv.close();
      vdisks?.close();
    },
    close: () => cluster.close(),
  };
}

export interface GrpcServerOptions extends Omit<PublicServiceOptions, 'reflection'> {
  raftPeer: RaftPeerReceiver;
  health: HealthService;
  /** The largest peer message (a Raft snapshot chunk with its message), in bytes. */
  peerMessageBytesMax: number;
  /** How long close() lets calls in flight finish before cutting them. Default 5 s. */
  shutdownGraceMs?: number;
}

export type GrpcServerStatus = 'new' | 'listening' | 'closing' | 'closed';

export class GrpcServer {
  private readonly server: grpc.Server;
  private readonly services: PublicServices;
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
    this.server = new grpc.Server({
      'grpc.max_receive_message_length': Math.max(options.requestBytesMax + VDISK_REQUEST_OVERHEAD_BYTES, options.peerMessageBytesMax),
    });
    this.services = addPublicServices(this.server, options);
    this.server.addService(raftPeerService, raftPeerHandlers(options.raftPeer));
    this.server.addService(healthService, this.health.handlers);
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
    this.services.stopStreams();
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
    this.services.close();
    this.currentStatus = 'closed';
  }
}

export function createGrpcServer(options: GrpcServerOptions): GrpcServer {
  return new GrpcServer(options);
}
