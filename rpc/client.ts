// The client library that vstorctl and the tests use: KV, Cluster and VDisks calls
// (client.vdisks, rpc/vdisk-client.ts) against a set of endpoints, with failover and safe
// retries (rpc/client-retry.ts), a deadline per call, and the at-most-once contract for
// writes.
//
// At most once: every write (put, delete, txn, and membership changes) carries this
// client's id and the next sequence number, and every retry of it reuses the same pair,
// so the cluster applies it once whichever member the retries reach. The model keeps
// only each client's last response, so a client may have one write outstanding at a time:
// writes made concurrently on one VstorClient wait their turn (a bounded queue). Use
// several clients for parallel writes.
//
// Deadlines: timeoutMs bounds a whole call, retries and backoff included; each attempt is
// bounded by attemptTimeoutMs as well, so that a member that accepts a call but never
// answers (cut off from the leader) costs one attempt, not the whole call.
//
// Errors come out as one VstorError with the vstor code and a one-line message.
import { randomUUID } from 'node:crypto';
import type { CallOptions, ServiceError } from '@grpc/grpc-js';
import { Metadata } from '@grpc/grpc-js';
import type { DeleteRangeResponse__Output } from '../proto/gen/vstor/v1/DeleteRangeResponse.ts';
import type { KeyValue__Output } from '../proto/gen/vstor/v1/KeyValue.ts';
import type { Member__Output } from '../proto/gen/vstor/v1/Member.ts';
import type { MemberAddResponse__Output } from '../proto/gen/vstor/v1/MemberAddResponse.ts';
import type { PutResponse__Output } from '../proto/gen/vstor/v1/PutResponse.ts';
import type { RangeResponse__Output } from '../proto/gen/vstor/v1/RangeResponse.ts';
import type { StatusResponse__Output } from '../proto/gen/vstor/v1/StatusResponse.ts';
import type { TransferLeadershipResponse__Output } from '../proto/gen/vstor/v1/TransferLeadershipResponse.ts';
import type { TxnResponse__Output } from '../proto/gen/vstor/v1/TxnResponse.ts';
import { isHostPort } from './addresses.ts';
import type { Endpoint } from './client-endpoints.ts';
import { EndpointPool } from './client-endpoints.ts';
import type { Bytes, KeySelector, RangeOptions, TxnOptions, WatchOptions } from './client-requests.ts';
import { keyRangeToWire, rangeRequestToWire, toBytes, txnToWire, watchRequestToWire } from './client-requests.ts';
import type { RetryPolicy } from './client-retry.ts';
import { backoffDelayMs, retryActionFor, sleep } from './client-retry.ts';
import { VstorWatch } from './client-watch.ts';
import { whenConnected } from './channel-ready.ts';
import { errorMetadataKeys, fromServiceError, isServiceError, VstorError } from './errors.ts';
import { VDiskClient } from './vdisk-client.ts';

export type { Bytes, KeySelector, RangeOptions, TxnCompare, TxnOperation, TxnOptions, WatchOptions } from './client-requests.ts';
export type { WatchBatch } from './client-watch.ts';
export { VstorWatch } from './client-watch.ts';
export type { DiffOptions, VDiskClient } from './vdisk-client.ts';

/**
 * How one call may be retried beyond the rules of client-retry.ts.
 * - changesBlocks: the call writes blocks (vDisk Write, Trim, WriteZeroes). It is sent
 *   only over a connected channel, and sent again only when the failure proves the
 *   blocks were not touched: the channel never connected, or the server answered with a
 *   retryable error (the server marks an error retryable only before it touched them). A
 *   write that may have been applied is not repeated: an attempt still in flight could
 *   land after a later write to the same range and undo it.
 * - onRetry: told of each failure that is followed by another attempt.
 */
export interface CallPolicy {
  changesBlocks?: boolean;
  onRetry?: (error: VstorError) => void;
}

