// The standard gRPC health service (grpc.health.v1: Check, List, Watch), so that load
// balancers, Kubernetes probes and grpc_health_probe can ask a node whether it serves.
// The daemon sets a status per service name ("" for the node as a whole) as its state
// changes; this module only answers and notifies.
//
// A watcher gets the current status at once and then every change. A slow watcher never
// makes memory grow: while its stream is full, only the latest status waits to be sent
// (intermediate ones are of no use to a health checker), and the number of watchers is
// bounded. close() reports NOT_SERVING for everything and ends every watch, so that the
// server's graceful shutdown is not held up by streams that never end on their own.
import type { ServerWritableStream } from '@grpc/grpc-js';
import type { HealthCheckRequest__Output } from '../proto/gen/grpc/health/v1/HealthCheckRequest.ts';
import type { HealthCheckResponse } from '../proto/gen/grpc/health/v1/HealthCheckResponse.ts';
import type { HealthHandlers } from '../proto/gen/grpc/health/v1/Health.ts';
import { assert } from '../consensus/index.ts';
import { VstorError, toErrorStatus } from './errors.ts';

export type ServingStatus = 'SERVING' | 'NOT_SERVING';
type WatchedStatus = ServingStatus | 'SERVICE_UNKNOWN';

export interface HealthServiceOptions {
  /** The most Watch streams open at once; more are refused with RESOURCE_EXHAUSTED. */
  watchersMax: number;
}

interface Watcher {
  call: ServerWritableStream<HealthCheckRequest__Output, HealthCheckResponse>;
  service: string;
  lastSent: WatchedStatus | undefined;
  /** The stream's buffer is full: write again only after 'drain'. */
  full: boolean;
  /** The latest status not yet written because the stream was full. */
  waiting: WatchedStatus | undefined;
}

export class HealthService {
  private readonly statuses = new Map<string, ServingStatus>();
  private readonly watchers = new Set<Watcher>();
  private readonly watchersMax: number;
  private closed = false;

  readonly handlers: HealthHandlers = {
    Check: (call, callback) => {
      const status = this.statuses.get(call.request.service);
      if (status === undefined) {
        callback(toErrorStatus(new VstorError('NOT_FOUND', `unknown service "${call.request.service}"`)));
      } else {
        callback(null, { status });
      }
    },
    List: (_call, callback) => {
      callback(null, { statuses: Object.fromEntries([...this.statuses].map(([service, status]) => [service, { status }])) });
    },
    Watch: (call) => this.watch(call),
  };

  constructor(options: HealthServiceOptions) {
    // The daemon validates its config at start-up; a bad limit here is a bug.
    assert(Number.isSafeInteger(options.watchersMax) && options.watchersMax > 0, () => `watchersMax must be a positive integer, got ${options.watchersMax}`);
    this.watchersMax = options.watchersMax;
  }

  /** Sets the status of `service` ("" for the whole server) and tells its watchers.
   * Ignored once closed: a closing server stays NOT_SERVING. */
  setStatus(service: string, status: ServingStatus): void {
    if (this.closed) return;
    this.update(service, status);
  }

  status(service: string): ServingStatus | undefined {
    return this.statuses.get(service);
  }

  get watcherCount(): number {
    return this.watchers.size;
  }

  /** Reports NOT_SERVING for every service and ends every watch. Safe to call twice. */
  close(): void {
    if (this.closed) return;
    for (const service of this.statuses.keys()) this.update(service, 'NOT_SERVING');
    this.closed = true;
    for (const watcher of this.watchers) {
      // A full stream still gets its last word: one message over its buffer, once.
      if (watcher.waiting !== undefined && watcher.waiting !== watcher.lastSent) watcher.call.write({ status: watcher.waiting });
      watcher.call.end();
    }
    this.watchers.clear();
  }

  private update(service: string, status: ServingStatus): void {
    this.statuses.set(service, status);
    for (const watcher of this.watchers) if (watcher.service === service) this.notify(watcher, status);
  }

  private watch(call: ServerWritableStream<HealthCheckRequest__Output, HealthCheckResponse>): void {
    if (this.closed) {
      call.emit('error', toErrorStatus(new VstorError('UNAVAILABLE', 'the server is shutting down')));
      return;
    }
    if (this.watchers.size >= this.watchersMax) {
      call.emit('error', toErrorStatus(new VstorError('RESOURCE_EXHAUSTED', `already ${this.watchersMax} health watchers (watchersMax)`)));
      return;
    }
    const watcher: Watcher = { call, service: call.request.service, lastSent: undefined, full: false, waiting: undefined };
    this.watchers.add(watcher);
    call.on('cancelled', () => this.watchers.delete(watcher));
    call.on('drain', () => {
      watcher.full = false;
      const waiting = watcher.waiting;
      watcher.waiting = undefined;
      if (waiting !== undefined) this.notify(watcher, waiting);
    });
    this.notify(watcher, this.statuses.get(watcher.service) ?? 'SERVICE_UNKNOWN');
  }

  private notify(watcher: Watcher, status: WatchedStatus): void {
    if (watcher.full) {
      watcher.waiting = status;
      return;
    }
    if (status === watcher.lastSent) return;
    watcher.lastSent = status;
    watcher.full = !watcher.call.write({ status });
  }
}
