// vstor.v1.KV over a ClusterNode: each handler checks its request at the edge
// (rpc/kv-requests.ts), asks the node, and answers in the wire's shapes
// (rpc/kv-responses.ts). Writes go through node.write, which Raft routes to the leader and
// applies at most once per (client_id, sequence); reads are linearizable unless the client
// asks for a serializable one; Watch streams a model watcher (rpc/watch-stream.ts);
// Session carries the four unary calls over one stream (rpc/session-stream.ts).
import type { DeleteRangeRequest__Output } from '../proto/gen/vstor/v1/DeleteRangeRequest.ts';
import type { DeleteRangeResponse } from '../proto/gen/vstor/v1/DeleteRangeResponse.ts';
import type { KVHandlers } from '../proto/gen/vstor/v1/KV.ts';
import type { PutRequest__Output } from '../proto/gen/vstor/v1/PutRequest.ts';
import type { PutResponse } from '../proto/gen/vstor/v1/PutResponse.ts';
import type { RangeRequest__Output } from '../proto/gen/vstor/v1/RangeRequest.ts';
import type { RangeResponse } from '../proto/gen/vstor/v1/RangeResponse.ts';
import type { SessionRequest__Output } from '../proto/gen/vstor/v1/SessionRequest.ts';
import type { SessionResponse } from '../proto/gen/vstor/v1/SessionResponse.ts';
import type { TxnRequest__Output } from '../proto/gen/vstor/v1/TxnRequest.ts';
import type { TxnResponse } from '../proto/gen/vstor/v1/TxnResponse.ts';
import type { ModelConfig } from '../storage-engine/model/index.ts';
import { defaultModelConfig } from '../storage-engine/model/index.ts';
import { assert } from '../consensus/index.ts';
import { VstorError } from './errors.ts';
import { errorStatusOf, serveUnary } from './handler.ts';
import type { KvLimits } from './kv-requests.ts';
import { deleteRangeFromWire, putFromWire, readRequestFromWire, txnFromWire, watchFromWire } from './kv-requests.ts';
import { deleteRangeResponseToWire, putResponseToWire, rangeResponseToWire, responseHeader, txnResponseToWire } from './kv-responses.ts';
import type { ClusterNode } from './node-api.ts';
import type { RpcObserver } from './observer.ts';
import { CallRecorder } from './observer.ts';
import { checkRequestSize } from './request-limit.ts';
import { SESSION_CALLS_MAX_DEFAULT, SessionStreams } from './session-stream.ts';
import type { WatchCall } from './watch-stream.ts';
import { WatchStream } from './watch-stream.ts';

export interface KvServiceOptions {
  node: ClusterNode;
  /** The model's limits, checked at the edge; the daemon passes the model's own config
   * so that the edge and the model agree. Default: defaultModelConfig. */
  limits?: ModelConfig;
  observer?: RpcObserver;
  /** The largest Range response, about; key-values past it are left for the next read
   * (`more` is set). Default 4 MiB, grpc's usual client receive limit. */
  rangeResponseBytesMax?: number;
  /** How often an idle watch with progress_notify reports its revision. Default 60 s. */
  watchProgressIntervalMs?: number;
  /** The most Watch streams open at once. The model bounds its watchers, but a stream
   * whose watcher the model ended lives on until its client reads the error, so the
   * streams are bounded too. Default: the model's watchersMax. */
  watchStreamsMax?: number;
  /** The most calls of one Session stream in flight at once (see rpc/session-stream.ts).
   * Default 1024. */
  sessionCallsMax?: number;
}


/** What each kind of call on a Session does: the unary calls' work functions. */
interface SessionWork {
  range(request: RangeRequest__Output): Promise<RangeResponse>;
  put(request: PutRequest__Output): Promise<PutResponse>;
  deleteRange(request: DeleteRangeRequest__Output): Promise<DeleteRangeResponse>;
  txn(request: TxnRequest__Output): Promise<TxnResponse>;
}

const servicePrefix = 'vstor.v1.KV/';
/** SessionRequest's field number of each call kind (kv.proto). */
const sessionKindsByField: Readonly<Record<number, keyof SessionWork>> = { 2: 'range', 3: 'put', 4: 'deleteRange', 5: 'txn' };
const methodNames: Readonly<Record<keyof SessionWork, string>> = {
  range: `${servicePrefix}Range`,
  put: `${servicePrefix}Put`,
  deleteRange: `${servicePrefix}DeleteRange`,
  txn: `${servicePrefix}Txn`,
};

export class KvService {
  readonly handlers: KVHandlers;
  private readonly node: ClusterNode;
  private readonly limits: KvLimits;
  private readonly observer: RpcObserver | undefined;
  private readonly rangeResponseBytesMax: number;
  private readonly watchProgressIntervalMs: number;
  private readonly watchStreamsMax: number;
  private readonly watches = new Set<WatchStream>();
  private readonly sessions: SessionStreams<SessionRequest__Output, keyof SessionWork, SessionResponse>;
  private closed = false;