export interface VstorClientOptions {
  /** host:port of each member's gRPC service; at least one. */
  endpoints: readonly string[];
  /** This client's id for at-most-once writes. Default: a random UUID per client. */
  clientId?: string;
  /** The deadline of a whole call, retries included. Default 10 s. */
  timeoutMs?: number;
  /** The deadline of one attempt. Default: timeoutMs / 3, at least 1 s, at most timeoutMs. */
  attemptTimeoutMs?: number;
  /** Attempts after the first, at most. Default 6. */
  retries?: number;
  /** Backoff between attempts at one endpoint: full jitter up to min(max, min * 2^n).
   * Defaults 50 ms and 2 s. */
  backoffMsMin?: number;
  backoffMsMax?: number;
  /** The largest response accepted, in bytes. Default 64 MiB. */
  responseBytesMax?: number;
  /** The most writes waiting for their turn (one is outstanding at a time). Default 1024. */
  queuedWritesMax?: number;
  /** The most watches open at once on this client. Default 1024. */
  watchesMax?: number;
  /** For the backoff's jitter. Default Math.random. */
  random?: () => number;
}

export interface MemberToAdd {
  /** 0 or absent: the leader chooses. */
  id?: number;
  name: string;
  grpcAddress: string;
  /** Where the new member takes Raft messages: its `peer` in cluster.yaml. */
  peerAddress: string;
  adminAddress: string;
  nbdAddress: string;
}

/** The most endpoints a client takes: a cluster has a handful of members. */
const ENDPOINTS_MAX = 64;

function positiveInteger(field: string, value: number | undefined, fallback: number, minimum = 1): number {
  const chosen = value ?? fallback;
  if (!Number.isSafeInteger(chosen) || chosen < minimum) throw new VstorError('INVALID_ARGUMENT', `${field}: must be an integer of at least ${minimum}, got ${String(value)}`);
  return chosen;
}

/** Whether a vstor server answered `error` (it carries a vstor code), rather than the
 * transport or this client's own deadline. */
function sentByServer(error: unknown): boolean {
  return isServiceError(error) && error.metadata.get(errorMetadataKeys.code).length > 0;
}

/** The message of `error` on one line. */
function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}

export class VstorClient {
  readonly clientId: string;
  private readonly endpoints: EndpointPool;
  private readonly timeoutMs: number;
  private readonly attemptTimeoutMs: number;
  private readonly policy: RetryPolicy;
  private readonly queuedWritesMax: number;
  private readonly watchesMax: number;
  private sequence = 0;
  private vdiskSequence = 0;
  /** vDisk calls: create, snapshot, read, write, ... */
  readonly vdisks: VDiskClient;
  private writeTail: Promise<void> = Promise.resolve();
  private queuedWrites = 0;
  private readonly watches = new Set<VstorWatch>();
  private closed = false;

