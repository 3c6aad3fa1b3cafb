// What the public services report about the calls they serve, for the daemon to turn into
// Prometheus metrics (vstor_grpc_requests_total{method,code},
// vstor_grpc_request_duration_seconds{method}, vstor_kv_operations_total{operation}).
// rpc/ knows nothing of prom-client: it calls an observer, and the daemon decides what
// to count and how.
import { status } from '@grpc/grpc-js';

export interface RpcCallRecord {
  /** The service and method, as in the gRPC path without its leading slash:
   * "vstor.v1.KV/Put". */
  method: string;
  /** The gRPC status name the call ended with: "OK", "INVALID_ARGUMENT", "CANCELLED", ... */
  code: string;
  durationSeconds: number;
  /** A server-streaming call (Watch), whose duration is the life of the stream rather than
   * a request's latency; a latency histogram would rather leave those out. */
  streaming: boolean;
}

/** The kind of a KV operation served successfully, one per call (a txn counts once). */
export type KvOperation = 'range' | 'put' | 'delete' | 'txn' | 'watch';

export interface RpcObserver {
  /** Called once for every call, when it ends, whatever its outcome. */
  callFinished(record: RpcCallRecord): void;
  /** Called once for every KV call that succeeded (for Watch: that started). */
  kvOperation(operation: KvOperation): void;
}

/** The gRPC status name of a status code, "OK" for 0. */
export function statusName(code: status): string {
  return status[code] ?? String(code);
}

/** Times one call and reports it to the observer exactly once. */
export class CallRecorder {
  private readonly startedMs = performance.now();
  private finished = false;

  constructor(
    private readonly observer: RpcObserver | undefined,
    private readonly method: string,
    private readonly streaming: boolean,
  ) {}

  finish(code: status): void {
    if (this.finished) return;
    this.finished = true;
    this.observer?.callFinished({
      method: this.method,
      code: statusName(code),
      durationSeconds: (performance.now() - this.startedMs) / 1000,
      streaming: this.streaming,
    });
  }
}