  constructor(options: KvServiceOptions) {
    this.node = options.node;
    this.limits = options.limits ?? defaultModelConfig;
    this.observer = options.observer;
    this.rangeResponseBytesMax = options.rangeResponseBytesMax ?? 4 * 1024 * 1024;
    this.watchProgressIntervalMs = options.watchProgressIntervalMs ?? 60_000;
    this.watchStreamsMax = options.watchStreamsMax ?? this.limits.watchersMax;
    const sessionCallsMax = options.sessionCallsMax ?? SESSION_CALLS_MAX_DEFAULT;
    // The daemon validates its config at start-up; a bad limit here is a bug.
    assert(Number.isSafeInteger(this.rangeResponseBytesMax) && this.rangeResponseBytesMax > 0, 'rangeResponseBytesMax must be a positive integer');
    assert(Number.isSafeInteger(this.watchProgressIntervalMs) && this.watchProgressIntervalMs > 0, 'watchProgressIntervalMs must be a positive integer');
    assert(Number.isSafeInteger(this.watchStreamsMax) && this.watchStreamsMax > 0, 'watchStreamsMax must be a positive integer');
    assert(Number.isSafeInteger(sessionCallsMax) && sessionCallsMax > 0, 'sessionCallsMax must be a positive integer');

    const node = this.node;
    const limits = this.limits;
    const observe = (operation: 'range' | 'put' | 'delete' | 'txn'): void => this.observer?.kvOperation(operation);
    // What each call does, whichever framing carried it (a unary call or a Session).
    const work: SessionWork = {
      range: async (wire) => {
        const read = readRequestFromWire(wire, limits);
        if (!read.serializable) await node.readBarrier();
        const response = await node.range(read.range);
        checkRevision(read.revision, response.header.revision);
        observe('range');
        return rangeResponseToWire(responseHeader(node, response.header.revision), response, this.rangeResponseBytesMax);
      },
      put: async (wire) => {
        const response = putResponseToWire(node, await node.write(putFromWire(wire, limits)));
        observe('put');
        return response;
      },
      deleteRange: async (wire) => {
        const response = deleteRangeResponseToWire(node, await node.write(deleteRangeFromWire(wire, limits)));
        observe('delete');
        return response;
      },
      txn: async (wire) => {
        const response = txnResponseToWire(node, await node.write(txnFromWire(wire, limits)));
        observe('txn');
        return response;
      },
    };
    this.sessions = new SessionStreams<SessionRequest__Output, keyof SessionWork, SessionResponse>({
      kindsByField: sessionKindsByField,
      // The oneof's member is present whenever `call` names it (proto-loader, oneofs: true);
      // a missing one is an empty message of that kind, which the edge checks refuse.
      serve: (kind, request) => (work[kind] as (wire: object) => Promise<unknown>)(request[kind] ?? {}),
      callsMax: sessionCallsMax,
      observer: this.observer,
      methodNames,
      sessionMethodName: `${servicePrefix}Session`,
    });
    this.handlers = {
      Range: serveUnary(methodNames.range, this.observer, work.range),
      Put: serveUnary(methodNames.put, this.observer, work.put),
      DeleteRange: serveUnary(methodNames.deleteRange, this.observer, work.deleteRange),
      Txn: serveUnary(methodNames.txn, this.observer, work.txn),
      Watch: (call) => this.watch(call),
      Session: (call) => this.sessions.serve(call),
    };
  }

  get sessionCount(): number {
    return this.sessions.count;
  }

  get watchCount(): number {
    return this.watches.size;
  }

  /** Ends every watch with UNAVAILABLE (the client resumes elsewhere) and refuses new
   * ones, and ends every session once its calls in flight are answered, so that a
   * server's graceful shutdown is not held up by streams that never end on their own.
   * Unary calls are still served until the server stops. Safe twice. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const watch of this.watches) watch.stop(new VstorError('UNAVAILABLE', 'the server is shutting down; watch again from the next revision'));
    this.sessions.close();
  }

  private watch(call: WatchCall): void {
    const recorder = new CallRecorder(this.observer, `${servicePrefix}Watch`, true);
    let stream: WatchStream;
    try {
      checkRequestSize(call.request);
      if (this.closed) throw new VstorError('UNAVAILABLE', 'the server is shutting down');
      if (this.watches.size >= this.watchStreamsMax) {
        throw new VstorError('RESOURCE_EXHAUSTED', `already ${this.watchStreamsMax} watch streams open on this member (watchStreamsMax)`);
      }
      const start = watchFromWire(call.request, this.limits);
      const watcher = this.node.watch(start.request);
      stream = new WatchStream(call, watcher, {
        progressIntervalMs: start.progressNotify ? this.watchProgressIntervalMs : undefined,
        header: (revision) => responseHeader(this.node, revision),
      });
    } catch (error) {
      const errorStatus = errorStatusOf(error);
      call.emit('error', errorStatus);
      recorder.finish(errorStatus.code);
      return;
    }
    this.watches.add(stream);
    this.observer?.kvOperation('watch');
    void stream.run().then((code) => {
      this.watches.delete(stream);
      recorder.finish(code);
    });
  }
}

/**
 * The model keeps only its current state, so a read at a given revision can be served
 * only when that is the revision the read saw; etcd's answers otherwise are kept: a
 * future revision and a compacted one are both OUT_OF_RANGE (the latter with vstor code
 * COMPACTED).
 */
function checkRevision(asked: number, served: number): void {
  if (asked === 0 || asked === served) return;
  if (asked > served) throw new VstorError('OUT_OF_RANGE', `revision: ${asked} is in the future; the current revision is ${served}`);
  throw new VstorError('COMPACTED', `revision: ${asked} is compacted; only the current revision ${served} can be read`);
}