  constructor(options: VstorClientOptions) {
    const addresses = options.endpoints;
    if (!Array.isArray(addresses) || addresses.length === 0) throw new VstorError('INVALID_ARGUMENT', 'endpoints: at least one host:port is needed');
    if (addresses.length > ENDPOINTS_MAX) throw new VstorError('INVALID_ARGUMENT', `endpoints: at most ${ENDPOINTS_MAX}`);
    for (const address of addresses) {
      if (typeof address !== 'string' || !isHostPort(address)) throw new VstorError('INVALID_ARGUMENT', `endpoints: ${JSON.stringify(address)} is not host:port`);
    }
    this.clientId = options.clientId ?? randomUUID();
    if (typeof this.clientId !== 'string' || this.clientId.length === 0) throw new VstorError('INVALID_ARGUMENT', 'clientId: must be a non-empty string');
    this.timeoutMs = positiveInteger('timeoutMs', options.timeoutMs, 10_000);
    const attemptDefault = Math.min(this.timeoutMs, Math.max(1_000, Math.floor(this.timeoutMs / 3)));
    this.attemptTimeoutMs = Math.min(this.timeoutMs, positiveInteger('attemptTimeoutMs', options.attemptTimeoutMs, attemptDefault));
    const backoffMsMin = positiveInteger('backoffMsMin', options.backoffMsMin, 50);
    this.policy = {
      retries: positiveInteger('retries', options.retries, 6, 0),
      backoffMsMin,
      backoffMsMax: positiveInteger('backoffMsMax', options.backoffMsMax, Math.max(2_000, backoffMsMin), backoffMsMin),
      random: options.random ?? Math.random,
    };
    this.queuedWritesMax = positiveInteger('queuedWritesMax', options.queuedWritesMax, 1024);
    this.watchesMax = positiveInteger('watchesMax', options.watchesMax, 1024);
    const responseBytesMax = positiveInteger('responseBytesMax', options.responseBytesMax, 64 * 1024 * 1024);
    this.endpoints = new EndpointPool([...new Set(addresses)], { 'grpc.max_receive_message_length': responseBytesMax });
    this.vdisks = new VDiskClient({
      call: (method, invoke, policy) => this.call(method, invoke, policy),
      // vDisk metadata changes carry a pair of their own: the record keeps it (not the
      // model's session table), so it needs no turn in the write queue.
      identity: () => ({ clientId: this.clientId, sequence: ++this.vdiskSequence }),
    });
  }

  /** The endpoint the client is using now. */
  get currentEndpoint(): string {
    return this.endpoints.current().address;
  }

  // ---- KV ----

  /** The key-value of `key`, or undefined if it does not exist. */
  async get(key: Bytes, options: { serializable?: boolean } = {}): Promise<KeyValue__Output | undefined> {
    const response = await this.range({ key, serializable: options.serializable });
    return response.kvs[0];
  }

  range(options: RangeOptions): Promise<RangeResponse__Output> {
    const request = rangeRequestToWire(options);
    return this.call<RangeResponse__Output>('Range', (endpoint, _metadata, callOptions, callback) =>
      endpoint.session.call('range', request, callOptions.deadline as number, callback));
  }

  /** Every key that starts with `prefix` (every key for ""). */
  list(prefix: Bytes, options: Omit<RangeOptions, keyof KeySelector> = {}): Promise<RangeResponse__Output> {
    return this.range({ ...options, key: prefix, prefix: true });
  }

  put(key: Bytes, value: Bytes, options: { prevKv?: boolean } = {}): Promise<PutResponse__Output> {
    const request = { key: toBytes(key), value: toBytes(value), prevKv: options.prevKv === true };
    return this.write<PutResponse__Output>('Put', (identity) => (endpoint, _metadata, callOptions, callback) =>
      endpoint.session.call('put', { ...request, ...identity }, callOptions.deadline as number, callback));
  }

  /** Deletes `key`, or the keys of a range or prefix. */
  delete(key: Bytes, options: Omit<KeySelector, 'key'> & { prevKv?: boolean } = {}): Promise<DeleteRangeResponse__Output> {
    const request = { ...keyRangeToWire({ ...options, key }), prevKv: options.prevKv === true };
    return this.write<DeleteRangeResponse__Output>('DeleteRange', (identity) => (endpoint, _metadata, callOptions, callback) =>
      endpoint.session.call('deleteRange', { ...request, ...identity }, callOptions.deadline as number, callback));
  }

  txn(options: TxnOptions): Promise<TxnResponse__Output> {
    const request = txnToWire(options);
    return this.write<TxnResponse__Output>('Txn', (identity) => (endpoint, _metadata, callOptions, callback) =>
      endpoint.session.call('txn', { ...request, ...identity }, callOptions.deadline as number, callback));
  }

  /**
   * Watches a key, range or prefix. Resolves once a member confirmed the watch, so that
   * every change made after that is reported; iterate with `for await`, and leave the loop
   * or call cancel() to stop.
   */
  async watch(options: WatchOptions): Promise<VstorWatch> {
    this.checkOpen();
    if (this.watches.size >= this.watchesMax) {
      throw new VstorError('RESOURCE_EXHAUSTED', `watch: ${this.watchesMax} watches are already open on this client (watchesMax)`);
    }
    const watch: VstorWatch = new VstorWatch(
      {
        endpoints: this.endpoints,
        policy: this.policy,
        openTimeoutMs: this.attemptTimeoutMs,
        request: (startRevision) => watchRequestToWire(options, startRevision),
        progressNotify: options.progressNotify === true,
        onFinished: () => this.watches.delete(watch),
      },
      options.startRevision ?? 0,
    );
    this.watches.add(watch);
    await watch.ready();
    return watch;
  }

  /** How many watches are open on this client. */
  get watchCount(): number {
    return this.watches.size;
  }

  // ---- Cluster ----

  /** What one member (by default the one in use) says of itself and the group. */
  status(options: { endpoint?: string } = {}): Promise<StatusResponse__Output> {
    const invoke: Invoke<StatusResponse__Output> = (endpoint, metadata, callOptions, callback) =>
      endpoint.cluster.Status({}, metadata, callOptions, callback);
    if (options.endpoint === undefined) return this.call('Status', invoke);
    // One member's view was asked for: no failover to another's.
    const endpoint = this.endpoints.endpointFor(options.endpoint, false);
    return this.attempt(endpoint, Date.now() + this.timeoutMs, invoke).catch((error: unknown) => {
      throw this.describe('Status', fromServiceError(error), 1);
    });
  }

  async members(options: { serializable?: boolean } = {}): Promise<Member__Output[]> {
    const response = await this.call<{ members: Member__Output[] }>('MemberList', (endpoint, metadata, callOptions, callback) =>
      endpoint.cluster.MemberList({ serializable: options.serializable === true }, metadata, callOptions, callback));
    return response.members;
  }

  addMember(member: MemberToAdd): Promise<MemberAddResponse__Output> {
    return this.write<MemberAddResponse__Output>('MemberAdd', (identity) => (endpoint, metadata, callOptions, callback) =>
      endpoint.cluster.MemberAdd({ ...member, id: member.id ?? 0, ...identity }, metadata, callOptions, callback));
  }

  async promote(id: number): Promise<Member__Output[]> {
    const response = await this.write<{ members: Member__Output[] }>('MemberPromote', (identity) => (endpoint, metadata, callOptions, callback) =>
      endpoint.cluster.MemberPromote({ id, ...identity }, metadata, callOptions, callback));
    return response.members;
  }

  async removeMember(id: number): Promise<Member__Output[]> {
    const response = await this.write<{ members: Member__Output[] }>('MemberRemove', (identity) => (endpoint, metadata, callOptions, callback) =>
      endpoint.cluster.MemberRemove({ id, ...identity }, metadata, callOptions, callback));
    return response.members;
  }

  /** Hands leadership to `targetId` (0: the most up-to-date voter); resolves with the new leader. */
  transferLeadership(targetId = 0): Promise<TransferLeadershipResponse__Output> {
    // Asking again for a transfer that already happened is harmless, so it is retried as
    // a read is, without a (client_id, sequence) pair.
    return this.call<TransferLeadershipResponse__Output>('TransferLeadership', (endpoint, metadata, callOptions, callback) =>
      endpoint.cluster.TransferLeadership({ targetId }, metadata, callOptions, callback));
  }

  /** Stops every watch and closes every channel. Safe twice. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const watch of [...this.watches]) watch.cancel();
    this.endpoints.close();
  }

  // ---- calls ----

  /**
   * Runs a write with this client's next sequence number, after the writes before it, and
   * retries it with the same pair.
   */
  private async write<Response>(method: string, invokeWith: (identity: { clientId: string; sequence: number }) => Invoke<Response>): Promise<Response> {
    this.checkOpen();
    if (this.queuedWrites >= this.queuedWritesMax) {
      throw new VstorError('RESOURCE_EXHAUSTED', `${method}: ${this.queuedWritesMax} writes are already waiting on this client (queuedWritesMax)`);
    }
    this.queuedWrites++;
    const previous = this.writeTail;
    let release!: () => void;
    this.writeTail = new Promise<void>((resolve) => {
      release = resolve;
    });
    try {
      await previous;
      this.checkOpen();
      this.sequence++;
      return await this.call(method, invokeWith({ clientId: this.clientId, sequence: this.sequence }));
    } finally {
      this.queuedWrites--;
      release();
    }
  }

  private async call<Response>(method: string, invoke: Invoke<Response>, policy: CallPolicy = {}): Promise<Response> {
    this.checkOpen();
    const deadline = Date.now() + this.timeoutMs;
    let endpoint = this.endpoints.current();
    const tried = new Set<string>();
    let backoffCount = 0;
    // The last failure that says more than "this client's own deadline passed".
    let telling: VstorError | undefined;
    for (let attempt = 1; ; attempt++) {
      tried.add(endpoint.address);
      const attemptDeadline = Math.min(deadline, Date.now() + this.attemptTimeoutMs);
      let sent = false;
      try {
        if (policy.changesBlocks === true) await whenConnected(endpoint.channel, attemptDeadline, endpoint.address);
        sent = true;
        return await this.attempt(endpoint, attemptDeadline, invoke);
      } catch (caught) {
        const error = fromServiceError(caught);
        if (!(error.code === 'DEADLINE_EXCEEDED' && !sentByServer(caught)) || telling === undefined) telling = error;
        const action = retryActionFor(error);
        const mayRepeat = policy.changesBlocks !== true || !sent || (sentByServer(caught) && error.retryable);
        if (action.kind === 'fail' || !mayRepeat || attempt > this.policy.retries || this.closed) throw this.describe(method, error, attempt);
        policy.onRetry?.(error);
        if (action.kind === 'leader') endpoint = this.endpoints.endpointFor(action.address, true);
        else if (action.kind === 'next') endpoint = this.endpoints.advance();
        // A member not yet tried in this call is tried at once; trying one again backs off.
        if (tried.has(endpoint.address)) await sleep(Math.max(0, Math.min(deadline - Date.now(), backoffDelayMs(this.policy, backoffCount++))));
        if (deadline - Date.now() < 1) throw this.describe(method, telling, attempt, `no answer within ${this.timeoutMs} ms`);
      }
    }
  }

  private attempt<Response>(endpoint: Endpoint, deadline: number, invoke: Invoke<Response>): Promise<Response> {
    return new Promise<Response>((resolve, reject) => {
      invoke(endpoint, new Metadata(), { deadline }, (error, response) => {
        if (error === null && response !== undefined) resolve(response);
        else reject(error ?? new VstorError('INTERNAL', 'an empty response'));
      });
    });
  }

  private describe(method: string, error: VstorError, attempts: number, why?: string): VstorError {
    const notes = [why, attempts > 1 ? `after ${attempts} attempts` : undefined].filter((note) => note !== undefined);
    const where = notes.length === 0 ? '' : ` (${notes.join(', ')}; endpoints ${this.endpoints.addresses.join(', ')})`;
    return new VstorError(error.code, oneLine(`${method}: ${error.message}${where}`), { retryable: error.retryable, leader: error.leader, cause: error });
  }

  private checkOpen(): void {
    if (this.closed) throw new VstorError('NOT_OPEN', 'the client is closed');
  }
}

export type Invoke<Response> = (
  endpoint: Endpoint,
  metadata: Metadata,
  options: CallOptions,
  callback: (error: ServiceError | null, response?: Response) => void,
) => unknown;
